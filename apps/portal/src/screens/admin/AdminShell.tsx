import { useState } from 'react';
import { Link, Outlet } from 'react-router';
import { RequireToken } from '../../auth/RequireToken';
import { heldToken } from '../../auth/session';
import { Alert, PageTitle } from '../../components';
import { AppLayout } from '../../components/AppLayout';
import { useT } from '../../i18n/i18n';
import { accessOf, AdminAccessContext } from './access';
import { AdminNav } from './AdminNav';
import './admin.css';

/**
 * `/admin/*`: the admin token is asked for only now (RequireToken), and its granted scope decides
 * what is shown. The token service grants the admin scopes only to holders of the admin role, so
 * a token without either means "not an administrator": a page that says so, not a console that
 * fails at every call.
 */
export default function AdminShell() {
  return (
    <RequireToken purpose="admin">
      <AdminConsole />
    </RequireToken>
  );
}

function AdminConsole() {
  // Read once: the token is renewed (with the same scopes) while the console stays open.
  const [access] = useState(() => accessOf(heldToken('admin')?.scope ?? []));
  if (!access.read && !access.write) return <NoAccess />;
  return (
    <AdminAccessContext.Provider value={access}>
      <AppLayout nav={<AdminNav readOnly={!access.write} />}>
        <Outlet />
      </AppLayout>
    </AdminAccessContext.Provider>
  );
}

function NoAccess() {
  const t = useT();
  return (
    <AppLayout>
      <PageTitle>{t('admin.title')}</PageTitle>
      <Alert tone="error">
        <p>{t('auth.adminDenied')}</p>
      </Alert>
      <p>{t('admin.denied.body')}</p>
      <p>
        <Link to="/account">{t('notFound.home')}</Link>
      </p>
    </AppLayout>
  );
}
