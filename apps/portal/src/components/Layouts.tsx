import type { ReactNode } from 'react';
import { NavLink } from 'react-router';
import { forgetTokens, logoutRequest, signedInUser } from '../auth/session';
import { LOCALE_NAMES, LOCALES, type Locale } from '../i18n/catalogs';
import { useI18n } from '../i18n/i18n';

function LanguagePicker() {
  const { locale, setLocale, t } = useI18n();
  return (
    <label className="language-picker">
      <span className="visually-hidden">{t('app.language')}</span>
      <select value={locale} onChange={(e) => setLocale(e.target.value as Locale)}>
        {LOCALES.map((l) => (
          <option key={l} value={l} lang={l}>
            {LOCALE_NAMES[l]}
          </option>
        ))}
      </select>
    </label>
  );
}

function SkipLink() {
  const { t } = useI18n();
  return (
    <a className="skip-link" href="#main">
      {t('app.skipToContent')}
    </a>
  );
}

/** The sign-in, consent and sign-up screens: one card in the middle of the page. */
export function AuthLayout({ children, wide = false }: { children: ReactNode; wide?: boolean }) {
  const { t } = useI18n();
  return (
    <div className="auth-layout">
      <SkipLink />
      <header className="auth-header">
        <span className="brand" aria-hidden="true">
          <span className="brand-mark" />
          {t('app.name')}
        </span>
        <LanguagePicker />
      </header>
      <main id="main" className={wide ? 'auth-card auth-card-wide' : 'auth-card'}>
        {children}
      </main>
    </div>
  );
}

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
