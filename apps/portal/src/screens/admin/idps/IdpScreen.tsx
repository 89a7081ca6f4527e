import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { adminApi } from '../../../api/bearer-api';
import { Alert, Button, PageTitle } from '../../../components';
import { useT } from '../../../i18n/i18n';
import { useAdminAccess } from '../access';
import { Time } from '../lib/dates';
import { seg } from '../lib/text';
import { AdminErrorAlert } from '../ui/AdminError';
import { ConfirmAction } from '../ui/ConfirmAction';
import { Badge, Details, Values } from '../ui/Details';
import { QueryState } from '../ui/QueryState';
import { formFromIdp, idpBody, type IdpFormValues } from './idp-form-model';
import { IdpForm } from './IdpForm';
import { idpKey, IDPS_KEY, type IdpView } from './idp-types';

/** `/admin/idps/:id`: one upstream provider: settings, enable or disable, delete. */
export default function IdpScreen() {
  const t = useT();
  const { id = '' } = useParams();
  const query = useQuery({ queryKey: idpKey(id), queryFn: () => adminApi.get<IdpView>(`/upstream-idps/${seg(id)}`) });
  return (
    <>
      <PageTitle>{query.data?.display_name ?? id}</PageTitle>
      <p>
        <Link to="/admin/idps">{t('admin.idps.back')}</Link>
      </p>
      <QueryState query={query}>{(idp) => <IdpPage idp={idp} />}</QueryState>
    </>
  );
}

function IdpPage({ idp }: { idp: IdpView }) {
  const t = useT();
  const { write } = useAdminAccess();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const created = (useLocation().state as { created?: boolean } | null)?.created === true;
  const [editing, setEditing] = useState(false);
  const [saved, setSaved] = useState(false);
  const path = `/upstream-idps/${seg(idp.id)}`;
  const afterChange = (updated: IdpView) => {
    queryClient.setQueryData(idpKey(idp.id), updated);
    void queryClient.invalidateQueries({ queryKey: IDPS_KEY, exact: true });
  };
  const edit = useMutation({
    mutationFn: (values: IdpFormValues) => {
      const changes = idpBody(values, 'edit', idp);
      // Nothing changed: nothing to send (the API refuses an empty change).
      return Object.keys(changes).length ? adminApi.send<IdpView>('PATCH', path, changes) : Promise.resolve(idp);
    },
    onSuccess: (updated) => {
      afterChange(updated);
      setEditing(false);
      setSaved(true);
    },
  });
  const toggle = useMutation({ mutationFn: (enabled: boolean) => adminApi.send<IdpView>('PATCH', path, { enabled }), onSuccess: afterChange });
  const remove = useMutation({
    mutationFn: () => adminApi.send<void>('DELETE', path),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: IDPS_KEY, exact: true });
      void Promise.resolve(navigate('/admin/idps', { state: { deleted: idp.display_name } })).then(() => queryClient.removeQueries({ queryKey: idpKey(idp.id) }));
    },
  });

  return (
    <>
      {created && <Alert tone="success">{t('admin.idps.created')}</Alert>}
      <section className="section" aria-labelledby="idp-settings">
        <h2 id="idp-settings">{editing ? t('admin.idps.edit.title') : t('admin.idps.settings')}</h2>
        {saved && !editing && <Alert tone="success">{t('admin.saved')}</Alert>}
        {editing ? (
          <IdpForm
            mode="edit"
            initial={formFromIdp(idp)}
            error={edit.error}
            busy={edit.isPending}
            submitLabel={t('action.save')}
            onSubmit={(v) => edit.mutate(v)}
            onCancel={() => {
              edit.reset();
              setEditing(false);
            }}
          />
        ) : (
          <>
            <Details
              rows={[
                [t('admin.idps.redirectUri'), <code key="redirect">{idp.redirect_uri}</code>],
                [t('admin.idps.form.id'), <code key="id">{idp.id}</code>],
                [t('admin.col.status'), idp.enabled ? <Badge tone="success">{t('admin.status.enabled')}</Badge> : <Badge tone="danger">{t('admin.status.disabled')}</Badge>],
                [t('admin.idps.form.issuer'), <code key="issuer">{idp.issuer}</code>],
                [t('admin.idps.form.clientId'), <code key="client">{idp.client_id}</code>],
                [t('admin.idps.form.clientSecret'), idp.has_client_secret ? t('admin.idps.secret.stored') : t('admin.none')],
                [t('admin.clients.form.authMethod'), t(idp.token_endpoint_auth_method === 'client_secret_post' ? 'admin.clients.authMethod.client_secret_post' : 'admin.clients.authMethod.client_secret_basic')],
                [t('admin.idps.form.scopes'), <Values key="scopes" values={idp.scopes} none={t('admin.none')} />],
                [t('admin.idps.form.trustEmail'), idp.trust_email_verified ? t('admin.yes') : t('admin.no')],
                [
                  t('admin.idps.claimMapping'),
                  <ul key="claims" className="admin-plain-list">
                    {Object.entries(idp.claim_mapping).map(([upstream, local]) => (
                      <li key={upstream}>
                        <code>{upstream}</code> → <code>{local}</code>
                      </li>
                    ))}
                  </ul>,
                ],
                [t('admin.col.created'), <Time key="created" value={idp.created_at} />],
                [t('admin.users.updated'), <Time key="updated" value={idp.updated_at} />],
              ]}
            />
            <p className="field-hint">{t('admin.idps.redirectUri.hint')}</p>
            {write && (
              <div className="actions">
                <Button
                  variant="secondary"
                  onClick={() => {
                    setSaved(false);
                    setEditing(true);
                  }}
                >
                  {t('admin.edit')}
                </Button>
              </div>
            )}
          </>
        )}
      </section>
      {write && (
        <>
          <section className="section" aria-labelledby="idp-status">
            <h2 id="idp-status">{t('admin.col.status')}</h2>
            <p>{idp.enabled ? t('admin.idps.status.enabledBody') : t('admin.idps.status.disabledBody')}</p>
            <AdminErrorAlert error={toggle.error} />
            {idp.enabled ? (
              <ConfirmAction
                label={t('admin.idps.disable')}
                message={t('admin.idps.disable.confirm', { name: idp.display_name })}
                confirmLabel={t('admin.idps.disable')}
                onConfirm={() => toggle.mutateAsync(false)}
              />
            ) : (
              <Button busy={toggle.isPending} onClick={() => toggle.mutate(true)}>
                {t('admin.idps.enable')}
              </Button>
            )}
          </section>
          <section className="section" aria-labelledby="idp-delete">
            <h2 id="idp-delete">{t('admin.idps.delete.title')}</h2>
            <p className="muted">{t('admin.idps.delete.body')}</p>
            <AdminErrorAlert error={remove.error} />
            <ConfirmAction
              label={t('admin.idps.delete.action')}
              message={t('admin.idps.delete.confirm', { name: idp.display_name })}
              confirmLabel={t('action.delete')}
              onConfirm={() => remove.mutateAsync()}
            />
          </section>
        </>
      )}
    </>
  );
}
