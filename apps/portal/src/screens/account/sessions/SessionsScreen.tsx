import { useMutation, useQueryClient } from '@tanstack/react-query';
import { accountApi } from '../../../api/bearer-api';
import { Button, EmptyState, ErrorAlert, Loading, Notice, PageTitle, useNoticeState } from '../../../components';
import type { MessageKey } from '../../../i18n/catalogs';
import { useT } from '../../../i18n/i18n';
import { accountKeys, useSessions } from '../account-api';
import { SessionItem } from './SessionItem';

/** `/account/sessions`: every browser signed in to the account; end one, or all but this one. */
export default function SessionsScreen() {
  const t = useT();
  const queryClient = useQueryClient();
  const sessions = useSessions();
  // What was just ended. Focus goes to the message: the button used is gone with what it ended.
  const { notice, show } = useNoticeState<{ key: MessageKey; vars: Record<string, string | number> }>();
  const endOthers = useMutation({
    mutationFn: () => accountApi.send<{ ended: number }>('DELETE', '/sessions'),
    onSuccess: (answer) => {
      show({ key: 'account.sessions.endedOthers', vars: { count: answer.ended } });
      return queryClient.invalidateQueries({ queryKey: accountKeys.sessions });
    },
  });
  // This browser first, then the most recently seen.
  const list = [...(sessions.data ?? [])].sort((a, b) => Number(b.current) - Number(a.current) || b.last_seen_at - a.last_seen_at);
  const others = list.filter((s) => !s.current).length;

  return (
    <>
      <PageTitle>{t('account.sessions.title')}</PageTitle>
      <p className="section-lead muted">{t('account.sessions.lead')}</p>
      {notice && (
        <Notice key={notice.id} focus>
          {t(notice.value.key, notice.value.vars)}
        </Notice>
      )}
      <ErrorAlert error={endOthers.error} />
      {sessions.isPending && <Loading />}
      <ErrorAlert error={sessions.error} />
      {sessions.data &&
        (list.length ? (
          <section className="section" aria-label={t('account.sessions.title')}>
            <ul className="list">
              {list.map((session) => (
                <SessionItem key={session.id} session={session} onEnded={(device) => show({ key: 'account.sessions.ended', vars: { device } })} />
              ))}
            </ul>
            {others > 0 && (
              <div className="actions">
                <Button variant="danger" onClick={() => endOthers.mutate()} busy={endOthers.isPending}>
                  {t('account.sessions.endOthers')}
                </Button>
              </div>
            )}
          </section>
        ) : (
          <EmptyState title={t('account.sessions.empty')} />
        ))}
    </>
  );
}
