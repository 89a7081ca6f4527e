import { useQueryClient } from '@tanstack/react-query';
import { EmptyState, ErrorAlert, Loading, Notice, PageTitle, useNoticeState } from '../../../components';
import { useT } from '../../../i18n/i18n';
import { accountKeys, useConnectedApps } from '../account-api';
import { ConnectedAppItem } from './ConnectedAppItem';
import { PORTAL_CLIENT_ID } from '../../../auth/portal-client';

/** `/account/apps`: every app the person let into their account, and a way to take that back. */
export default function AppsScreen() {
  const t = useT();
  const queryClient = useQueryClient();
  const apps = useConnectedApps();
  const { notice: revoked, show: showRevoked } = useNoticeState<string>();
  // The portal is this page: revoking it here would only sign the person out of it.
  const list = (apps.data ?? []).filter((app) => app.client_id !== PORTAL_CLIENT_ID).sort((a, b) => (b.last_used_at ?? b.granted_at) - (a.last_used_at ?? a.granted_at));
  return (
    <>
      <PageTitle>{t('account.apps.title')}</PageTitle>
      <p className="section-lead muted">{t('account.apps.lead')}</p>
      {/* Focused: the revoked app's item, where focus was, is gone. */}
      {revoked && (
        <Notice key={revoked.id} focus>
          {t('account.apps.revoked', { app: revoked.value })}
        </Notice>
      )}
      {apps.isPending && <Loading />}
      <ErrorAlert error={apps.error} />
      {apps.data &&
        (list.length ? (
          <section className="section" aria-label={t('account.apps.title')}>
            <ul className="list">
              {list.map((app) => (
                <ConnectedAppItem
                  key={app.id}
                  app={app}
                  onRevoked={(name) => {
                    showRevoked(name);
                    return queryClient.invalidateQueries({ queryKey: accountKeys.apps });
                  }}
                />
              ))}
            </ul>
          </section>
        ) : (
          <EmptyState title={t('account.apps.empty')}>
            <p>{t('account.apps.empty.body')}</p>
          </EmptyState>
        ))}
    </>
  );
}
