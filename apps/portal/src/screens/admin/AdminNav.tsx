import { NavLink } from 'react-router';
import type { MessageKey } from '../../i18n/catalogs';
import { useT } from '../../i18n/i18n';

const PAGES: Array<[string, MessageKey]> = [
  ['/admin/clients', 'admin.nav.clients'],
  ['/admin/users', 'admin.nav.users'],
  ['/admin/idps', 'admin.nav.idps'],
  ['/admin/keys', 'admin.nav.keys'],
  ['/admin/audit', 'admin.nav.audit'],
  ['/admin/deliveries', 'admin.nav.deliveries'],
];

/** The console's sections; NavLink marks the current one (aria-current="page"). */
export function AdminNav({ readOnly }: { readOnly: boolean }) {
  const t = useT();
  return (
    <nav className="side-nav" aria-label={t('admin.nav.label')}>
      <ul>
        {PAGES.map(([to, key]) => (
          <li key={to}>
            <NavLink to={to}>{t(key)}</NavLink>
          </li>
        ))}
      </ul>
      {readOnly && <p className="admin-readonly muted">{t('admin.readOnly')}</p>}
    </nav>
  );
}
