import type { ReactNode } from 'react';
import { NavLink } from 'react-router';
import { forgetTokens, logoutRequest, signedInUser } from '../auth/session';
import { useI18n } from '../i18n/i18n';
import { Announcer } from './Announcer';
import { LanguagePicker, SkipLink } from './PageChrome';

/*
 * The signed-in frame lives apart from the sign-in pages' components: it brings the OAuth
 * client code (auth/session, oauth4webapi), which the login page does not need to load.
 */

/**
 * RP-initiated logout as a POST form, so the ID token hint never goes into a URL. The form is
 * built at the click and submitted at once: the ID token is in the DOM only at that moment,
 * not in a hidden field of every page (where any script or extension reading the page finds it).
 */
export function SignOutButton() {
  const { t } = useI18n();
  const signOut = () => {
    const { action, fields } = logoutRequest();
    const form = document.createElement('form');
    form.method = 'post';
    form.action = action;
    form.hidden = true;
    for (const [name, value] of Object.entries(fields)) {
      const input = document.createElement('input');
      input.type = 'hidden';
      input.name = name;
      input.value = value;
      form.append(input);
    }
    document.body.append(form);
    forgetTokens();
    form.submit();
  };
  return (
    <button type="button" className="btn btn-secondary" onClick={signOut}>
      {t('app.signOut')}
    </button>
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
      <Announcer />
    </div>
  );
}
