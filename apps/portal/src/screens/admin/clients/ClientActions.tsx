import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { adminApi } from '../../../api/bearer-api';
import { Alert, Button, Checkbox } from '../../../components';
import { useT } from '../../../i18n/i18n';
import { Time } from '../lib/dates';
import { seg } from '../lib/text';
import { AdminErrorAlert } from '../ui/AdminError';
import { ConfirmAction } from '../ui/ConfirmAction';
import { SecretBox } from '../ui/SecretBox';
import { clientKey, isBuiltIn, withoutSecret, type ClientView, type RevocationView } from './client-types';

const nameOf = (c: ClientView) => c.client_name || c.client_id;

/** A new secret now: the old one stops working at once, so it asks first; the new one is shown once. */
export function ClientSecretSection({ client }: { client: ClientView }) {
  const t = useT();
  const queryClient = useQueryClient();
  const [secret, setSecret] = useState<string | undefined>();
  const rotate = useMutation({
    mutationFn: () => adminApi.send<ClientView>('POST', `/clients/${seg(client.client_id)}/secret`),
    onSuccess: (rotated) => {
      setSecret(rotated.client_secret);
      queryClient.setQueryData(clientKey(client.client_id), withoutSecret(rotated));
    },
  });
  return (
    <section className="section" aria-labelledby="client-secret">
      <h2 id="client-secret">{t('admin.clients.secret.title')}</h2>
      {secret ? (
        <SecretBox secret={secret} onDismiss={() => setSecret(undefined)} />
      ) : (
        <>
          <p className="muted">{t('admin.clients.secret.body')}</p>
          <AdminErrorAlert error={rotate.error} />
          <ConfirmAction
            label={t('admin.clients.secret.rotate')}
            message={t('admin.clients.secret.confirm', { name: nameOf(client) })}
            confirmLabel={t('admin.clients.secret.rotateNow')}
            onConfirm={() => rotate.mutateAsync()}
          />
        </>
      )}
    </section>
  );
}

/** A built-in client's secret (tessera-cli's) is the operator's: set where the platform reads it, never rotated here. */
export function BuiltInSecretSection() {
  const t = useT();
  return (
    <section className="section" aria-labelledby="client-secret">
      <h2 id="client-secret">{t('admin.clients.secret.title')}</h2>
      <p className="muted">{t('admin.clients.builtIn.secret')}</p>
    </section>
  );
}

/**
 * Disabled: nothing is issued to the client and its tokens read inactive, until it is enabled
 * again. A built-in client cannot be disabled (it could be enabled, were it ever found off).
 */
export function ClientStatusSection({ client }: { client: ClientView }) {
  const t = useT();
  const queryClient = useQueryClient();
  const toggle = useMutation({
    mutationFn: (action: 'enable' | 'disable') => adminApi.send<ClientView>('POST', `/clients/${seg(client.client_id)}/${action}`),
    onSuccess: (updated) => {
      queryClient.setQueryData(clientKey(client.client_id), withoutSecret(updated));
      void queryClient.invalidateQueries({ queryKey: ['admin', 'clients'] });
    },
  });
  return (
    <section className="section" aria-labelledby="client-status">
      <h2 id="client-status">{t('admin.col.status')}</h2>
      <p>{client.disabled ? t('admin.clients.status.disabledBody') : t('admin.clients.status.enabledBody')}</p>
      <AdminErrorAlert error={toggle.error} />
      {client.disabled ? (
        <Button busy={toggle.isPending} onClick={() => toggle.mutate('enable')}>
          {t('admin.clients.enable')}
        </Button>
      ) : isBuiltIn(client) ? (
        <p className="muted">{t('admin.clients.builtIn.noDisable')}</p>
      ) : (
        <ConfirmAction
          label={t('admin.clients.disable')}
          message={t('admin.clients.disable.confirm', { name: nameOf(client) })}
          confirmLabel={t('admin.clients.disable')}
          onConfirm={() => toggle.mutateAsync('disable')}
        />
      )}
    </section>
  );
}

/**
 * Revoke access everywhere: recorded at once (202), carried out by the token service however
 * long its queue is away; the status is read back until it says completed. A built-in client's
 * access may be revoked (everyone signs in again), but it is not offered to disable it too.
 */
