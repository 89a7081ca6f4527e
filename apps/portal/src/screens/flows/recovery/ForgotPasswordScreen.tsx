import { useRef, useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { isApiError } from '../../../api/api-error';
import { flowApi } from '../../../api/flow-api';
import { AuthLayout, Button, ErrorAlert, PageTitle, TextField } from '../../../components';
import { useT } from '../../../i18n/i18n';
import '../flows.css';
import { FlowPage } from '../FlowPage';
import { looksLikeEmail } from '../password-rules';

/**
 * `/forgot-password`: asks for a reset link. The answer is the same whether or not the address
 * has an account, so the page never tells who has one.
 */
export default function ForgotPasswordScreen() {
  const t = useT();
  const [params] = useSearchParams();
  const challenge = params.get('login_challenge');
  const signIn = challenge ? `/login?${new URLSearchParams({ login_challenge: challenge })}` : '/account';
  const form = useRef<HTMLFormElement>(null);
  const [email, setEmail] = useState('');
  const [fieldError, setFieldError] = useState<string>();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [sentTo, setSentTo] = useState<string | null>(null);
  const focusEmail = () => (form.current?.elements.namedItem('email') as HTMLInputElement | null)?.focus();

  async function submit(event: FormEvent) {
    event.preventDefault();
    const value = email.trim();
    const problem = !value ? t('field.required') : looksLikeEmail(value) ? undefined : t('flows.email.invalid');
    setFieldError(problem);
    setError(null);
    if (problem) return focusEmail();
    setBusy(true);
    try {
      await flowApi.post('/auth/recovery', { email: value });
      setSentTo(value);
    } catch (err) {
      if (isApiError(err, 'invalid_request')) {
        setFieldError(t('flows.email.invalid'));
        focusEmail();
      } else {
        setError(err);
      }
    } finally {
      setBusy(false);
    }
  }

  const back = (
    <Link to={signIn} className="btn btn-secondary">
      {t('forgotPassword.back')}
    </Link>
  );
  if (sentTo !== null) {
    return (
      <FlowPage title={t('forgotPassword.sent.title')} next={back}>
        <p>{t('forgotPassword.sent.body', { email: sentTo })}</p>
        <p className="muted">{t('forgotPassword.sent.spam')}</p>
      </FlowPage>
    );
  }
  return (
    <AuthLayout>
      <PageTitle>{t('forgotPassword.title')}</PageTitle>
      <p>{t('forgotPassword.intro')}</p>
      <form ref={form} onSubmit={(e) => void submit(e)} noValidate>
        <ErrorAlert error={error} />
        <TextField
          label={t('flows.email.label')}
          name="email"
          type="email"
          autoComplete="email"
          autoCapitalize="none"
          spellCheck={false}
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          error={fieldError}
        />
        <Button type="submit" className="btn-block" busy={busy}>
          {t('forgotPassword.submit')}
        </Button>
      </form>
      <p className="flow-next">
        <Link to={signIn}>{t('forgotPassword.back')}</Link>
      </p>
    </AuthLayout>
  );
}
