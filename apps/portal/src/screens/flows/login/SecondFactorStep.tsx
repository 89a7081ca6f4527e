import { useState } from 'react';
import { Alert, AuthLayout, Button } from '../../../components';
import type { MessageKey } from '../../../i18n/catalogs';
import { useT } from '../../../i18n/i18n';
import '../flows.css';
import { CancelSignIn } from './CancelSignIn';
import { ClientHeading } from './ClientHeading';
import { CodeForm } from './CodeForm';
import { EmailCodeFactor } from './EmailCodeFactor';
import { KNOWN_FACTORS, loginApi, type Factor } from './login-api';
import { PasskeyFactor } from './PasskeyFactor';
import { passkeysSupported } from './passkeys';
import type { StepProps } from './SignInStep';

const CHOICE: Record<Factor, MessageKey> = {
  totp: 'login.mfa.choice.totp',
  passkey: 'login.mfa.choice.passkey',
  email_code: 'login.mfa.choice.emailCode',
  recovery_code: 'login.mfa.choice.recoveryCode',
};

/** The second factor: the first one the account has, and the others one click away ("try another way"). */
export function SecondFactorStep({ challenge, view, factors, onStep, onFlowError, onLeave }: StepProps & { factors: string[] }) {
  const t = useT();
  // A passkey needs WebAuthn in this browser; the others work anywhere.
  const offered = KNOWN_FACTORS.filter((f) => factors.includes(f) && (f !== 'passkey' || passkeysSupported()));
  const [factor, setFactor] = useState<Factor | undefined>(offered[0]);
  // Focus goes to the chosen factor's field, not on arrival (the heading has it then).
  const [chosen, setChosen] = useState(false);
  const props = { challenge, onStep, onFlowError, autoFocus: chosen };
  const others = offered.filter((f) => f !== factor);

  return (
    <AuthLayout>
      <ClientHeading view={view} title={t('login.mfa.title')} />
      {!factor ? (
        <Alert>{t('login.mfa.none')}</Alert>
      ) : (
        <>
          <p>{t('login.mfa.intro')}</p>
          {factor === 'totp' && (
            <CodeForm key="totp" {...props} label={t('login.mfa.totp.label')} hint={t('login.mfa.totp.hint')} numeric submit={(code) => loginApi.totp(challenge, code)} />
          )}
          {factor === 'recovery_code' && (
            <CodeForm key="recovery" {...props} label={t('login.mfa.recovery.label')} hint={t('login.mfa.recovery.hint')} submit={(code) => loginApi.recoveryCode(challenge, code)} />
          )}
          {factor === 'email_code' && <EmailCodeFactor key="email" {...props} />}
          {factor === 'passkey' && <PasskeyFactor key="passkey" {...props} />}
        </>
      )}
      {others.length > 0 && (
        <section aria-labelledby="mfa-other-ways">
          <h2 id="mfa-other-ways" className="divider flow-heading">
            {t('login.mfa.otherWays')}
          </h2>
          <ul className="factor-choices">
            {others.map((f) => (
              <li key={f}>
                <Button
                  variant="secondary"
                  className="btn-block"
                  onClick={() => {
                    setChosen(true);
                    setFactor(f);
                  }}
                >
                  {t(CHOICE[f])}
                </Button>
              </li>
            ))}
          </ul>
        </section>
      )}
      <CancelSignIn challenge={challenge} onFlowError={onFlowError} onLeave={onLeave} />
    </AuthLayout>
  );
}
