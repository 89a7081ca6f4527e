import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { adminApi } from '../../../api/bearer-api';
import { PageTitle } from '../../../components';
import { useT } from '../../../i18n/i18n';
import { useAdminAccess } from '../access';
import { Time } from '../lib/dates';
import { seg } from '../lib/text';
import { Details } from '../ui/Details';
import { QueryState } from '../ui/QueryState';
import { UserRolesSection, UserSecuritySection, UserStatusSection } from './UserActions';
import { UserSessions } from './UserSessions';
import { userKey, type UserView } from './user-types';
import { UserStatusBadge } from './UserStatusBadge';

/** `/admin/users/:sub`: a person's account, its status and roles, their sessions. */
export default function UserScreen() {
  const t = useT();
  const { sub = '' } = useParams();
  const query = useQuery({ queryKey: userKey(sub), queryFn: () => adminApi.get<UserView>(`/users/${seg(sub)}`) });
  return (
    <>
      <PageTitle>{query.data?.email ?? t('admin.users.user')}</PageTitle>
      <p>
        <Link to="/admin/users">{t('admin.users.back')}</Link>
      </p>
      <QueryState query={query}>{(user) => <UserPage user={user} />}</QueryState>
    </>
  );
}

/** Claims as text: a structured claim (an address) as its parts, never raw JSON. */
function claimText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => (Array.isArray(value) ? claimText(v) : `${k}: ${claimText(v)}`))
      .join(', ');
  }
  return String(value);
}

function UserPage({ user }: { user: UserView }) {
  const t = useT();
  const { write } = useAdminAccess();
  const claims = Object.entries(user.claims ?? {}).filter(([name]) => name !== 'email' && name !== 'email_verified');
  return (
    <>
      <section className="section" aria-labelledby="user-profile">
        <h2 id="user-profile">{t('admin.users.profile')}</h2>
        <Details
          rows={[
            [t('admin.users.col.email'), user.email],
            [t('admin.users.emailVerified'), user.email_verified ? t('admin.yes') : t('admin.no')],
            [t('admin.users.sub'), <code key="sub">{user.sub}</code>],
            [t('admin.col.status'), <UserStatusBadge key="status" status={user.status} />],
            [t('admin.users.password'), user.has_password ? t('admin.users.password.set') : t('admin.users.password.none')],
            [t('admin.col.created'), <Time key="created" value={user.created_at} />],
            [t('admin.users.updated'), <Time key="updated" value={user.updated_at} />],
            ...claims.map(([name, value]): [string, string] => [name, claimText(value)]),
          ]}
        />
      </section>
      {write && <UserStatusSection user={user} />}
      <UserRolesSection user={user} />
      {write && <UserSecuritySection user={user} />}
      <UserSessions sub={user.sub} />
    </>
  );
}
