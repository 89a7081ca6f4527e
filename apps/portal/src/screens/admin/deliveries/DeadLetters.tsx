import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { adminApi } from '../../../api/bearer-api';
import { Alert, Button, EmptyState } from '../../../components';
import { useT } from '../../../i18n/i18n';
import { useAdminAccess } from '../access';
import { Time } from '../lib/dates';
import { seg } from '../lib/text';
import { AdminErrorAlert } from '../ui/AdminError';
import { QueryState } from '../ui/QueryState';

/** An event some service could not handle after every retry (its payload is never shown). */
interface DeadLetterView {
  service: string;
  id: string;
  queue: string;
  event_id?: string;
  name?: string;
  occurred_at?: string;
  failed_at: string;
  attempts: number;
  error: string;
}

const DEAD_LETTERS_KEY = ['admin', 'dead-letters'] as const;

/** Dead letters of every service, newest first; each can be sent again once its cause is fixed. */
export function DeadLetters() {
  const t = useT();
  const { write } = useAdminAccess();
  const queryClient = useQueryClient();
  const [retried, setRetried] = useState<string | null>(null);
  const query = useQuery({ queryKey: DEAD_LETTERS_KEY, queryFn: () => adminApi.get<DeadLetterView[]>('/dead-letters') });
  const retry = useMutation({
    mutationFn: (letter: DeadLetterView) => adminApi.send<{ service: string; retried: string }>('POST', `/dead-letters/${seg(letter.service)}/${seg(letter.id)}/retry`),
    onSuccess: (_result, letter) => {
      setRetried(t('admin.deadLetters.retried', { name: letter.name ?? letter.queue }));
      void queryClient.invalidateQueries({ queryKey: DEAD_LETTERS_KEY });
    },
  });
  return (
    <section className="section" aria-labelledby="deliveries-dead-letters">
      <h2 id="deliveries-dead-letters">{t('admin.deadLetters.title')}</h2>
      <p className="muted">{t('admin.deadLetters.body')}</p>
      {retried && <Alert tone="success">{retried}</Alert>}
      <AdminErrorAlert error={retry.error} />
      <QueryState query={query}>
        {(letters) =>
          letters.length === 0 ? (
            <EmptyState title={t('admin.deadLetters.empty')} />
          ) : (
            <div className="admin-table-wrap" role="region" aria-label={t('admin.deadLetters.title')} tabIndex={0}>
              <table className="data">
                <caption className="visually-hidden">{t('admin.deadLetters.title')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('admin.audit.event')}</th>
                    <th scope="col">{t('admin.deadLetters.service')}</th>
                    <th scope="col">{t('admin.deadLetters.failedAt')}</th>
                    <th scope="col">{t('admin.deliveries.attempts')}</th>
                    <th scope="col">{t('admin.deadLetters.error')}</th>
                    {write && <th scope="col">{t('admin.col.actions')}</th>}
                  </tr>
                </thead>
                <tbody>
                  {letters.map((l) => (
                    <tr key={`${l.service}/${l.id}`}>
                      <td>
                        <code>{l.name ?? l.queue}</code>
                      </td>
                      <td>{l.service}</td>
                      <td className="admin-nowrap">
                        <Time value={l.failed_at} />
                      </td>
                      <td>{l.attempts}</td>
                      <td>{l.error}</td>
                      {write && (
                        <td>
                          <Button
                            variant="secondary"
                            busy={retry.isPending && retry.variables?.id === l.id}
                            aria-label={t('admin.deadLetters.retry.named', { name: l.name ?? l.queue, service: l.service })}
                            onClick={() => {
                              setRetried(null);
                              retry.mutate(l);
                            }}
                          >
                            {t('admin.deadLetters.retry')}
                          </Button>
                        </td>
                      )}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </QueryState>
    </section>
  );
}
