import { useId, useState, type FormEvent } from 'react';
import { isApiError } from '../../../api/api-error';
import { accountApi } from '../../../api/bearer-api';
import { Button, Notice, TextField } from '../../../components';
import { useT } from '../../../i18n/i18n';
import type { Profile } from '../account-api';
import { ActionError } from '../ActionError';
import { useSensitiveMutation } from '../sensitive';

/** The server's password policy bounds (libs/auth-service/src/passwords/password-policy.ts). */
const MIN_LENGTH = 8;
const MAX_LENGTH = 128;

interface Errors {
  current?: string;
  next?: string;
  confirm?: string;
}

/**
 * Change (or, for an account without one, set) the password. The current password goes with
 * the change, which is the proof of a recent sign-in the server asks for.
 */
export function PasswordSection({ profile }: { profile: Profile }) {
  const t = useT();
  const titleId = useId();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  const [done, setDone] = useState(false);

  const change = useSensitiveMutation({
    mutationFn: (vars: { new_password: string }) => accountApi.send<void>('POST', '/password', vars),
    onSuccess: () => {
      setDone(true);
      setCurrent('');
      setNext('');
      setConfirm('');
    },
  });
  const error = change.mutation.error;
  const serverErrors: Errors = {
    current: isApiError(error, 'invalid_credentials') && !change.reauth ? t('account.password.wrongCurrent') : undefined,
    next: isApiError(error, 'weak_password') ? error.description || t('account.password.weak') : undefined,
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setDone(false);
    const found: Errors = {
      current: profile.has_password && !current ? t('field.required') : undefined,
      next: !next ? t('field.required') : next.length < MIN_LENGTH || next.length > MAX_LENGTH ? t('account.password.length', { min: MIN_LENGTH, max: MAX_LENGTH }) : undefined,
      confirm: next && confirm !== next ? t('account.password.mismatch') : undefined,
    };
    setErrors(found);
    if (found.current || found.next || found.confirm) return;
    change.mutation.mutate(profile.has_password ? { new_password: next, current_password: current } : { new_password: next });
  };

  return (
    <section className="section" aria-labelledby={titleId}>
      <h2 id={titleId}>{profile.has_password ? t('account.password.title') : t('account.password.setTitle')}</h2>
      <p className="muted">{t('account.password.lead')}</p>
      {done && <Notice>{t('account.password.changed')}</Notice>}
      <form onSubmit={submit} noValidate className="account-form">
        {profile.has_password && (
          <TextField
            label={t('account.password.current')}
            type="password"
            autoComplete="current-password"
            value={current}
            onChange={(e) => setCurrent(e.target.value)}
            error={errors.current ?? serverErrors.current}
          />
        )}
        <TextField
          label={t('account.password.new')}
          type="password"
          autoComplete="new-password"
          value={next}
          onChange={(e) => setNext(e.target.value)}
          hint={t('account.password.rules', { min: MIN_LENGTH, max: MAX_LENGTH })}
          error={errors.next ?? serverErrors.next}
        />
        <TextField
          label={t('account.password.confirm')}
          type="password"
          autoComplete="new-password"
          value={confirm}
          onChange={(e) => setConfirm(e.target.value)}
          error={errors.confirm}
        />
        {!change.reauth && (
          <div className="actions">
            <Button type="submit" busy={change.mutation.isPending}>
              {profile.has_password ? t('account.password.submit') : t('account.password.setSubmit')}
            </Button>
          </div>
        )}
      </form>
      <ActionError error={error} reauth={change.reauth} busy={change.mutation.isPending} fieldCodes={['invalid_credentials', 'weak_password']} />
    </section>
  );
}
