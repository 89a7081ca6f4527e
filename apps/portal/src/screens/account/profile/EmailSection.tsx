import { useMutation } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { isApiError } from '../../../api/api-error';
import { accountApi } from '../../../api/bearer-api';
import { Button, ErrorAlert, Notice, TextField } from '../../../components';
import { useT } from '../../../i18n/i18n';
import type { Profile } from '../account-api';
import { ActionError } from '../ActionError';
import { useSensitiveMutation } from '../sensitive';

const EMAIL = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]+$/;

/**
 * The sign-in address. A new one applies only once the link mailed to it is opened; until then
 * the old one stays (and keeps working).
 */
export function EmailSection({ profile }: { profile: Profile }) {
  const t = useT();
  const titleId = useId();
  const [editing, setEditing] = useState(false);
  const [email, setEmail] = useState('');
  const [fieldError, setFieldError] = useState<string>();
  const [sentTo, setSentTo] = useState<string | null>(null);

  const change = useSensitiveMutation({
    mutationFn: (vars: { new_email: string }) => accountApi.send<{ next: string }>('POST', '/email', vars),
    onSuccess: (_answer, vars) => {
      setSentTo(vars.new_email);
      setEditing(false);
      setEmail('');
    },
  });
  const resend = useMutation({ mutationFn: () => accountApi.send<{ next: string }>('POST', '/email/verification') });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const value = email.trim();
    const problem = !value ? t('field.required') : !EMAIL.test(value) ? t('account.email.invalid') : value === profile.email ? t('account.email.same') : undefined;
    setFieldError(problem);
    if (!problem) change.mutation.mutate({ new_email: value });
  };
  const serverFieldError = isApiError(change.mutation.error, 'invalid_request') ? change.mutation.error.description : undefined;

  return (
    <section className="section" aria-labelledby={titleId}>
      <h2 id={titleId}>{t('account.email.title')}</h2>
      {profile.email ? (
        <p className="row">
          <strong>{profile.email}</strong>
          {profile.email_verified ? (
            <span className="badge badge-success">{t('account.email.verified')}</span>
          ) : (
            <span className="badge badge-danger">{t('account.email.unverified')}</span>
          )}
        </p>
      ) : (
        <p className="muted">{t('account.email.none')}</p>
      )}
      {/* Focused: the form the person sent it from is gone. */}
      {sentTo && (
        <Notice title={t('account.email.sent.title')} focus>
          {t('account.email.sent.body', { email: sentTo })}
        </Notice>
      )}
      {profile.email && !profile.email_verified && (
        <div className="stack">
          {resend.isSuccess && <Notice>{t('account.email.resent', { email: profile.email })}</Notice>}
          <ErrorAlert error={resend.error} />
          <div>
            <Button variant="secondary" onClick={() => resend.mutate()} busy={resend.isPending}>
              {t('account.email.resend')}
            </Button>
          </div>
        </div>
      )}
      {editing ? (
        <>
          <form onSubmit={submit} noValidate className="account-form">
            <TextField
              label={t('account.email.new')}
              type="email"
              autoComplete="email"
              value={email}
              onChange={(e) => setEmail(e.target.value)}
              error={fieldError ?? serverFieldError}
              hint={t('account.email.new.hint')}
              readOnly={Boolean(change.reauth)}
            />
            {!change.reauth && (
              <div className="actions">
                <Button type="submit" busy={change.mutation.isPending}>
                  {t('account.email.submit')}
                </Button>
                <Button variant="secondary" onClick={() => setEditing(false)}>
                  {t('action.cancel')}
                </Button>
              </div>
            )}
          </form>
          {/* Outside the form: the confirmation step has a form of its own. */}
          <ActionError error={change.mutation.error} reauth={change.reauth} busy={change.mutation.isPending} fieldCodes={['invalid_request']} />
        </>
      ) : (
        <div className="actions">
          <Button
            variant="secondary"
            onClick={() => {
              setEditing(true);
              setSentTo(null);
              change.mutation.reset();
            }}
          >
            {profile.email ? t('account.email.change') : t('account.email.add')}
          </Button>
        </div>
      )}
    </section>
  );
}
