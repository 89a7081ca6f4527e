import type { ReactNode } from 'react';
import { useI18n } from '../i18n/i18n';
import { Announcer } from './Announcer';
import { LanguagePicker, SkipLink } from './PageChrome';

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
      <Announcer />
    </div>
  );
}

