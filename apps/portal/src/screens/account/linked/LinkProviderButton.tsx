import { accountApi } from '../../../api/bearer-api';
import { Button } from '../../../components';
import { useT } from '../../../i18n/i18n';
import type { LinkedAccounts } from '../account-api';
import { ActionError } from '../ActionError';
import { navigateTo } from '../../../navigation/navigate-to';
import { useSensitiveMutation } from '../sensitive';

/**
 * Links a provider's account: the API answers where to send the browser (the provider's sign-in
 * page); it comes back to `/account?linked=<idp>` or `?upstream_error=<code>`.
 */
export function LinkProviderButton({ idp }: { idp: LinkedAccounts['available'][number] }) {
  const t = useT();
  const start = useSensitiveMutation({
    mutationFn: (vars: object) => accountApi.send<{ redirect_to: string }>('POST', `/links/${encodeURIComponent(idp.id)}`, vars),
    onSuccess: ({ redirect_to }) => navigateTo(redirect_to),
  });
  return (
    <li>
      <div className="item-main">
        <p className="item-title">{idp.name}</p>
        <ActionError error={start.mutation.error} reauth={start.reauth} busy={start.mutation.isPending} />
      </div>
      {!start.reauth && (
        <Button variant="secondary" onClick={() => start.mutation.mutate({})} busy={start.mutation.isPending || start.mutation.isSuccess}>
          {t('account.linked.link', { provider: idp.name })}
        </Button>
      )}
    </li>
  );
}
