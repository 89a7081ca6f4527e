import { useState } from 'react';
import { AuthLayout, Button, ErrorAlert, PageTitle } from '../../../components';
import { useT } from '../../../i18n/i18n';
import { loginApi, type PendingLink } from './login-api';

/**
 * After signing in to the local account an upstream sign-in matched: link the two, or not. Either
 * way the sign-in itself is done, and the page then goes back to the application.
 */
export function LinkConfirmStep({ pending, redirectTo, onDone }: { pending?: PendingLink; redirectTo: string; onDone(redirectTo: string): void }) {
  const t = useT();
  const [busy, setBusy] = useState<'confirm' | 'skip' | null>(null);
  const [error, setError] = useState<unknown>(null);
  const idp = pending?.idp.name ?? '';

  async function answer(confirm: boolean) {
    setBusy(confirm ? 'confirm' : 'skip');
    setError(null);
    try {
      await (confirm ? loginApi.confirmLink() : loginApi.cancelLink());
    } catch (err) {
      if (confirm) {
        setBusy(null);
        return setError(err);
      }
      // Not linking needs nothing from the service: a pending link expires by itself.
    }
    onDone(redirectTo);
  }

  return (
    <AuthLayout>
      <PageTitle>{t('login.link.confirmTitle', { idp })}</PageTitle>
      <p>{pending?.email ? t('login.link.confirmBody', { idp, email: pending.email }) : t('login.link.confirmBodyNoEmail', { idp })}</p>
      <ErrorAlert error={error} />
      {/* The button pressed is busy, not disabled: a disabled button would drop focus to the body. */}
      <div className="actions">
        <Button busy={busy === 'confirm'} disabled={busy === 'skip'} onClick={() => void answer(true)}>
          {t('login.link.confirm', { idp })}
        </Button>
        <Button variant="secondary" busy={busy === 'skip'} disabled={busy === 'confirm'} onClick={() => void answer(false)}>
          {t('login.link.skip')}
        </Button>
      </div>
    </AuthLayout>
  );
}
