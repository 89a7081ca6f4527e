import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { adminApi } from '../../../api/bearer-api';
import { Alert, PageTitle } from '../../../components';
import { useT } from '../../../i18n/i18n';
import { useAdminAccess } from '../access';
import { useIdempotencyKey } from '../lib/idempotency';
import { seg } from '../lib/text';
import { EMPTY_IDP_FORM, idpBody, type IdpFormValues } from './idp-form-model';
import { IdpForm } from './IdpForm';
import { idpKey, IDPS_KEY, type IdpView } from './idp-types';

/** `/admin/idps/new`: add an upstream provider, then its page says which redirect URI to register there. */
export default function IdpCreateScreen() {
  const t = useT();
  const { write } = useAdminAccess();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const idempotency = useIdempotencyKey();
  const create = useMutation({
    mutationFn: (values: IdpFormValues) => {
      const body = idpBody(values, 'create');
      return adminApi.send<IdpView>('POST', '/upstream-idps', body, { 'Idempotency-Key': idempotency.keyFor(body) });
    },
    onSuccess: (idp) => {
      idempotency.done();
      queryClient.setQueryData(idpKey(idp.id), idp);
      void queryClient.invalidateQueries({ queryKey: IDPS_KEY });
      void navigate(`/admin/idps/${seg(idp.id)}`, { state: { created: true } });
    },
  });
  return (
    <>
      <PageTitle>{t('admin.idps.new.title')}</PageTitle>
      {write ? (
        <IdpForm mode="create" initial={EMPTY_IDP_FORM} error={create.error} busy={create.isPending} submitLabel={t('admin.idps.new.submit')} onSubmit={(v) => create.mutate(v)} />
      ) : (
        <Alert tone="info">{t('admin.readOnly')}</Alert>
      )}
    </>
  );
}
