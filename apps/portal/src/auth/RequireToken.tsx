import { useEffect, useState, useSyncExternalStore, type ReactNode } from 'react';
import { Loading } from '../components/Loading';
import { useT } from '../i18n/i18n';
import { heldToken, isRenewalStuck, subscribeRenewal, type TokenPurpose } from './session';
import { describeSignInFailure, SignInProblem, useSignInAttempt } from './SignInProblem';

/**
 * Renders its children once this page holds a token for the purpose; otherwise sends the browser
 * to the authorization endpoint (silent when an OP session exists: the portal skips consent).
 * When the page cannot leave (issuer unreachable, wrong host name), or a renewal keeps being
 * refused, it says so and offers to sign in again instead of "Redirecting…" forever.
 */
export function RequireToken({ purpose, children }: { purpose: TokenPurpose; children: ReactNode }) {
  const t = useT();
  const [ready] = useState(() => heldToken(purpose) !== undefined);
  const { failure, busy, attempt, start } = useSignInAttempt();
  const stuck = useSyncExternalStore(subscribeRenewal, () => isRenewalStuck(purpose));
  useEffect(() => {
    if (!ready) start(purpose);
  }, [ready, purpose, start]);
  if (failure) {
    return (
      <SignInProblem
        key={attempt}
        title={t('auth.failed.title')}
        message={describeSignInFailure(t, failure)}
        action={t('auth.failed.again')}
        onAction={() => start(purpose)}
        busy={busy}
      />
    );
  }
  if (stuck) {
    return (
      <SignInProblem
        title={t('auth.renewFailed.title')}
        message={t('auth.renewFailed.body')}
        action={t('auth.failed.again')}
        // A fresh sign-in, not another silent renewal: the silent one is what kept failing.
        onAction={() => start(purpose, { prompt: 'login' })}
        busy={busy}
      />
    );
  }
  return ready ? children : <Loading label={t('auth.redirecting')} />;
}
