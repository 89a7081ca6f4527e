import { useRef, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { isApiError, type ApiError } from '../../../api/api-error';
import { flowApi } from '../../../api/flow-api';
import { AuthLayout, Button, ErrorAlert, PageTitle, TextField } from '../../../components';
import { useT } from '../../../i18n/i18n';
import { FlowPage } from '../FlowPage';
import { describeInvalidLink } from '../link-errors';
import { newPasswordProblem, PASSWORD_RULES } from '../password-rules';
import { useUrlToken } from '../use-url-token';

type Field = 'password' | 'confirm';

/** `/reset-password?token=…`: the link of a reset mail. A new password ends every session of the account. */
export default function ResetPasswordScreen() {
  const t = useT();
  const token = useUrlToken();
  const form = useRef<HTMLFormElement>(null);
  const [values, setValues] = useState<Record<Field, string>>({ password: '', confirm: '' });
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<Field, string>>>({});
  const [error, setError] = useState<unknown>(null);
  const [invalidLink, setInvalidLink] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const focus = (field: Field) => (form.current?.elements.namedItem(field) as HTMLInputElement | null)?.focus();

  async function submit(event: FormEvent) {
    event.preventDefault();
    const problems: Partial<Record<Field, string>> = { password: newPasswordProblem(t, values.password) };
    if (!problems.password) problems.confirm = !values.confirm ? t('field.required') : values.confirm !== values.password ? t('resetPassword.mismatch') : undefined;
    setFieldErrors(problems);
    setError(null);
    const first = (['password', 'confirm'] as const).find((f) => problems[f]);
    if (first) return focus(first);
    setBusy(true);
    try {
      await flowApi.post('/auth/recovery/reset', { token, new_password: values.password });
      setDone(true);
    } catch (err) {
      setBusy(false);
      if (isApiError(err, 'invalid_link')) setInvalidLink(err);
      else if (isApiError(err, 'weak_password')) {
        setFieldErrors({ password: t('flows.password.weak') });
        focus('password');
      } else setError(err);
    }
  }

  const askAgain = (
    <Link to="/forgot-password" className="btn btn-secondary">
      {t('resetPassword.askAgain')}
    </Link>
  );
  if (!token || invalidLink) {
    return (
      <FlowPage title={t('resetPassword.invalid.title')} next={askAgain}>
        <p>{invalidLink ? describeInvalidLink(t, invalidLink, 'reset') : t('resetPassword.invalid.missing')}</p>
      </FlowPage>
    );
  }
  if (done) {
    return (
      <FlowPage title={t('resetPassword.done.title')} next={<Link to="/account" className="btn btn-primary">{t('resetPassword.done.signIn')}</Link>}>
        <p>{t('resetPassword.done.body')}</p>
        <p className="muted">{t('resetPassword.done.app')}</p>
      </FlowPage>
    );
  }
  const set = (field: Field) => (e: { target: { value: string } }) => setValues((v) => ({ ...v, [field]: e.target.value }));
  return (
    <AuthLayout>
      <PageTitle>{t('resetPassword.title')}</PageTitle>
      <form ref={form} onSubmit={(e) => void submit(e)} noValidate>
        <ErrorAlert error={error} />
        <TextField
          label={t('flows.newPassword.label')}
          hint={t('flows.password.rules', PASSWORD_RULES)}
          name="password"
          type="password"
          autoComplete="new-password"
          required
          value={values.password}
          onChange={set('password')}
          error={fieldErrors.password}
        />
        <TextField label={t('resetPassword.confirm.label')} name="confirm" type="password" autoComplete="new-password" required value={values.confirm} onChange={set('confirm')} error={fieldErrors.confirm} />
        <Button type="submit" className="btn-block" busy={busy}>
          {t('resetPassword.submit')}
        </Button>
      </form>
    </AuthLayout>
  );
}
