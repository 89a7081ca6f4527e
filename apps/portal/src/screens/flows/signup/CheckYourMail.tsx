import { useCallback, useEffect, useState } from 'react';
import { useNavigate } from 'react-router';
import { isApiError } from '../../../api/api-error';
import { AuthLayout, Button, ErrorAlert, Notice, PageTitle, useNoticeState } from '../../../components';
import { useT } from '../../../i18n/i18n';
import { navigateTo } from '../../../navigation/navigate-to';
import { signupApi } from './signup-api';

/** While the page waits for the address to be confirmed (in another tab), it asks now and then. */
export const CHECK_EVERY_MS = 5000;

/**
 * "Check your mail". With a login challenge, the sign-in goes on by itself once the address is
 * confirmed (the page checks every few seconds, and on request).
 */
export function CheckYourMail({ email, challenge, onExpired }: { email: string; challenge?: string; onExpired(): void }) {
  const t = useT();
  const navigate = useNavigate();
  // Said again at each "not yet" answer (a new notice each time).
  const { notice: notYet, show: showNotYet } = useNoticeState<true>();
  const [checking, setChecking] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [leaving, setLeaving] = useState(false);

  const check = useCallback(
    async (asked: boolean) => {
      if (!challenge) return;
      if (asked) setChecking(true);
      try {
        const step = await signupApi.continue(challenge);
        setError(null);
        if ('redirect_to' in step) {
          setLeaving(true);
          navigateTo(step.redirect_to);
        } else if ('factors' in step) {
          // The application asks for a second factor: the login page asks for it.
          void navigate(`/login?${new URLSearchParams({ login_challenge: challenge, next: 'second_factor' })}`);
        } else if (asked) {
          showNotYet(true);
        }
      } catch (err) {
        if (isApiError(err, 'not_found')) onExpired();
        else if (asked) setError(err);
      } finally {
        if (asked) setChecking(false);
      }
    },
    [challenge, navigate, onExpired, showNotYet],
  );

  useEffect(() => {
    if (!challenge || leaving) return;
    const timer = window.setInterval(() => void check(false), CHECK_EVERY_MS);
    return () => window.clearInterval(timer);
  }, [challenge, check, leaving]);

  return (
    <AuthLayout>
      <PageTitle>{t('signup.checkMail.title')}</PageTitle>
      <div className="stack">
        <p>{t('signup.checkMail.body', { email })}</p>
        <p className="muted">{t('signup.checkMail.spam')}</p>
        {challenge ? <p>{t('signup.checkMail.continue')}</p> : <p>{t('signup.checkMail.thenSignIn')}</p>}
        {notYet && (
          <Notice key={notYet.id} tone="info">
            {t('signup.checkMail.notYet')}
          </Notice>
        )}
        <ErrorAlert error={error} />
        {challenge && (
          <Button busy={checking || leaving} onClick={() => void check(true)}>
            {t('signup.checkMail.confirmed')}
          </Button>
        )}
      </div>
    </AuthLayout>
  );
}
