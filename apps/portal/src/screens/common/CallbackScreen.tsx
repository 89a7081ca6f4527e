import { useEffect } from 'react';
import { useNavigate } from 'react-router';
import { completeSignIn, signInError, type TokenPurpose } from '../../auth/session';
import { describeSignInFailure, SignInProblem, useSignInAttempt } from '../../auth/SignInProblem';
import { Loading } from '../../components';
import { useT } from '../../i18n/i18n';

/**
 * The callback URL being handled, and its result: the response is single-use, and StrictMode
 * runs the effect twice in development, whose second run would fail with invalid_state.
 */
let handling: { url: string; result: Promise<{ purpose: TokenPurpose; returnTo: string }> } | undefined;

function completeOnce(url: string) {
  if (handling?.url !== url) handling = { url, result: completeSignIn(new URL(url)) };
  return handling.result;
}

/** `/callback`: the authorization response comes back here; the code is redeemed in this page. */
export function CallbackScreen() {
  const t = useT();
  const navigate = useNavigate();
  const { failure, busy, attempt, start, fail } = useSignInAttempt();
  useEffect(() => {
    let cancelled = false;
    completeOnce(window.location.href)
      .then(({ returnTo }) => {
        if (!cancelled) void navigate(returnTo, { replace: true });
      })
      .catch((err: unknown) => {
        if (!cancelled) fail(signInError(err));
      });
    return () => {
      cancelled = true;
    };
  }, [navigate, fail]);
  if (!failure) return <Loading label={t('auth.completing')} />;
  return (
    <SignInProblem
      key={attempt}
      title={t('auth.failed.title')}
      message={describeSignInFailure(t, failure)}
      action={t('auth.failed.again')}
      // Back to where the person was going (never this callback: safeReturnTo refuses it).
      onAction={() => start(failure.purpose ?? 'account', { returnTo: failure.returnTo })}
      busy={busy}
    />
  );
}
