import { useState } from 'react';
import { Alert, Button } from '../../../components';
import { useT } from '../../../i18n/i18n';
import { describeLoginError } from './login-errors';
import { loginApi } from './login-api';

/** Gives up the sign-in: the service tells the application (`access_denied`) and says where to go back to. */
export function CancelSignIn({ challenge, onFlowError, onLeave }: { challenge: string; onFlowError(error: unknown): boolean; onLeave(redirectTo: string): void }) {
  const t = useT();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function cancel() {
    setBusy(true);
    setError(null);
    try {
      onLeave((await loginApi.reject(challenge)).redirect_to);
    } catch (err) {
      setBusy(false);
      if (!onFlowError(err)) setError(err);
    }
  }

  return (
    <div className="flow-footer">
      {error ? <Alert>{describeLoginError(t, error)}</Alert> : null}
      <Button variant="link" busy={busy} onClick={() => void cancel()}>
        {t('login.cancel')}
      </Button>
    </div>
  );
}
