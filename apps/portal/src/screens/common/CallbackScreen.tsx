import { useEffect, useState } from 'react';
import { useNavigate } from 'react-router';
import { completeSignIn, signIn, SignInError } from '../../auth/session';
import { AuthLayout, Button, Loading, PageTitle } from '../../components';
import { Alert } from '../../components/Alert';
import { useT } from '../../i18n/i18n';

/** `/callback`: the authorization response comes back here; the code is redeemed in this page. */
export function CallbackScreen() {
  const t = useT();
  const navigate = useNavigate();
  const [failure, setFailure] = useState<SignInError | null>(null);
  useEffect(() => {
    let cancelled = false;
    completeSignIn(new URL(window.location.href))
      .then(({ returnTo }) => {
        if (!cancelled) void navigate(returnTo, { replace: true });
      })
      .catch((err: unknown) => {
        if (!cancelled) setFailure(err instanceof SignInError ? err : new SignInError('server_error', String((err as Error)?.message ?? err)));
      });
    return () => {
      cancelled = true;
    };
    // Runs once per arrival: the response is single-use.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  if (!failure) return <Loading label={t('auth.completing')} />;
  return (
    <AuthLayout>
      <PageTitle>{t('auth.failed.title')}</PageTitle>
      <Alert>{t('auth.failed.body', { reason: failure.description || failure.code })}</Alert>
      <Button onClick={() => void signIn(failure.purpose ?? 'account', { returnTo: failure.returnTo })}>{t('auth.failed.again')}</Button>
    </AuthLayout>
  );
}
