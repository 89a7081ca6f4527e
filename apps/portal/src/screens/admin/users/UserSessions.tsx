import { useQuery } from '@tanstack/react-query';
import { adminApi } from '../../../api/bearer-api';
import { EmptyState } from '../../../components';
import { useT } from '../../../i18n/i18n';
import { Time } from '../lib/dates';
import { seg } from '../lib/text';
import { Details } from '../ui/Details';
import { QueryState } from '../ui/QueryState';
import { sessionsKey, type UserSessionView } from './user-types';

/** RFC 8176 methods a person recognises. */
const AMR_KEYS = ['pwd', 'otp', 'hwk', 'swk', 'user', 'mfa', 'fed', 'email'] as const;
type AmrKey = (typeof AMR_KEYS)[number];

/** The person's sign-in sessions: device, where from, how, when, and which apps they served. */
export function UserSessions({ sub }: { sub: string }) {
  const t = useT();
  const query = useQuery({ queryKey: sessionsKey(sub), queryFn: () => adminApi.get<UserSessionView[]>(`/users/${seg(sub)}/sessions`) });
  const how = (amr: string[]) => amr.map((m) => ((AMR_KEYS as readonly string[]).includes(m) ? t(`admin.amr.${m as AmrKey}`) : m)).join(', ');
  return (
    <section className="section" aria-labelledby="user-sessions">
      <h2 id="user-sessions">{t('admin.users.sessions')}</h2>
      <QueryState query={query}>
        {(sessions) =>
          sessions.length === 0 ? (
            <EmptyState title={t('admin.users.sessions.empty')} />
          ) : (
            <ul className="list">
              {sessions.map((s) => (
                <li key={s.id}>
                  <div className="stack">
                    <strong>{s.device ?? s.user_agent ?? t('admin.users.sessions.unknownDevice')}</strong>
                    <Details
                      rows={[
                        [t('admin.users.sessions.ip'), s.ip ?? t('admin.none')],
                        [t('admin.users.sessions.how'), s.amr.length ? how(s.amr) : t('admin.none')],
                        [t('admin.users.sessions.signedIn'), <Time key="auth" value={s.auth_time} />],
                        [t('admin.users.sessions.lastSeen'), <Time key="seen" value={s.last_seen_at} />],
                        [t('admin.users.sessions.expires'), <Time key="expires" value={s.expires_at} />],
                        [
                          t('admin.users.sessions.apps'),
                          s.clients.length ? s.clients.map((c) => c.client_name || c.client_id).join(', ') : t('admin.none'),
                        ],
                      ]}
                    />
                  </div>
                </li>
              ))}
            </ul>
          )
        }
      </QueryState>
    </section>
  );
}
