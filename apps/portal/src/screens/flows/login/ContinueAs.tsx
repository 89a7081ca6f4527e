import { useState } from 'react';
import { Alert, Button } from '../../../components';
import { useT } from '../../../i18n/i18n';
import { describeLoginError } from './login-errors';
import { loginApi, type LoginStep, type LoginView } from './login-api';

/** Someone is signed in in this browser already and may answer this request: one click, or another account. */
export function ContinueAs({ challenge, view, onStep, onFlowError, onAnotherAccount }: { challenge: string; view: LoginView; onStep(step: LoginStep): void; onFlowError(error: unknown): boolean; onAnotherAccount(): void }) {
  const t = useT();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const session = view.session;
  const name = session?.name || session?.email || '';

  async function continueAs() {
    setBusy(true);
    setError(null);
    try {
      onStep(await loginApi.continueAs(challenge));
    } catch (err) {
      setBusy(false);
      if (!onFlowError(err)) setError(err);
    }
  }

  return (
    <div className="stack">
      {error ? <Alert>{describeLoginError(t, error)}</Alert> : null}
      <p className="muted">{t('login.continue.signedIn')}</p>
      <div className="flow-account">
        <span className="flow-account-name">{name}</span>
        {session?.email && session.email !== name && <span className="muted">{session.email}</span>}
      </div>
      <Button className="btn-block" busy={busy} onClick={() => void continueAs()}>
        {t('login.continue.as', { name })}
      </Button>
      <Button variant="secondary" className="btn-block" onClick={onAnotherAccount} disabled={busy}>
        {t('login.continue.another')}
      </Button>
    </div>
  );
}
