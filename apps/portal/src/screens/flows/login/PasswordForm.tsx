import { useRef, useState, type FormEvent } from 'react';
import { isApiError } from '../../../api/api-error';
import { Alert, Button, Checkbox, TextField } from '../../../components';
import { useT } from '../../../i18n/i18n';
import { looksLikeEmail } from '../password-rules';
import { describeLoginError } from './login-errors';
import { loginApi, type LoginStep } from './login-api';
import { cancelPasskeyCeremony } from './passkeys';

interface Props {
  challenge: string;
  initialEmail: string;
  remember: boolean;
  onRememberChange(remember: boolean): void;
  onStep(step: LoginStep): void;
  onFlowError(error: unknown): boolean;
  /** The attempt failed: the passkey autofill offer starts again. */
  onFailed(): void;
  autoFocus?: boolean;
}

type Field = 'email' | 'password';

/** Email and password. The email field also carries the browser's passkey suggestions (`username webauthn`). */
export function PasswordForm({ challenge, initialEmail, remember, onRememberChange, onStep, onFlowError, onFailed, autoFocus }: Props) {
  const t = useT();
  const form = useRef<HTMLFormElement>(null);
  const [email, setEmail] = useState(initialEmail);
  const [password, setPassword] = useState('');
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<Field, string>>>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const focus = (field: Field) => (form.current?.elements.namedItem(field) as HTMLInputElement | null)?.focus();

  async function submit(event: FormEvent) {
    event.preventDefault();
    const problems: Partial<Record<Field, string>> = {
      email: !email.trim() ? t('field.required') : looksLikeEmail(email) ? undefined : t('flows.email.invalid'),
      password: password ? undefined : t('field.required'),
    };
    setFieldErrors(problems);
    setError(null);
    if (problems.email || problems.password) return focus(problems.email ? 'email' : 'password');
    // One method at a time: the passkey offer waiting in the background steps aside.
    cancelPasskeyCeremony();
    setBusy(true);
    try {
      onStep(await loginApi.password(challenge, email.trim(), password, remember));
    } catch (err) {
      setBusy(false);
      if (onFlowError(err)) return;
      if (isApiError(err, 'invalid_credentials')) {
        setFieldErrors({ password: t('login.invalidCredentials') });
        setPassword('');
        focus('password');
      } else {
        setError(err);
      }
      onFailed();
    }
  }

  return (
    <form ref={form} onSubmit={(e) => void submit(e)} noValidate aria-label={t('login.password.form')}>
      {error ? <Alert>{describeLoginError(t, error)}</Alert> : null}
      <TextField
        label={t('flows.email.label')}
        name="email"
        type="email"
        autoComplete="username webauthn"
        autoCapitalize="none"
        spellCheck={false}
        required
        autoFocus={autoFocus}
        value={email}
        onChange={(e) => setEmail(e.target.value)}
        error={fieldErrors.email}
      />
      <TextField
        label={t('login.password.label')}
        name="password"
        type="password"
        autoComplete="current-password"
        required
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        error={fieldErrors.password}
      />
      <Checkbox label={t('login.remember.label')} hint={t('login.remember.hint')} checked={remember} onChange={(e) => onRememberChange(e.target.checked)} />
      <Button type="submit" className="btn-block" busy={busy}>
        {t('login.submit')}
      </Button>
    </form>
  );
}
