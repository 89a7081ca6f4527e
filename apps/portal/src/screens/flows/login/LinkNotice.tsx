import { Alert, Button, ErrorAlert } from '../../../components';
import { useT } from '../../../i18n/i18n';
import type { PendingLinkState } from './use-pending-link';

/** Why the person is asked to sign in after an identity provider: its account matched one here. */
export function LinkNotice({ link }: { link: PendingLinkState }) {
  const t = useT();
  if (link.gone) return <Alert tone="warning">{t('login.link.gone')}</Alert>;
  if (!link.pending) return null;
  const { idp, email } = link.pending;
  return (
    <Alert tone="info" title={t('login.link.title', { idp: idp.name })}>
      <p>{email ? t('login.link.body', { idp: idp.name, email }) : t('login.link.bodyNoEmail', { idp: idp.name })}</p>
      <ErrorAlert error={link.declineError} />
      <Button variant="link" busy={link.declining} onClick={link.decline}>
        {t('login.link.decline')}
      </Button>
    </Alert>
  );
}
