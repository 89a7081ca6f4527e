import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { accountApi } from '../../../api/bearer-api';
import { Button } from '../../../components';
import { useT } from '../../../i18n/i18n';
import { accountKeys, type LinkedAccounts } from '../account-api';
import { ActionError } from '../ActionError';
import { ConfirmStep } from '../ConfirmStep';
import { useFormat } from '../format';
import { useSensitiveMutation } from '../sensitive';
import { TimeAgo } from '../TimeAgo';

/**
 * One linked account; unlinking is refused for the last way to sign in (`last_sign_in_method`).
 * Once unlinked, the screen says so (`onUnlinked`) and takes focus, since this item goes away.
 */
export function LinkedAccountItem({ link, onUnlinked }: { link: LinkedAccounts['links'][number]; onUnlinked: (provider: string) => unknown }) {
  const t = useT();
  const format = useFormat();
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const unlink = useSensitiveMutation({
    mutationFn: (vars: object) => accountApi.send<void>('DELETE', `/links/${encodeURIComponent(link.id)}`, vars),
    onSuccess: () => {
      onUnlinked(link.idp.name);
      return queryClient.invalidateQueries({ queryKey: accountKeys.links });
    },
    onCancel: () => setConfirming(false),
  });
  return (
    <li>
      <div className="item-main">
        <p className="item-title">
          {link.idp.name} {!link.idp.enabled && <span className="badge badge-danger">{t('account.linked.disabled')}</span>}
        </p>
        <p className="item-meta">
          {link.email && <>{link.email} · </>}
          {t('account.linked.since', { date: format.date(link.created_at) })}
          {link.last_used_at !== null && (
            <>
              {' · '}
              {t('account.linked.lastUsed')} <TimeAgo at={link.last_used_at} />
            </>
          )}
        </p>
        {confirming && !unlink.reauth && (
          <ConfirmStep
            confirmLabel={t('account.linked.unlink.named', { provider: link.idp.name })}
            onConfirm={() => unlink.mutation.mutate({})}
            onCancel={() => {
              setConfirming(false);
              unlink.mutation.reset();
            }}
            busy={unlink.mutation.isPending}
          >
            <p>{t('account.linked.unlink.confirm', { provider: link.idp.name })}</p>
          </ConfirmStep>
        )}
        <ActionError error={unlink.mutation.error} reauth={unlink.reauth} busy={unlink.mutation.isPending} />
      </div>
      <Button
        variant="secondary"
        onClick={() => setConfirming(true)}
        aria-label={t('account.linked.unlink.named', { provider: link.idp.name })}
        aria-expanded={confirming}
      >
        {t('account.linked.unlink')}
      </Button>
    </li>
  );
}
