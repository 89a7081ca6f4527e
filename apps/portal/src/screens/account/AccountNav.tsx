import { NavLink } from 'react-router';
import type { MessageKey } from '../../i18n/catalogs';
import { useT } from '../../i18n/i18n';

const PAGES: Array<{ to: string; label: MessageKey; end?: boolean }> = [
  { to: '/account', label: 'account.nav.profile', end: true },
  { to: '/account/security', label: 'account.nav.security' },
  { to: '/account/linked', label: 'account.nav.linked' },
  { to: '/account/sessions', label: 'account.nav.sessions' },
  { to: '/account/apps', label: 'account.nav.apps' },
  { to: '/account/delete', label: 'account.nav.delete' },
];

/** The account pages; NavLink marks the current one (`aria-current="page"`). */
export function AccountNav() {
  const t = useT();
  return (
    <nav className="side-nav" aria-label={t('account.nav.label')}>
      <ul>
        {PAGES.map((page) => (
          <li key={page.to}>
            <NavLink to={page.to} end={page.end}>
              {t(page.label)}
            </NavLink>
          </li>
        ))}
      </ul>
    </nav>
  );
}
