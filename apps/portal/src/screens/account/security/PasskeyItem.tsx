import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRef, useState, type FormEvent } from 'react';
import { isApiError } from '../../../api/api-error';
import { accountApi } from '../../../api/bearer-api';
import { Button, ErrorAlert, TextField } from '../../../components';
import { useT } from '../../../i18n/i18n';
import { accountKeys, type Passkey } from '../account-api';
import { ActionError } from '../ActionError';
import { ConfirmStep } from '../ConfirmStep';
import { useFormat } from '../format';
import { useSensitiveMutation } from '../sensitive';
import { TimeAgo } from '../TimeAgo';
import { PASSKEY_NAME_MAX } from './passkey-ceremony';

/**
 * One passkey: its name, when it was added and last used; rename it, remove it. Once removed,
 * the section says so (`onRemoved`) and takes focus, since this item goes away.
 */
export function PasskeyItem({ passkey, onRemoved }: { passkey: Passkey; onRemoved: (name: string) => unknown }) {
  const t = useT();
  const format = useFormat();
  const queryClient = useQueryClient();
  const [mode, setMode] = useState<'view' | 'rename' | 'remove'>('view');
  const [name, setName] = useState(passkey.name);
  const [nameError, setNameError] = useState<string>();
  const renameButton = useRef<HTMLButtonElement>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: accountKeys.passkeys });
  // The rename form (and its focused button) goes away: focus goes back to "Rename".
  const closeRename = () => {
    setMode('view');
    renameButton.current?.focus();
  };

  const rename = useMutation({
    mutationFn: (value: string) => accountApi.send<Passkey>('PATCH', `/passkeys/${encodeURIComponent(passkey.id)}`, { name: value }),
    onSuccess: () => {
      closeRename();
      return refresh();
    },
  });
  const remove = useSensitiveMutation({
    mutationFn: (vars: object) => accountApi.send<void>('DELETE', `/passkeys/${encodeURIComponent(passkey.id)}`, vars),
    onSuccess: () => {
      onRemoved(passkey.name);
      return refresh();
    },
    onCancel: () => setMode('view'),
  });

  const submitRename = (event: FormEvent) => {
    event.preventDefault();
    const value = name.trim();
    const problem = !value ? t('field.required') : value.length > PASSKEY_NAME_MAX ? t('account.passkeys.nameTooLong', { max: PASSKEY_NAME_MAX }) : undefined;
    setNameError(problem);
    if (!problem) rename.mutate(value);
  };

  return (
    <li>
      <div className="item-main">
        <p className="item-title">
          {passkey.name} {passkey.backed_up && <span className="badge">{t('account.passkeys.synced')}</span>}
        </p>
        <p className="item-meta">
          {t('account.passkeys.created', { date: format.date(passkey.created_at) })} ·{' '}
          {passkey.last_used_at !== null ? (
            <>
              {t('account.passkeys.lastUsed')} <TimeAgo at={passkey.last_used_at} />
            </>
          ) : (
            t('account.passkeys.neverUsed')
          )}
        </p>
        {mode === 'rename' && (
          <form onSubmit={submitRename} noValidate className="account-form">
            <TextField
              label={t('account.passkeys.newName', { name: passkey.name })}
              value={name}
              maxLength={PASSKEY_NAME_MAX}
              autoComplete="off"
              autoFocus
              onChange={(e) => setName(e.target.value)}
              error={nameError ?? (isApiError(rename.error, 'invalid_request') ? rename.error.description : undefined)}
            />
            {!isApiError(rename.error, 'invalid_request') && <ErrorAlert error={rename.error} />}
            <div className="actions">
              <Button type="submit" busy={rename.isPending}>
                {t('action.save')}
              </Button>
              <Button
                variant="secondary"
                onClick={() => {
                  closeRename();
                  setName(passkey.name);
                  rename.reset();
                }}
              >
                {t('action.cancel')}
              </Button>
            </div>
          </form>
        )}
        {mode === 'remove' && !remove.reauth && (
          <ConfirmStep
            confirmLabel={t('account.passkeys.remove.named', { name: passkey.name })}
            onConfirm={() => remove.mutation.mutate({})}
            onCancel={() => {
              setMode('view');
              remove.mutation.reset();
            }}
            busy={remove.mutation.isPending}
          >
            <p>{t('account.passkeys.remove.confirm', { name: passkey.name })}</p>
          </ConfirmStep>
        )}
        <ActionError error={remove.mutation.error} reauth={remove.reauth} busy={remove.mutation.isPending} />
      </div>
      <div className="row">
        <Button
          ref={renameButton}
          variant="secondary"
          onClick={() => setMode('rename')}
          aria-label={t('account.passkeys.rename.named', { name: passkey.name })}
          aria-expanded={mode === 'rename'}
        >
          {t('account.passkeys.rename')}
        </Button>
        <Button
          variant="danger"
          onClick={() => setMode('remove')}
          aria-label={t('account.passkeys.remove.named', { name: passkey.name })}
          aria-expanded={mode === 'remove'}
        >
          {t('account.passkeys.remove')}
        </Button>
      </div>
    </li>
  );
}
