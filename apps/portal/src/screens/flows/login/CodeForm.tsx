import { useRef, useState, type FormEvent } from 'react';
import { isApiError } from '../../../api/api-error';
import { Alert, Button, TextField } from '../../../components';
import { useT } from '../../../i18n/i18n';
import { describeLoginError } from './login-errors';
import type { LoginStep } from './login-api';

interface Props {
  label: string;
  hint?: string;
  /** A six-digit code (authenticator app, mailed code): the numeric keypad on phones. */
  numeric?: boolean;
  submit(code: string): Promise<LoginStep>;
  onStep(step: LoginStep): void;
  onFlowError(error: unknown): boolean;
  autoFocus?: boolean;
}

/** One code, one try: a wrong one says how many tries are left, the last one ends the sign-in. */
export function CodeForm({ label, hint, numeric = false, submit, onStep, onFlowError, autoFocus }: Props) {
  const t = useT();
  const form = useRef<HTMLFormElement>(null);
  const [code, setCode] = useState('');
  const [fieldError, setFieldError] = useState<string>();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const focusCode = () => (form.current?.elements.namedItem('code') as HTMLInputElement | null)?.focus();

  async function send(event: FormEvent) {
    event.preventDefault();
    // People type codes as they are shown: "123 456", "abcd-efgh". Spaces never matter.
    const value = code.replace(/\s+/g, '');
    const problem = !value ? t('field.required') : numeric && !/^\d{6}$/.test(value) ? t('login.mfa.sixDigits') : undefined;
    setFieldError(problem);
    setError(null);
    if (problem) return focusCode();
    setBusy(true);
    try {
      onStep(await submit(value));
    } catch (err) {
      setBusy(false);
      if (onFlowError(err)) return;
      if (isApiError(err, 'invalid_credentials')) {
        const left = err.body['attempts_remaining'];
        setFieldError(typeof left === 'number' ? t('login.mfa.wrongCodeLeft', { count: left }) : t('login.mfa.wrongCode'));
        setCode('');
        focusCode();
      } else {
        setError(err);
      }
    }
  }

  return (
    <form ref={form} onSubmit={(e) => void send(e)} noValidate>
      {error ? <Alert>{describeLoginError(t, error)}</Alert> : null}
      <TextField
        label={label}
        hint={hint}
        name="code"
        autoComplete="one-time-code"
        inputMode={numeric ? 'numeric' : 'text'}
        autoCapitalize="none"
        spellCheck={false}
        required
        autoFocus={autoFocus}
        value={code}
        onChange={(e) => setCode(e.target.value)}
        error={fieldError}
      />
      <Button type="submit" className="btn-block" busy={busy}>
        {t('login.mfa.verify')}
      </Button>
    </form>
  );
}
