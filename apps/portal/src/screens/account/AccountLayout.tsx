import { Outlet } from 'react-router';
import { RequireToken } from '../../auth/RequireToken';
import { AppLayout } from '../../components/AppLayout';
import { AccountNav } from './AccountNav';
import './account.css';

/** Every account page: behind the account token, in the app frame with the account's side navigation. */
export default function AccountLayout() {
  return (
    <RequireToken purpose="account">
      <AppLayout nav={<AccountNav />}>
        <Outlet />
      </AppLayout>
    </RequireToken>
  );
}
