import { useId } from 'react';
import { Navigate, useLocation } from 'react-router';
import { ErrorAlert, Loading, PageTitle } from '../../../components';
import { useT } from '../../../i18n/i18n';
import { useProfile } from '../account-api';
import { useFormat } from '../format';
import { EmailSection } from './EmailSection';
import { ProfileForm } from './ProfileForm';

/** `/account`: who the person is to the apps they sign in to (their OIDC claims) and their email. */
export default function ProfileScreen() {
  const t = useT();
  const format = useFormat();
  const { search } = useLocation();
  const profile = useProfile();
  const titleId = useId();

  // A link started on the linked-accounts page comes back here (`?linked=` / `?upstream_error=`).
  const params = new URLSearchParams(search);
  if (params.has('linked') || params.has('upstream_error')) return <Navigate to={`/account/linked${search}`} replace />;

  return (
    <>
      <PageTitle>{t('account.profile.title')}</PageTitle>
      <p className="section-lead muted">{t('account.profile.lead')}</p>
      {profile.isPending && <Loading />}
      <ErrorAlert error={profile.error} />
      {profile.data && (
        <>
          <EmailSection profile={profile.data} />
          <section className="section" aria-labelledby={titleId}>
            <h2 id={titleId}>{t('account.profile.details')}</h2>
            <p className="muted">{t('account.profile.since', { date: format.date(profile.data.created_at) })}</p>
            <ProfileForm profile={profile.data} />
          </section>
        </>
      )}
    </>
  );
}
