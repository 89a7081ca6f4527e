import { ErrorAlert, Loading, PageTitle } from '../../../components';
import { useT } from '../../../i18n/i18n';
import { useMfa, useProfile } from '../account-api';
import { PasskeysSection } from './PasskeysSection';
import { PasswordSection } from './PasswordSection';
import { RecoveryCodesSection } from './RecoveryCodesSection';
import { TotpSection } from './TotpSection';

/** `/account/security`: how the person signs in (password, passkeys) and their second factors. */
export default function SecurityScreen() {
  const t = useT();
  const profile = useProfile();
  const mfa = useMfa();
  return (
    <>
      <PageTitle>{t('account.security.title')}</PageTitle>
      <p className="section-lead muted">{t('account.security.lead')}</p>
      {profile.isPending && <Loading />}
      <ErrorAlert error={profile.error} />
      {profile.data && <PasswordSection profile={profile.data} />}
      <PasskeysSection />
      {mfa.isPending && <Loading />}
      <ErrorAlert error={mfa.error} />
      {mfa.data?.mfa_required && <p className="muted">{t('account.security.mfaRequired')}</p>}
      {mfa.data && <TotpSection mfa={mfa.data} />}
      {mfa.data && <RecoveryCodesSection mfa={mfa.data} />}
    </>
  );
}
