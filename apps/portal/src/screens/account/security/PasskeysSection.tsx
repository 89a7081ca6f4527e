import { useQueryClient } from '@tanstack/react-query';
import { browserSupportsWebAuthn } from '@simplewebauthn/browser';
import { useId, useState, type FormEvent } from 'react';
import { Alert, Button, EmptyState, ErrorAlert, Loading, Notice, TextField, useNoticeState } from '../../../components';
import type { MessageKey } from '../../../i18n/catalogs';
import { useT } from '../../../i18n/i18n';
import { accountKeys, usePasskeys } from '../account-api';
import { ActionError } from '../ActionError';
import { useSensitiveMutation } from '../sensitive';
import { addPasskey, PASSKEY_NAME_MAX, PasskeyCeremonyError } from './passkey-ceremony';
import { PasskeyItem } from './PasskeyItem';

const CEREMONY_MESSAGES: Record<PasskeyCeremonyError['reason'], MessageKey> = {
  cancelled: 'account.passkeys.cancelled',
  exists: 'account.passkeys.exists',
  failed: 'account.passkeys.failed',
};

/** Passkeys: sign in with the device's screen lock or a security key, no password needed. */
export function PasskeysSection() {
  const t = useT();
  const titleId = useId();
  const queryClient = useQueryClient();
  const passkeys = usePasskeys();
  const [name, setName] = useState('');
  const [nameError, setNameError] = useState<string>();
  // Added (the form stays, so it is only said) or removed (its item is gone: focus goes to the message).
  const { notice, show, clear } = useNoticeState<{ kind: 'added' | 'removed'; name: string }>();
  const supported = browserSupportsWebAuthn();

  const add = useSensitiveMutation({
    mutationFn: addPasskey,
    onSuccess: (passkey) => {
      show({ kind: 'added', name: passkey.name });
      setName('');
      return queryClient.invalidateQueries({ queryKey: accountKeys.passkeys });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    clear();
    const tooLong = name.trim().length > PASSKEY_NAME_MAX;
    setNameError(tooLong ? t('account.passkeys.nameTooLong', { max: PASSKEY_NAME_MAX }) : undefined);
    if (!tooLong) add.mutation.mutate({ name });
  };
  const ceremonyError = add.mutation.error instanceof PasskeyCeremonyError ? add.mutation.error : null;

  return (
    <section className="section" aria-labelledby={titleId}>
      <h2 id={titleId}>{t('account.passkeys.title')}</h2>
      <p className="muted">{t('account.passkeys.lead')}</p>
      {passkeys.isPending && <Loading />}
      <ErrorAlert error={passkeys.error} />
      {passkeys.data &&
        (passkeys.data.length ? (
          <ul className="list" aria-label={t('account.passkeys.list')}>
            {passkeys.data.map((passkey) => (
              <PasskeyItem key={passkey.id} passkey={passkey} onRemoved={(name) => show({ kind: 'removed', name })} />
            ))}
          </ul>
        ) : (
          <EmptyState title={t('account.passkeys.empty')} />
        ))}
      {notice && (
        <Notice key={notice.id} focus={notice.value.kind === 'removed'}>
          {t(notice.value.kind === 'added' ? 'account.passkeys.added' : 'account.passkeys.removed', { name: notice.value.name })}
        </Notice>
      )}
      {supported ? (
        <>
          <form onSubmit={submit} noValidate className="account-form">
            <TextField
              label={t('account.passkeys.name')}
              hint={t('account.passkeys.name.hint')}
              value={name}
              onChange={(e) => setName(e.target.value)}
              maxLength={PASSKEY_NAME_MAX}
              autoComplete="off"
              error={nameError}
              readOnly={Boolean(add.reauth)}
            />
            {!add.reauth && (
              <Button type="submit" busy={add.mutation.isPending}>
                {t('account.passkeys.add')}
              </Button>
            )}
          </form>
          {ceremonyError ? (
            <Alert>{t(CEREMONY_MESSAGES[ceremonyError.reason])}</Alert>
          ) : (
            <ActionError error={add.mutation.error} reauth={add.reauth} busy={add.mutation.isPending} />
          )}
        </>
      ) : (
        <Alert tone="info">{t('account.passkeys.unsupported')}</Alert>
      )}
    </section>
  );
}
