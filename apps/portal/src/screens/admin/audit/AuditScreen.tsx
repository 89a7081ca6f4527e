import { Link, useSearchParams } from 'react-router';
import { EmptyState, PageTitle } from '../../../components';
import { useT } from '../../../i18n/i18n';
import { useCursorList } from '../lib/cursor-list';
import { fieldErrorsOf } from '../lib/field-errors';
import { Time } from '../lib/dates';
import { seg } from '../lib/text';
import { LoadMore } from '../ui/LoadMore';
import { QueryState } from '../ui/QueryState';
import { apiQuery, FILTER_NAMES, filtersFrom, type AuditFilters } from './audit-filters';
import { AuditFiltersForm } from './AuditFiltersForm';

/** One audit entry: ids, names and counts only, never a secret. */
interface AuditEntryView {
  id: string;
  occurred_at: string;
  type: string;
  actor: { type: 'user' | 'client' | 'system'; id?: string };
  subject?: string;
  client_id?: string;
  ip?: string;
  details: Record<string, unknown>;
}

/** A detail value as words: lists joined, objects as `key: value`, never raw JSON. */
function detailText(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (Array.isArray(value)) return value.map(detailText).join(', ');
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${k}: ${detailText(v)}`)
      .join('; ');
  }
  return String(value);
}

/** `/admin/audit`: who did what, when, from where; filtered as the API allows, newest first. */
export default function AuditScreen() {
  const t = useT();
  const [params, setParams] = useSearchParams();
  const filters = filtersFrom(params);
  const list = useCursorList<AuditEntryView>(['admin', 'audit'], '/audit', apiQuery(filters));
  const apply = (f: AuditFilters) => setParams(Object.fromEntries(FILTER_NAMES.filter((n) => f[n].trim()).map((n) => [n, f[n].trim()])));
  const errors = list.data ? {} : fieldErrorsOf(list.error, FILTER_NAMES);
  const filtered = FILTER_NAMES.some((n) => filters[n]);

  return (
    <>
      <PageTitle>{t('admin.audit.title')}</PageTitle>
      <AuditFiltersForm key={params.toString()} initial={filters} errors={errors} onApply={apply} />
      <QueryState query={list}>
        {() =>
          list.items.length === 0 ? (
            <EmptyState title={filtered ? t('admin.audit.noMatch') : t('admin.audit.empty')} />
          ) : (
            <>
              <div className="admin-table-wrap" role="region" aria-label={t('admin.audit.title')} tabIndex={0}>
                <table className="data">
                  <caption className="visually-hidden">{t('admin.audit.title')}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{t('admin.audit.when')}</th>
                      <th scope="col">{t('admin.audit.event')}</th>
                      <th scope="col">{t('admin.audit.actor')}</th>
                      <th scope="col">{t('admin.audit.target')}</th>
                      <th scope="col">{t('admin.audit.ip')}</th>
                      <th scope="col">{t('admin.audit.details')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {list.items.map((e) => (
                      <tr key={e.id}>
                        <td className="admin-nowrap">
                          <Time value={e.occurred_at} />
                        </td>
                        <td>
                          <code>{e.type}</code>
                        </td>
                        <td>
                          {t(`admin.audit.actor.${e.actor.type}`)}
                          {e.actor.id && (
                            <>
                              {' '}
                              <code>{e.actor.id}</code>
                            </>
                          )}
                        </td>
                        <td>
                          <ul className="admin-plain-list">
                            {e.subject && (
                              <li>
                                {t('admin.audit.target.user')} <Link to={`/admin/users/${seg(e.subject)}`}>{e.subject}</Link>
                              </li>
                            )}
                            {e.client_id && (
                              <li>
                                {t('admin.audit.target.client')} <Link to={`/admin/clients/${seg(e.client_id)}`}>{e.client_id}</Link>
                              </li>
                            )}
                          </ul>
                        </td>
                        <td>{e.ip ?? <span className="muted">—</span>}</td>
                        <td>
                          <ul className="admin-plain-list">
                            {Object.entries(e.details ?? {}).map(([k, v]) => (
                              <li key={k}>
                                <span className="muted">{k}:</span> {detailText(v)}
                              </li>
                            ))}
                          </ul>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <LoadMore list={list} />
            </>
          )
        }
      </QueryState>
    </>
  );
}
