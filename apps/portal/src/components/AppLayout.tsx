import type { ReactNode } from 'react';
import { NavLink } from 'react-router';
import { forgetTokens, logoutRequest, signedInUser } from '../auth/session';
import { useI18n } from '../i18n/i18n';
import { LanguagePicker, SkipLink } from './PageChrome';

/*
 * The signed-in frame lives apart from the sign-in pages' components: it brings the OAuth
 * client code (auth/session, oauth4webapi), which the login page does not need to load.
 */

/** RP-initiated logout as a POST form: the ID token hint never goes into a URL. */
export function SignOutButton() {
  const { t } = useI18n();
  const { action, fields } = logoutRequest();
  return (
    <form method="post" action={action} onSubmit={() => forgetTokens()} className="sign-out">
      {Object.entries(fields).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <button type="submit" className="btn btn-secondary">
        {t('app.signOut')}
      </button>
    </form>
  );
}

/** The signed-in screens (account, admin console): header, navigation, content. */
export function AppLayout({ children, nav }: { children: ReactNode; nav?: ReactNode }) {
  const { t } = useI18n();
  const user = signedInUser();
  const name = (user?.['name'] as string | undefined) ?? (user?.['email'] as string | undefined) ?? user?.sub;
  return (
    <div className="app-layout">
      <SkipLink />
      <header className="app-header">
        <span className="brand">
          <span className="brand-mark" aria-hidden="true" />
          {t('app.name')}
        </span>
        <nav aria-label={t('app.nav.label')} className="app-nav">
          <NavLink to="/account">{t('app.nav.account')}</NavLink>
          <NavLink to="/admin">{t('app.nav.admin')}</NavLink>
        </nav>
        <div className="app-header-end">
          {name && <span className="signed-in-as">{t('app.signedInAs', { name })}</span>}
          <LanguagePicker />
          <SignOutButton />
        </div>
      </header>
      <div className="app-body">
        {nav}
        <main id="main" className="app-main">
          {children}
        </main>
      </div>
    </div>
  );
}