export function ClientRevokeSection({ client }: { client: ClientView }) {
  const t = useT();
  const queryClient = useQueryClient();
  const [alsoDisable, setAlsoDisable] = useState(false);
  const [revocationId, setRevocationId] = useState<string | null>(null);
  const revoke = useMutation({
    mutationFn: () => adminApi.send<RevocationView>('POST', `/clients/${seg(client.client_id)}/revocations`, { disable_client: alsoDisable && !isBuiltIn(client) }),
    onSuccess: (revocation) => {
      queryClient.setQueryData(['admin', 'revocation', revocation.id], revocation);
      setRevocationId(revocation.id);
      if (revocation.disable_client) void queryClient.invalidateQueries({ queryKey: clientKey(client.client_id) });
    },
  });
  return (
    <section className="section" aria-labelledby="client-revoke">
      <h2 id="client-revoke">{t('admin.clients.revoke.title')}</h2>
      <p className="muted">{t('admin.clients.revoke.body')}</p>
      {isBuiltIn(client) && <p className="muted">{t('admin.clients.builtIn.revoke')}</p>}
      <AdminErrorAlert error={revoke.error} />
      <ConfirmAction
        label={t('admin.clients.revoke.action')}
        message={t('admin.clients.revoke.confirm', { name: nameOf(client) })}
        confirmLabel={t('admin.clients.revoke.confirmAction')}
        onConfirm={() => revoke.mutateAsync()}
      >
        {!isBuiltIn(client) && (
          <Checkbox label={t('admin.clients.revoke.disable')} hint={t('admin.clients.revoke.disable.hint')} checked={alsoDisable} onChange={(e) => setAlsoDisable(e.target.checked)} />
        )}
      </ConfirmAction>
      {revocationId && <RevocationStatus id={revocationId} />}
    </section>
  );
}

const POLL_MS = 2000;

function RevocationStatus({ id }: { id: string }) {
  const t = useT();
  const query = useQuery({
    queryKey: ['admin', 'revocation', id],
    queryFn: () => adminApi.get<RevocationView>(`/revocations/${seg(id)}`),
    refetchInterval: (q) => (q.state.data?.status === 'pending' ? POLL_MS : false),
  });
  const r = query.data;
  if (!r) return query.error ? <AdminErrorAlert error={query.error} /> : null;
  if (r.status === 'completed') {
    return (
      <Alert tone="success" title={t('admin.revocation.completed')}>
        <p>{t('admin.revocation.completed.body', { grants: r.grants ?? 0, sessions: r.sessions ?? 0 })}</p>
        <p>
          {t('admin.revocation.completedAt')} <Time value={r.completed_at} />
        </p>
      </Alert>
    );
  }
  return (
    <Alert tone="info" title={t('admin.revocation.pending')}>
      <p>{t('admin.revocation.pending.body')}</p>
      <p>
        {t('admin.revocation.requestedAt')} <Time value={r.requested_at} />
      </p>
      <div className="actions">
        <Button variant="secondary" busy={query.isFetching} onClick={() => void query.refetch()}>
          {t('admin.revocation.check')}
        </Button>
      </div>
    </Alert>
  );
}

/** Delete: the client and its registration go; asks first, then back to the list. */
export function ClientDeleteSection({ client }: { client: ClientView }) {
  const t = useT();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const remove = useMutation({
    mutationFn: () => adminApi.send<void>('DELETE', `/clients/${seg(client.client_id)}`),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ['admin', 'clients'] });
      // Leave the page first: removed while shown, the client would be fetched again (and 404).
      void Promise.resolve(navigate('/admin/clients', { state: { deleted: nameOf(client) } })).then(() => queryClient.removeQueries({ queryKey: clientKey(client.client_id) }));
    },
  });
  return (
    <section className="section" aria-labelledby="client-delete">
      <h2 id="client-delete">{t('admin.clients.delete.title')}</h2>
      <p className="muted">{t('admin.clients.delete.body')}</p>
      <AdminErrorAlert error={remove.error} />
      <ConfirmAction
        label={t('admin.clients.delete.action')}
        message={t('admin.clients.delete.confirm', { name: nameOf(client) })}
        confirmLabel={t('action.delete')}
        onConfirm={() => remove.mutateAsync()}
      />
    </section>
  );
}
