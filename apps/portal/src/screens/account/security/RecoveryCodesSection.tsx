import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState } from 'react';
import { accountApi } from '../../../api/bearer-api';
import { Alert, Button } from '../../../components';
import { useT } from '../../../i18n/i18n';
import { accountKeys, type MfaOverview } from '../account-api';
import { ActionError } from '../ActionError';
import { ConfirmStep } from '../ConfirmStep';
import { useFormat } from '../format';
import { useSensitiveMutation } from '../sensitive';

/**
 * Recovery codes: single-use ways in when the authenticator is lost. A new set is shown once,
 * held only in this component, and gone when the person says they saved it (or leaves).
 */
export function RecoveryCodesSection({ mfa }: { mfa: MfaOverview }) {
  const t = useT();
  const format = useFormat();
  const titleId = useId();
  const queryClient = useQueryClient();
  const [codes, setCodes] = useState<string[] | null>(null);
  const [confirming, setConfirming] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  const { remaining, generated_at: generatedAt } = mfa.recovery_codes;
  const hasSet = generatedAt !== null;

  const generate = useSensitiveMutation({
    mutationFn: (vars: object) => accountApi.send<{ codes: string[] }>('POST', '/mfa/recovery-codes', vars),
    onSuccess: (answer) => {
      setConfirming(false);
      setCodes(answer.codes);
      return queryClient.invalidateQueries({ queryKey: accountKeys.mfa });
    },
    onCancel: () => setConfirming(false),
  });
  const start = () => (hasSet ? setConfirming(true) : generate.mutation.mutate({}));

  return (
    <section className="section" aria-labelledby={titleId}>
      <h2 id={titleId} ref={heading} tabIndex={-1}>
        {t('account.recovery.title')}
      </h2>
      <p className="muted">{t('account.recovery.lead')}</p>
      {codes ? (
        <NewCodes
          codes={codes}
          onDone={() => {
            setCodes(null);
            // The codes and the button that dismissed them are gone: back to the section's top.
            heading.current?.focus();
          }}
        />
      ) : (
        <>
          <p>
            {hasSet
              ? t('account.recovery.status', { remaining, date: format.date(generatedAt) })
              : t('account.recovery.none')}
          </p>
          {hasSet && remaining <= 2 && <Alert tone="warning">{t('account.recovery.low')}</Alert>}
          <Button variant={hasSet ? 'secondary' : 'primary'} onClick={start} busy={generate.mutation.isPending && !confirming} aria-expanded={hasSet ? confirming : undefined}>
            {hasSet ? t('account.recovery.regenerate') : t('account.recovery.generate')}
          </Button>
          {confirming && !generate.reauth && (
            <ConfirmStep
              confirmLabel={t('account.recovery.regenerate')}
              onConfirm={() => generate.mutation.mutate({})}
              onCancel={() => {
                setConfirming(false);
                generate.mutation.reset();
              }}
              busy={generate.mutation.isPending}
            >
              <p>{t('account.recovery.regenerate.confirm')}</p>
            </ConfirmStep>
          )}
          <ActionError error={generate.mutation.error} reauth={generate.reauth} busy={generate.mutation.isPending} />
        </>
      )}
    </section>
  );
}

function NewCodes({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  const t = useT();
  const ref = useRef<HTMLDivElement>(null);
  const [copied, setCopied] = useState<boolean | null>(null);
  useEffect(() => ref.current?.focus(), []);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(codes.join('\n'));
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };
  return (
    <div className="stack" ref={ref} tabIndex={-1}>
      <Alert tone="warning" title={t('account.recovery.once.title')}>
        <p>{t('account.recovery.once.body')}</p>
      </Alert>
      <ul className="recovery-codes secret" aria-label={t('account.recovery.codes')}>
        {codes.map((code) => (
          <li key={code}>{code}</li>
        ))}
      </ul>
      {copied === true && <p role="status">{t('account.recovery.copied')}</p>}
      {copied === false && <p role="status">{t('account.recovery.copyFailed')}</p>}
      <div className="actions">
        {typeof navigator.clipboard?.writeText === 'function' && (
          <Button variant="secondary" onClick={() => void copy()}>
            {t('account.recovery.copy')}
          </Button>
        )}
        <Button onClick={onDone}>{t('account.recovery.saved')}</Button>
      </div>
    </div>
  );
}
