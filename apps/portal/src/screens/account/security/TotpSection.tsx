import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { isApiError } from '../../../api/api-error';
import { accountApi } from '../../../api/bearer-api';
import { Button, ErrorAlert, Notice, TextField, useNoticeState } from '../../../components';
import { useT } from '../../../i18n/i18n';
import { accountKeys, type MfaOverview, type TotpEnrollment } from '../account-api';
import { ActionError } from '../ActionError';
import { ConfirmStep } from '../ConfirmStep';
import { useFormat } from '../format';
import { useSensitiveMutation } from '../sensitive';

/**
 * An authenticator app: set-up shows a QR code (and the secret, for typing in by hand), and
 * the app's first code finishes it. Removing it needs a recent sign-in.
 */
export function TotpSection({ mfa }: { mfa: MfaOverview }) {
  const t = useT();
  const format = useFormat();
  const titleId = useId();
  const queryClient = useQueryClient();
  const [enrollment, setEnrollment] = useState<TotpEnrollment | null>(null);
  const [confirmingRemoval, setConfirmingRemoval] = useState(false);
  // After enrolling or removing, the controls used are gone: focus goes to the message.
  const { notice, show: showNotice, clear: clearNotice } = useNoticeState<'enrolled' | 'removed'>();
  const heading = useRef<HTMLHeadingElement>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: accountKeys.mfa });

  const start = useSensitiveMutation({
    mutationFn: (vars: object) => accountApi.send<TotpEnrollment>('POST', '/mfa/totp', vars),
    onSuccess: (answer) => {
      clearNotice();
      setEnrollment(answer);
    },
  });
  const remove = useSensitiveMutation({
    mutationFn: (vars: object) => accountApi.send<void>('DELETE', '/mfa/totp', vars),
    onSuccess: () => {
      setConfirmingRemoval(false);
      showNotice('removed');
      return refresh();
    },
    onCancel: () => setConfirmingRemoval(false),
  });

  return (
    <section className="section" aria-labelledby={titleId}>
      <h2 id={titleId} ref={heading} tabIndex={-1}>
        {t('account.totp.title')}
      </h2>
      <p className="muted">{t('account.totp.lead')}</p>
      {notice && (
        <Notice key={notice.id} focus>
          {t(notice.value === 'enrolled' ? 'account.totp.enrolled' : 'account.totp.removed')}
        </Notice>
      )}
      {enrollment ? (
        <TotpEnrollmentForm
          enrollment={enrollment}
          onDone={() => {
            setEnrollment(null);
            showNotice('enrolled');
            void refresh();
          }}
          onCancel={() => {
            setEnrollment(null);
            // The set-up form, where focus was, is gone: back to the section's top.
            heading.current?.focus();
          }}
        />
      ) : mfa.totp.enrolled ? (
        <>
          <p className="row">
            <span className="badge badge-success">{t('account.totp.on')}</span>
            {mfa.totp.enrolled_at !== null && <span className="muted">{t('account.totp.since', { date: format.date(mfa.totp.enrolled_at) })}</span>}
          </p>
          <Button variant="secondary" onClick={() => setConfirmingRemoval(true)} aria-expanded={confirmingRemoval}>
            {t('account.totp.remove')}
          </Button>
          {confirmingRemoval && !remove.reauth && (
            <ConfirmStep
              confirmLabel={t('account.totp.remove')}
              onConfirm={() => remove.mutation.mutate({})}
              onCancel={() => {
                setConfirmingRemoval(false);
                remove.mutation.reset();
              }}
              busy={remove.mutation.isPending}
            >
              <p>{mfa.mfa_required ? t('account.totp.remove.required') : t('account.totp.remove.confirm')}</p>
            </ConfirmStep>
          )}
          <ActionError error={remove.mutation.error} reauth={remove.reauth} busy={remove.mutation.isPending} />
        </>
      ) : (
        <>
          <p>
            <span className="badge">{t('account.totp.off')}</span>
          </p>
          {!start.reauth && (
            <Button onClick={() => start.mutation.mutate({})} busy={start.mutation.isPending}>
              {t('account.totp.setUp')}
            </Button>
          )}
          <ActionError error={start.mutation.error} reauth={start.reauth} busy={start.mutation.isPending} />
        </>
      )}
    </section>
  );
}

function TotpEnrollmentForm({ enrollment, onDone, onCancel }: { enrollment: TotpEnrollment; onDone: () => void; onCancel: () => void }) {
  const t = useT();
  const [code, setCode] = useState('');
  const [missing, setMissing] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  const confirm = useMutation({
    mutationFn: (value: string) => accountApi.send<{ enrolled: boolean }>('POST', '/mfa/totp/confirm', { code: value }),
    onSuccess: onDone,
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const value = code.replace(/\s+/g, '');
    setMissing(!value);
    if (value) confirm.mutate(value);
  };
  const codeError = missing ? t('field.required') : isApiError(confirm.error, 'invalid_request') ? confirm.error.description || t('account.totp.wrongCode') : undefined;
  return (
    <div className="stack">
      <h3 ref={heading} tabIndex={-1}>
        {t('account.totp.scan.title')}
      </h3>
      <p>{t('account.totp.scan.body')}</p>
      <img className="qr-code" src={enrollment.qr_code} alt={t('account.totp.qr.alt')} width={192} height={192} />
      <details>
        <summary>{t('account.totp.manual')}</summary>
        <p>{t('account.totp.manual.body')}</p>
        <p className="secret" aria-label={t('account.totp.secret')}>
          {enrollment.secret}
        </p>
      </details>
      {!isApiError(confirm.error, 'invalid_request') && <ErrorAlert error={confirm.error} />}
      <form onSubmit={submit} noValidate className="account-form">
        <TextField
          label={t('account.totp.code')}
          autoComplete="one-time-code"
          inputMode="numeric"
          value={code}
          onChange={(e) => setCode(e.target.value)}
          hint={t('account.totp.code.hint')}
          error={codeError}
        />
        <div className="actions">
          <Button type="submit" busy={confirm.isPending}>
            {t('account.totp.confirm')}
          </Button>
          <Button variant="secondary" onClick={onCancel}>
            {t('action.cancel')}
          </Button>
        </div>
      </form>
    </div>
  );
}
