import { useRef, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { isApiError } from '../../../api/api-error';
import { AuthLayout, Button, ErrorAlert, PageTitle, TextField } from '../../../components';
import { useT } from '../../../i18n/i18n';
import '../flows.css';
import { looksLikeEmail, newPasswordProblem } from '../password-rules';
import { signupApi, type SignupOptions } from './signup-api';

type Field = 'name' | 'email' | 'password';

interface Props {
  options: SignupOptions;
  challenge?: string;
  /** Where "I already have an account" goes. */
  signIn: string;
  onSent(email: string): void;
  /** A refusal the page handles (sign-up off, a dead challenge); true when handled. */
  onRefused(error: unknown): boolean;
}

export function SignupForm({ options, challenge, signIn, onSent, onRefused }: Props) {
  const t = useT();
  const form = useRef<HTMLFormElement>(null);
  const [values, setValues] = useState<Record<Field, string>>({ name: '', email: '', password: '' });
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<Field, string>>>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const rules = { min: options.min_password_length, max: options.max_password_length };
  const focus = (field: Field) => (form.current?.elements.namedItem(field) as HTMLInputElement | null)?.focus();
  const set = (field: Field) => (e: { target: { value: string } }) => setValues((v) => ({ ...v, [field]: e.target.value }));

  async function submit(event: FormEvent) {
    event.preventDefault();
    const email = values.email.trim();
    const problems: Partial<Record<Field, string>> = {
      email: !email ? t('field.required') : looksLikeEmail(email) ? undefined : t('flows.email.invalid'),
      password: newPasswordProblem(t, values.password, rules),
    };
    setFieldErrors(problems);
    setError(null);
    const first = (['email', 'password'] as const).find((f) => problems[f]);
    if (first) return focus(first);
    setBusy(true);
    try {
      const name = values.name.trim();
      await signupApi.signUp({ email, password: values.password, ...(name ? { claims: { name } } : {}), ...(challenge ? { login_challenge: challenge } : {}) });
      onSent(email);
    } catch (err) {
      setBusy(false);
      if (onRefused(err)) return;
      if (isApiError(err, 'weak_password')) {
        setFieldErrors({ password: t('flows.password.weak') });
        focus('password');
      } else if (isApiError(err, 'invalid_request')) {
        // The address is malformed or mail cannot go to it (the other causes are the page's own bugs).
        setFieldErrors({ email: t('signup.emailRefused') });
        focus('email');
      } else {
        setError(err);
      }
    }
  }

  return (
    <AuthLayout>
      <PageTitle>{t('signup.title')}</PageTitle>
      <form ref={form} onSubmit={(e) => void submit(e)} noValidate>
        <ErrorAlert error={error} />
        <TextField label={<>{t('signup.name.label')} <span className="muted">{t('field.optional')}</span></>} name="name" autoComplete="name" value={values.name} onChange={set('name')} />
        <TextField
          label={t('flows.email.label')}
          hint={t('signup.email.hint')}
          name="email"
          type="email"
          autoComplete="email"
          autoCapitalize="none"
          spellCheck={false}
          required
          value={values.email}
          onChange={set('email')}
          error={fieldErrors.email}
        />
        <TextField
          label={t('flows.newPassword.label')}
          hint={t('flows.password.rules', { min: rules.min, max: rules.max })}
          name="password"
          type="password"
          autoComplete="new-password"
          required
          value={values.password}
          onChange={set('password')}
          error={fieldErrors.password}
        />
        <Button type="submit" className="btn-block" busy={busy}>
          {t('signup.submit')}
        </Button>
      </form>
      <p className="flow-next">
        {t('signup.haveAccount')} <Link to={signIn}>{t('signup.signIn')}</Link>
      </p>
    </AuthLayout>
  );
}
