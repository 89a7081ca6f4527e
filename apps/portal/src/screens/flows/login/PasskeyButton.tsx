import { useState } from 'react';
import { Button } from '../../../components';
import { useT } from '../../../i18n/i18n';
import { describePasskeyError } from './login-errors';
import { loginApi, type LoginStep } from './login-api';
import { getPasskeyAssertion, isCeremonyAborted } from './passkeys';

/** Passwordless sign-in with a passkey (a discoverable credential with user verification). */
export function PasskeyButton({ challenge, remember, onStep, onFlowError, onFailed, onStart }: { challenge: string; remember: boolean; onStep(step: LoginStep): void; onFlowError(error: unknown): boolean; onFailed(message: string): void; onStart(): void }) {
  const t = useT();
  const [busy, setBusy] = useState(false);

  async function signIn() {
    onStart();
    setBusy(true);
    try {
      const options = await loginApi.passkeyOptions(challenge);
      // Starting this ceremony aborts the autofill one waiting in the background.
      const response = await getPasskeyAssertion(options);
      onStep(await loginApi.passkey(challenge, response, remember));
    } catch (err) {
      setBusy(false);
      if (isCeremonyAborted(err) || onFlowError(err)) return;
      onFailed(describePasskeyError(t, err));
    }
  }

  return (
    <Button variant="secondary" className="btn-block" busy={busy} onClick={() => void signIn()}>
      {t('login.passkey.button')}
    </Button>
  );
}
