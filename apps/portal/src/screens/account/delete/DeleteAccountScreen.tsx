import { useId, useState, type FormEvent } from 'react';
import { accountApi } from '../../../api/bearer-api';
import { forgetTokens } from '../../../auth/session';
import { Alert, Button, ErrorAlert, Loading, PageTitle, TextField } from '../../../components';
import { useT } from '../../../i18n/i18n';
import { useProfile } from '../account-api';
import { ActionError } from '../ActionError';
import { navigateTo } from '../../../navigation/navigate-to';
import { useSensitiveMutation } from '../sensitive';

/**
 * `/account/delete`: deletes the account for good. The person types their email address (or
 * a word, for an account without one) so that it cannot happen by a slip; then the server wants
 * a recent sign-in as for any sensitive change.
 */
export default function DeleteAccountScreen() {
  const t = useT();
  const profile = useProfile();
  const titleId = useId();
  const [typed, setTyped] = useState('');
  const [mismatch, setMismatch] = useState(false);

  const remove = useSensitiveMutation({
    mutationFn: (vars: object) => accountApi.send<void>('DELETE', '', vars),
    onSuccess: () => {
      forgetTokens();
      // A full navigation: nothing of the account (query cache included) stays in this page.
      navigateTo('/signed-out');
    },
  });

  const expected = profile.data?.email ?? t('account.delete.word');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const ok = typed.trim().toLowerCase() === expected.toLowerCase();
    setMismatch(!ok);
    if (ok) remove.mutation.mutate({});
  };
  const leaving = remove.mutation.isPending || remove.mutation.isSuccess;

  return (
    <>
      <PageTitle>{t('account.delete.title')}</PageTitle>
      {profile.isPending && <Loading />}
      <ErrorAlert error={profile.error} />
      {profile.data && (
        <section className="section danger-zone" aria-labelledby={titleId}>
          <h2 id={titleId}>{t('account.delete.heading')}</h2>
          <Alert tone="warning">
            <p>{t('account.delete.warning')}</p>
          </Alert>
          <ul>
            <li>{t('account.delete.effect.apps')}</li>
            <li>{t('account.delete.effect.sessions')}</li>
            <li>{t('account.delete.effect.data')}</li>
          </ul>
          <form onSubmit={submit} noValidate className="account-form">
            <TextField
              label={profile.data.email ? t('account.delete.typeEmail', { email: expected }) : t('account.delete.typeWord', { word: expected })}
              value={typed}
              onChange={(e) => setTyped(e.target.value)}
              autoComplete="off"
              spellCheck={false}
              readOnly={Boolean(remove.reauth)}
              error={mismatch ? t('account.delete.mismatch') : undefined}
            />
            {!remove.reauth && (
              <Button type="submit" variant="danger" busy={leaving}>
                {t('account.delete.submit')}
              </Button>
            )}
          </form>
          <ActionError error={remove.mutation.error} reauth={remove.reauth} busy={remove.mutation.isPending} />
        </section>
      )}
    </>
  );
}
