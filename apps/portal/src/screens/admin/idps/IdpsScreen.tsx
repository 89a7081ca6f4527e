import { useQuery } from '@tanstack/react-query';
import { Link, useLocation } from 'react-router';
import { adminApi } from '../../../api/bearer-api';
import { Alert, EmptyState, PageTitle } from '../../../components';
import { useT } from '../../../i18n/i18n';
import { useAdminAccess } from '../access';
import { seg } from '../lib/text';
import { Badge } from '../ui/Details';
import { QueryState } from '../ui/QueryState';
import { IDPS_KEY, type IdpView } from './idp-types';

/** `/admin/idps`: the upstream OpenID providers people may sign in with. */
export default function IdpsScreen() {
  const t = useT();
  const { write } = useAdminAccess();
  const deleted = (useLocation().state as { deleted?: string } | null)?.deleted;
  const query = useQuery({ queryKey: IDPS_KEY, queryFn: () => adminApi.get<IdpView[]>('/upstream-idps') });
  return (
    <>
      <PageTitle>{t('admin.idps.title')}</PageTitle>
      {deleted && <Alert tone="success">{t('admin.idps.deleted', { name: deleted })}</Alert>}
      <div className="admin-toolbar">
        <p className="muted">{t('admin.idps.intro')}</p>
        {write && (
          <Link className="btn btn-primary" to="/admin/idps/new">
            {t('admin.idps.new')}
          </Link>
        )}
      </div>
      <QueryState query={query}>
        {(idps) =>
          idps.length === 0 ? (
            <EmptyState title={t('admin.idps.empty')}>{write && <p>{t('admin.idps.empty.hint')}</p>}</EmptyState>
          ) : (
            <div className="admin-table-wrap" role="region" aria-label={t('admin.idps.title')} tabIndex={0}>
              <table className="data">
                <caption className="visually-hidden">{t('admin.idps.title')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('admin.idps.form.name')}</th>
                    <th scope="col">{t('admin.idps.form.id')}</th>
                    <th scope="col">{t('admin.idps.form.issuer')}</th>
                    <th scope="col">{t('admin.col.status')}</th>
                  </tr>
                </thead>
                <tbody>
                  {idps.map((idp) => (
                    <tr key={idp.id}>
                      <td>
                        <Link to={`/admin/idps/${seg(idp.id)}`}>{idp.display_name}</Link>
                      </td>
                      <td>
                        <code>{idp.id}</code>
                      </td>
                      <td>
                        <code>{idp.issuer}</code>
                      </td>
                      <td>{idp.enabled ? <Badge tone="success">{t('admin.status.enabled')}</Badge> : <Badge tone="danger">{t('admin.status.disabled')}</Badge>}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </QueryState>
    </>
  );
}
