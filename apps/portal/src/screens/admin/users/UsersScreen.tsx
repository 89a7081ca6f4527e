import { Link, useSearchParams } from 'react-router';
import { EmptyState, PageTitle } from '../../../components';
import { useT } from '../../../i18n/i18n';
import { useCursorList } from '../lib/cursor-list';
import { Time } from '../lib/dates';
import { seg } from '../lib/text';
import { Badge } from '../ui/Details';
import { SelectField } from '../ui/Fields';
import { LoadMore } from '../ui/LoadMore';
import { QueryState } from '../ui/QueryState';
import { SearchForm } from '../ui/SearchForm';
import { ADMIN_ROLE, USER_STATUSES, type UserStatus, type UserView } from './user-types';
import { UserStatusBadge } from './UserStatusBadge';

/** `/admin/users?q=&status=`: newest first; `q` is an email prefix or a whole subject identifier. */
export default function UsersScreen() {
  const t = useT();
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const statusParam = params.get('status') ?? '';
  const status = (USER_STATUSES as readonly string[]).includes(statusParam) ? (statusParam as UserStatus) : '';
  const list = useCursorList<UserView>(['admin', 'users'], '/users', { q: q || undefined, status: status || undefined });
  const update = (next: { q?: string; status?: string }) => {
    const merged = { q, status, ...next };
    setParams(Object.fromEntries(Object.entries(merged).filter(([, v]) => v)));
  };

  return (
    <>
      <PageTitle>{t('admin.users.title')}</PageTitle>
      <div className="admin-toolbar">
        <SearchForm key={q} label={t('admin.users.search')} hint={t('admin.users.search.hint')} initial={q} onSearch={(value) => update({ q: value })} />
        <SelectField
          label={t('admin.col.status')}
          value={status}
          onChange={(e) => update({ status: e.target.value })}
          options={[{ value: '', label: t('admin.users.status.all') }, ...USER_STATUSES.map((s) => ({ value: s, label: t(`admin.users.status.${s}`) }))]}
        />
      </div>
      <QueryState query={list}>
        {() =>
          list.items.length === 0 ? (
            <EmptyState title={q || status ? t('admin.users.noMatch') : t('admin.users.empty')} />
          ) : (
            <>
              <div className="admin-table-wrap" role="region" aria-label={t('admin.users.title')} tabIndex={0}>
                <table className="data">
                  <caption className="visually-hidden">{t('admin.users.title')}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{t('admin.users.col.email')}</th>
                      <th scope="col">{t('admin.col.status')}</th>
                      <th scope="col">{t('admin.users.col.roles')}</th>
                      <th scope="col">{t('admin.col.created')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {list.items.map((u) => (
                      <tr key={u.sub}>
                        <td>
                          <Link to={`/admin/users/${seg(u.sub)}`}>{u.email}</Link>
                          {!u.email_verified && <span className="muted"> {t('admin.users.unverified')}</span>}
                        </td>
                        <td>
                          <UserStatusBadge status={u.status} />
                        </td>
                        <td>{u.roles.includes(ADMIN_ROLE) ? <Badge>{t('admin.users.role.admin')}</Badge> : <span className="muted">{t('admin.none')}</span>}</td>
                        <td className="admin-nowrap">
                          <Time value={u.created_at} />
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
