import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useLocation } from 'react-router';
import { isApiError } from '../../api/api-error';
import { describeSignInFailure, useSignInAttempt } from '../../auth/SignInProblem';
import { Alert, Button, ErrorAlert, TextField } from '../../components';
import { useT } from '../../i18n/i18n';
import { useProfile } from './account-api';
import { useFormat } from './format';
import type { Reauthentication } from './sensitive';

/** The server's usual window for a recent sign-in, when it does not say. */
const DEFAULT_MAX_AGE = 300;

/**
 * "Confirm it's you": the change needs a recent sign-in. Either the current password (sent with
 * the same change), or a new sign-in at most `max_age` old that brings the person back here.
 */
export function ReauthPrompt({ reauth, error, busy }: { reauth: Reauthentication; error: unknown; busy: boolean }) {
  const t = useT();
  const format = useFormat();
  const location = useLocation();
  const profile = useProfile();
  const titleId = useId();
  const heading = useRef<HTMLHeadingElement>(null);
  const [password, setPassword] = useState('');
  const [missing, setMissing] = useState(false);
  // A sign-in that cannot start (the issuer unreachable) says so instead of spinning forever.
  const signInAgain = useSignInAttempt();

  // The prompt replaces what the person was looking at: take them (and a screen reader) to it.
  useEffect(() => heading.current?.focus(), []);

  const hasPassword = profile.data?.has_password ?? false;
  const wrongPassword = isApiError(error, 'invalid_credentials');
  const otherError = error && !isApiError(error, 'reauthentication_required') && !wrongPassword ? error : null;
  const maxAge = reauth.maxAge ?? DEFAULT_MAX_AGE;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setMissing(!password);
    if (password) reauth.withPassword(password);
  };

  return (
    <div className="reauth" role="group" aria-labelledby={titleId}>
      <h3 id={titleId} ref={heading} tabIndex={-1}>
        {t('account.reauth.title')}
      </h3>
      <p>{t('account.reauth.body', { duration: format.duration(maxAge) })}</p>
      <ErrorAlert error={otherError} />
      {signInAgain.failure && <Alert key={signInAgain.attempt}>{describeSignInFailure(t, signInAgain.failure)}</Alert>}
      {hasPassword && (
        <form onSubmit={submit} noValidate className="reauth-password">
          <TextField
            label={t('account.reauth.password')}
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            error={missing ? t('field.required') : wrongPassword ? t('account.reauth.wrongPassword') : undefined}
          />
          <Button type="submit" busy={busy}>
            {t('account.reauth.confirm')}
          </Button>
        </form>
      )}
      {hasPassword && <p className="divider">{t('account.reauth.or')}</p>}
      <div className="actions">
        <Button
          variant={hasPassword ? 'secondary' : 'primary'}
          onClick={() => signInAgain.start('account', { maxAge, returnTo: `${location.pathname}${location.search}` })}
          busy={signInAgain.busy}
        >
          {t('account.reauth.signIn')}
        </Button>
        <Button variant="link" onClick={reauth.cancel}>
          {t('action.cancel')}
        </Button>
      </div>
      <p className="field-hint">{t('account.reauth.signIn.hint')}</p>
    </div>
  );
}
