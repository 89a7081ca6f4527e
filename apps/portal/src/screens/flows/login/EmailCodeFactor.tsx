import { useState } from 'react';
import { Alert, Button, Notice, useNoticeState } from '../../../components';
import { useT } from '../../../i18n/i18n';
import { CodeForm } from './CodeForm';
import { describeLoginError } from './login-errors';
import { loginApi, type LoginStep } from './login-api';

/** A code mailed to the account's verified address: sent on request (a mail is not sent by just opening the page). */
export function EmailCodeFactor({ challenge, onStep, onFlowError, autoFocus }: { challenge: string; onStep(step: LoginStep): void; onFlowError(error: unknown): boolean; autoFocus?: boolean }) {
  const t = useT();
  // A new notice at each sending, so that "sent" is said again after a resend.
  const { notice: sent, show: showSent } = useNoticeState<string>();
  const sentTo = sent?.value ?? null;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function sendCode() {
    setBusy(true);
    setError(null);
    try {
      const answer = await loginApi.sendEmailCode(challenge);
      showSent(answer.sent_to);
    } catch (err) {
      if (!onFlowError(err)) setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="stack">
      {error ? <Alert>{describeLoginError(t, error)}</Alert> : null}
      {sentTo === null ? (
        <>
          <p>{t('login.mfa.email.body')}</p>
          <Button className="btn-block" busy={busy} autoFocus={autoFocus} onClick={() => void sendCode()}>
            {t('login.mfa.email.send')}
          </Button>
        </>
      ) : (
        <>
          <Notice key={sent?.id}>{t('login.mfa.email.sent', { email: sentTo })}</Notice>
          <CodeForm label={t('login.mfa.email.label')} numeric autoFocus submit={(code) => loginApi.emailCode(challenge, code)} onStep={onStep} onFlowError={onFlowError} />
          <Button variant="link" busy={busy} onClick={() => void sendCode()}>
            {t('login.mfa.email.resend')}
          </Button>
        </>
      )}
    </div>
  );
}
