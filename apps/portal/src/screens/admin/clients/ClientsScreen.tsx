import { Link, useLocation, useSearchParams } from 'react-router';
import { Alert, EmptyState, PageTitle } from '../../../components';
import { useT } from '../../../i18n/i18n';
import { useAdminAccess } from '../access';
import { useCursorList } from '../lib/cursor-list';
import { Time } from '../lib/dates';
import { seg } from '../lib/text';
import { LoadMore } from '../ui/LoadMore';
import { QueryState } from '../ui/QueryState';
import { SearchForm } from '../ui/SearchForm';
import { ClientStatusBadge, ClientTypeBadges } from './ClientBadges';
import type { ClientView } from './client-types';

/** `/admin/clients?q=`: every client in id order, searched by id or name, a page at a time. */
export default function ClientsScreen() {
  const t = useT();
  const { write } = useAdminAccess();
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const list = useCursorList<ClientView>(['admin', 'clients'], '/clients', { q: q || undefined });
  const deleted = (useLocation().state as { deleted?: string } | null)?.deleted;

  return (
    <>
      <PageTitle>{t('admin.clients.title')}</PageTitle>
      {deleted && <Alert tone="success">{t('admin.clients.deleted', { name: deleted })}</Alert>}
      <div className="admin-toolbar">
        <SearchForm key={q} label={t('admin.clients.search')} hint={t('admin.clients.search.hint')} initial={q} onSearch={(value) => setParams(value ? { q: value } : {})} />
        {write && (
          <Link className="btn btn-primary" to="/admin/clients/new">
            {t('admin.clients.new')}
          </Link>
        )}
      </div>
      <QueryState query={list}>
        {() =>
          list.items.length === 0 ? (
            <EmptyState title={q ? t('admin.clients.noMatch', { q }) : t('admin.clients.empty')}>
              {!q && write && <p>{t('admin.clients.empty.hint')}</p>}
            </EmptyState>
          ) : (
            <>
              <div className="admin-table-wrap" role="region" aria-label={t('admin.clients.title')} tabIndex={0}>
                <table className="data">
                  <caption className="visually-hidden">{t('admin.clients.title')}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{t('admin.clients.col.name')}</th>
                      <th scope="col">{t('admin.clients.col.id')}</th>
                      <th scope="col">{t('admin.clients.col.type')}</th>
                      <th scope="col">{t('admin.col.status')}</th>
                      <th scope="col">{t('admin.col.created')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {list.items.map((c) => (
                      <tr key={c.client_id}>
                        <td>
                          <Link to={`/admin/clients/${seg(c.client_id)}`}>{c.client_name || c.client_id}</Link>
                        </td>
                        <td>
                          <code>{c.client_id}</code>
                        </td>
                        <td>
                          <ClientTypeBadges client={c} />
                        </td>
                        <td>
                          <ClientStatusBadge client={c} />
                        </td>
                        <td className="admin-nowrap">
                          <Time value={c.client_id_issued_at} />
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
