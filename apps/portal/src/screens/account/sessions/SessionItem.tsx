import { useMutation, useQueryClient } from '@tanstack/react-query';
import { accountApi } from '../../../api/bearer-api';
import { Button, ErrorAlert } from '../../../components';
import { useT } from '../../../i18n/i18n';
import { accountKeys, type SessionView } from '../account-api';
import { useFormat } from '../format';
import { TimeAgo } from '../TimeAgo';
import { amrInWords } from './amr';

/** One signed-in browser: what it is, where from, since when, how, and which apps used it. */
export function SessionItem({ session, onEnded }: { session: SessionView; onEnded: (device: string) => unknown }) {
  const t = useT();
  const format = useFormat();
  const queryClient = useQueryClient();
  const device = session.device ?? t('account.sessions.unknownDevice');
  const end = useMutation({
    mutationFn: () => accountApi.send<void>('DELETE', `/sessions/${encodeURIComponent(session.id)}`),
    onSuccess: () => {
      // The screen says so (and takes focus): this item, with the focused button, goes away.
      onEnded(device);
      return queryClient.invalidateQueries({ queryKey: accountKeys.sessions });
    },
  });
  const methods = amrInWords(t, session.amr);
  const apps = session.clients.map((c) => c.client_name || c.client_id);
  return (
    <li>
      <div className="item-main">
        <p className="item-title">
          {device} {session.current && <span className="badge badge-success">{t('account.sessions.current')}</span>}
        </p>
        <dl className="session-facts">
          {session.ip && (
            <>
              <dt>{t('account.sessions.ip')}</dt>
              <dd className="mono">{session.ip}</dd>
            </>
          )}
          <dt>{t('account.sessions.signedIn')}</dt>
          <dd>
            <time dateTime={format.iso(session.auth_time)}>{format.dateTime(session.auth_time)}</time>
          </dd>
          <dt>{t('account.sessions.lastSeen')}</dt>
          <dd>
            <TimeAgo at={session.last_seen_at} />
          </dd>
          {methods.length > 0 && (
            <>
              <dt>{t('account.sessions.how')}</dt>
              <dd>{format.list(methods)}</dd>
            </>
          )}
          <dt>{t('account.sessions.apps')}</dt>
          <dd>{apps.length ? format.list(apps) : t('account.sessions.noApps')}</dd>
        </dl>
        <ErrorAlert error={end.error} />
      </div>
      {!session.current && (
        <Button variant="secondary" onClick={() => end.mutate()} busy={end.isPending} aria-label={t('account.sessions.end.named', { device })}>
          {t('account.sessions.end')}
        </Button>
      )}
    </li>
  );
}
