import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { accountApi } from '../../../api/bearer-api';
import { Button, ErrorAlert } from '../../../components';
import { useT } from '../../../i18n/i18n';
import { AppIdentity } from '../../consent/AppIdentity';
import { scopeText } from '../../consent/scope-text';
import type { ConnectedApp } from '../account-api';
import { ConfirmStep } from '../ConfirmStep';
import { useFormat } from '../format';
import { TimeAgo } from '../TimeAgo';

/** One connected app: what it may access, since when, last use; revoking needs a second click. */
export function ConnectedAppItem({ app, onRevoked }: { app: ConnectedApp; onRevoked: (name: string) => unknown }) {
  const t = useT();
  const format = useFormat();
  const [confirming, setConfirming] = useState(false);
  const name = app.client_name?.trim() || app.client_id;
  const revoke = useMutation({
    mutationFn: () => accountApi.send<void>('DELETE', `/apps/${encodeURIComponent(app.id)}`),
    onSuccess: () => onRevoked(name),
  });
  const scopes = [...new Set(app.scopes)];
  return (
    <li>
      <div className="item-main stack">
        <AppIdentity name={name} logoUri={app.logo_uri} />
        {scopes.length > 0 && (
          <div>
            <p className="item-meta">{t('account.apps.canAccess')}</p>
            <ul className="app-scopes">
              {scopes.map((scope) => (
                <li key={scope}>{scopeText(t, scope)}</li>
              ))}
            </ul>
          </div>
        )}
        <p className="item-meta">
          {t('account.apps.granted', { date: format.date(app.granted_at) })} ·{' '}
          {app.last_used_at !== undefined && app.last_used_at !== null ? (
            <>
              {t('account.apps.lastUsed')} <TimeAgo at={app.last_used_at} />
            </>
          ) : (
            t('account.apps.neverUsed')
          )}
        </p>
        {confirming && (
          <ConfirmStep
            confirmLabel={t('account.apps.revoke.named', { app: name })}
            onConfirm={() => revoke.mutate()}
            onCancel={() => {
              setConfirming(false);
              revoke.reset();
            }}
            busy={revoke.isPending}
          >
            <p>{t('account.apps.revoke.confirm', { app: name })}</p>
          </ConfirmStep>
        )}
        <ErrorAlert error={revoke.error} />
      </div>
      <Button variant="secondary" onClick={() => setConfirming(true)} aria-label={t('account.apps.revoke.named', { app: name })} aria-expanded={confirming}>
        {t('account.apps.revoke')}
      </Button>
    </li>
  );
}
