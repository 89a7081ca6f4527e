import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { adminApi } from '../../../api/bearer-api';
import { Button, EmptyState, TextField } from '../../../components';
import { useT } from '../../../i18n/i18n';
import { Time } from '../lib/dates';
import { seg } from '../lib/text';
import { Badge } from '../ui/Details';
import { SelectField } from '../ui/Fields';
import { QueryState } from '../ui/QueryState';

/** One back-channel logout notice to one client (never the logout token). Times are epoch seconds. */
interface DeliveryView {
  event_id: string;
  client_id: string;
  sub: string;
  sid?: string;
  status: 'delivered' | 'retrying' | 'failed';
  attempts: number;
  last_error?: string;
  created_at: number;
  updated_at: number;
}

const STATUSES = ['failed', 'retrying', 'delivered'] as const;
/** The API lists the most recently updated first, without a cursor: this many at most. */
const LIMIT = 200;

/**
 * Failed and retrying deliveries first of all: the API shows them but cannot send them again
 * (a delivery is retried on its own while it is `retrying`), so the page says so.
 */
export function BackchannelDeliveries() {
  const t = useT();
  const [filters, setFilters] = useState({ status: 'failed', client_id: '' });
  const [draft, setDraft] = useState(filters);
  const query = useQuery({
    queryKey: ['admin', 'deliveries', filters],
    queryFn: () => adminApi.get<DeliveryView[]>('/backchannel-deliveries', { status: filters.status || undefined, client_id: filters.client_id.trim() || undefined, limit: LIMIT }),
  });
  const apply = (e: FormEvent) => {
    e.preventDefault();
    setFilters(draft);
  };
  const tone = (s: DeliveryView['status']) => (s === 'failed' ? 'danger' : s === 'delivered' ? 'success' : undefined);
  return (
    <section className="section" aria-labelledby="deliveries-backchannel">
      <h2 id="deliveries-backchannel">{t('admin.deliveries.backchannel')}</h2>
      <p className="muted">{t('admin.deliveries.backchannel.body')}</p>
      <form className="admin-search" onSubmit={apply}>
        <SelectField
          label={t('admin.col.status')}
          value={draft.status}
          onChange={(e) => setDraft((d) => ({ ...d, status: e.target.value }))}
          options={[{ value: '', label: t('admin.deliveries.status.all') }, ...STATUSES.map((s) => ({ value: s, label: t(`admin.deliveries.status.${s}`) }))]}
        />
        <TextField label={t('admin.audit.client')} autoComplete="off" spellCheck={false} value={draft.client_id} onChange={(e) => setDraft((d) => ({ ...d, client_id: e.target.value }))} />
        <Button type="submit" variant="secondary">
          {t('admin.audit.apply')}
        </Button>
      </form>
      <QueryState query={query}>
        {(deliveries) =>
          deliveries.length === 0 ? (
            <EmptyState title={filters.status === 'failed' ? t('admin.deliveries.noFailures') : t('admin.deliveries.empty')} />
          ) : (
            <div className="admin-table-wrap" role="region" aria-label={t('admin.deliveries.backchannel')} tabIndex={0}>
              <table className="data">
                <caption className="visually-hidden">{t('admin.deliveries.backchannel')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('admin.audit.client')}</th>
                    <th scope="col">{t('admin.deliveries.user')}</th>
                    <th scope="col">{t('admin.col.status')}</th>
                    <th scope="col">{t('admin.deliveries.attempts')}</th>
                    <th scope="col">{t('admin.deliveries.lastError')}</th>
                    <th scope="col">{t('admin.deliveries.updated')}</th>
                  </tr>
                </thead>
                <tbody>
                  {deliveries.map((d) => (
                    <tr key={d.event_id}>
                      <td>
                        <Link to={`/admin/clients/${seg(d.client_id)}`}>{d.client_id}</Link>
                      </td>
                      <td>
                        <Link to={`/admin/users/${seg(d.sub)}`}>{d.sub}</Link>
                      </td>
                      <td>
                        <Badge tone={tone(d.status)}>{t(`admin.deliveries.status.${d.status}`)}</Badge>
                      </td>
                      <td>{d.attempts}</td>
                      <td>{d.last_error ?? <span className="muted">—</span>}</td>
                      <td className="admin-nowrap">
                        <Time value={d.updated_at} />
                      </td>
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
