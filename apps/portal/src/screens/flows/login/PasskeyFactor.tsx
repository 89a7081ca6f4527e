import { useEffect, useState } from 'react';
import { isApiError } from '../../../api/api-error';
import { Alert, Button } from '../../../components';
import { useT } from '../../../i18n/i18n';
import { describePasskeyError } from './login-errors';
import { loginApi, type LoginStep } from './login-api';
import { cancelPasskeyCeremony, getPasskeyAssertion, isCeremonyAborted } from './passkeys';

/** A passkey (or security key) of the account as the second factor. */
export function PasskeyFactor({ challenge, onStep, onFlowError, autoFocus }: { challenge: string; onStep(step: LoginStep): void; onFlowError(error: unknown): boolean; autoFocus?: boolean }) {
  const t = useT();
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  // Choosing another factor, or leaving, ends a ceremony still waiting for the key.
  useEffect(() => () => cancelPasskeyCeremony(), []);

  async function verify() {
    setBusy(true);
    setMessage(null);
    try {
      const options = await loginApi.mfaPasskeyOptions(challenge);
      const response = await getPasskeyAssertion(options);
      onStep(await loginApi.mfaPasskey(challenge, response));
    } catch (err) {
      setBusy(false);
      if (isCeremonyAborted(err) || onFlowError(err)) return;
      setMessage(isApiError(err, 'invalid_request') ? t('login.mfa.passkey.none') : describePasskeyError(t, err));
    }
  }

  return (
    <div className="stack">
      {message && <Alert>{message}</Alert>}
      <p>{t('login.mfa.passkey.body')}</p>
      <Button className="btn-block" busy={busy} autoFocus={autoFocus} onClick={() => void verify()}>
        {t('login.mfa.passkey.button')}
      </Button>
    </div>
  );
}
