import { useCallback, useState } from 'react';
import { Link } from 'react-router';
import { Alert, AuthLayout } from '../../../components';
import { useT } from '../../../i18n/i18n';
import '../flows.css';
import { CancelSignIn } from './CancelSignIn';
import { ClientHeading } from './ClientHeading';
import { ContinueAs } from './ContinueAs';
import { describePasskeyError, describeUpstreamError } from './login-errors';
import type { LoginStep, LoginView } from './login-api';
import { LinkNotice } from './LinkNotice';
import { PasskeyButton } from './PasskeyButton';
import { passkeysSupported } from './passkeys';
import { PasswordForm } from './PasswordForm';
import { UpstreamButtons } from './UpstreamButtons';
import { usePasskeyAutofill } from './use-passkey-autofill';
import type { PendingLinkState } from './use-pending-link';

export interface StepProps {
  challenge: string;
  view: LoginView;
  onStep(step: LoginStep): void;
  /** Errors every step shares (a dead challenge, an ended login session); true when handled. */
  onFlowError(error: unknown): boolean;
  onLeave(redirectTo: string): void;
}

/** The first step: continue as the signed-in person, or sign in with a password, a passkey, or an identity provider. */
export function SignInStep({ challenge, view, onStep, onFlowError, onLeave, ended, upstreamError, link }: StepProps & { ended?: boolean; upstreamError: string | null; link: PendingLinkState }) {
  const t = useT();
  const linking = link.pending !== undefined;
  // Linking needs a sign-in now (the service refuses an older one as proof), so no "continue as" then.
  const offerContinue = view.can_continue && !!view.session && !ended && !linking;
  const [anotherAccount, setAnotherAccount] = useState(false);
  const [remember, setRemember] = useState(false);
  const [autofillRound, setAutofillRound] = useState(0);
  const [methodError, setMethodError] = useState<string | null>(null);
  const methods = view.methods.map((m) => m.type);
  const showForm = !offerContinue || anotherAccount;
  const passkeys = methods.includes('passkey') && passkeysSupported();

  const retryAutofill = useCallback(() => setAutofillRound((n) => n + 1), []);
  const failed = useCallback(
    (message: string) => {
      setMethodError(message);
      retryAutofill();
    },
    [retryAutofill],
  );
  const autofillFailed = useCallback(
    (error: unknown) => {
      if (!onFlowError(error)) failed(describePasskeyError(t, error));
    },
    [onFlowError, failed, t],
  );
  usePasskeyAutofill({ enabled: showForm && passkeys && methods.includes('password'), challenge, remember, onStep, onError: autofillFailed, round: autofillRound });

  const emailHint = link.pending?.email ?? view.login_hint ?? view.session?.email ?? '';
  return (
    <AuthLayout>
      <ClientHeading view={view} title={t('login.title')} />
      {ended && <Alert tone="warning">{t('login.ended')}</Alert>}
      {upstreamError && <Alert>{describeUpstreamError(t, upstreamError)}</Alert>}
      <LinkNotice link={link} />
      {methodError && <Alert>{methodError}</Alert>}
      {offerContinue && !anotherAccount ? (
        <ContinueAs challenge={challenge} view={view} onStep={onStep} onFlowError={onFlowError} onAnotherAccount={() => setAnotherAccount(true)} />
      ) : (
        <div className="flow-methods">
          {methods.includes('password') && (
            <PasswordForm
              challenge={challenge}
              initialEmail={emailHint}
              remember={remember}
              onRememberChange={setRemember}
              onStep={onStep}
              onFlowError={onFlowError}
              onFailed={retryAutofill}
              // Chosen instead of "continue as": the focus goes where the typing starts.
              autoFocus={anotherAccount}
            />
          )}
          {(passkeys || view.methods.some((m) => m.type === 'upstream')) && <p className="divider">{t('login.or')}</p>}
          {passkeys && <PasskeyButton challenge={challenge} remember={remember} onStep={onStep} onFlowError={onFlowError} onFailed={failed} onStart={() => setMethodError(null)} />}
          <UpstreamButtons challenge={challenge} methods={view.methods} />
          <p className="flow-links">
            <Link to={`/forgot-password?${new URLSearchParams({ login_challenge: challenge })}`}>{t('login.forgotPassword')}</Link>
            {view.signup_enabled && <Link to={`/signup?${new URLSearchParams({ login_challenge: challenge })}`}>{t('login.createAccount')}</Link>}
          </p>
        </div>
      )}
      <CancelSignIn challenge={challenge} onFlowError={onFlowError} onLeave={onLeave} />
    </AuthLayout>
  );
}
