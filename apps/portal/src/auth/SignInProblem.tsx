import { useCallback, useState } from 'react';
import { AuthLayout, Button, PageTitle } from '../components';
import { Alert } from '../components/Alert';
import type { Translate } from '../i18n/i18n';
import { signIn, signInError, type SignInError, type SignInOptions, type TokenPurpose } from './session';

/** What to tell the person about a sign-in that failed, in their language where the cause is known. */
export function describeSignInFailure(t: Translate, error: SignInError): string {
  switch (error.code) {
    case 'network_error':
      return t('error.network');
    case 'invalid_response':
      // A check of the server's answer failed: its technical wording helps no one here.
      return t('auth.failed.body', { reason: t('error.server') });
    case 'wrong_host':
      return error.issuer ? t('auth.failed.wrongHost', { here: window.location.origin, issuer: error.issuer }) : t('auth.failed.body', { reason: error.description });
    default:
      return t('auth.failed.body', { reason: error.description || error.code });
  }
}

/**
 * Starting a sign-in that may fail before the page leaves (discovery unreachable, the page
 * opened at another host name): the failure is kept for the page to show, never left as an
 * endless "Redirecting…". `attempt` changes at each failure, so a repeated one can be re-said.
 */
export function useSignInAttempt(initial: SignInError | null = null) {
  const [failure, setFailure] = useState<SignInError | null>(initial);
  const [busy, setBusy] = useState(false);
  const [attempt, setAttempt] = useState(0);
  const fail = useCallback((error: SignInError) => {
    setFailure(error);
    setBusy(false);
    setAttempt((n) => n + 1);
  }, []);
  const start = useCallback(
    (purpose: TokenPurpose, options?: SignInOptions) => {
      setBusy(true);
      signIn(purpose, options).catch((err: unknown) => fail(signInError(err, purpose, options?.returnTo)));
    },
    [fail],
  );
  return { failure, busy, attempt, start, fail };
}

/** A sign-in that could not go on: what happened, and one button to try again. */
export function SignInProblem({ title, message, action, onAction, busy }: { title: string; message: string; action: string; onAction: () => void; busy: boolean }) {
  return (
    <AuthLayout>
      <PageTitle>{title}</PageTitle>
      <Alert>{message}</Alert>
      <Button onClick={onAction} busy={busy}>
        {action}
      </Button>
    </AuthLayout>
  );
}
