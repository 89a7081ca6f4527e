import { PageTitle } from '../../../components';
import { useT } from '../../../i18n/i18n';
import { safeImageUrl } from '../../../navigation/safe-url';
import type { LoginView } from './login-api';

export const clientName = (view: LoginView) => view.client?.client_name || view.client?.client_id || '';

/** The step's heading, and which application the person is signing in to. */
export function ClientHeading({ view, title }: { view: LoginView; title: string }) {
  const t = useT();
  // https only (never `javascript:` nor `data:` from a registration, nor http: the CSP blocks it).
  const logo = safeImageUrl(view.client?.logo_uri);
  const name = clientName(view);
  return (
    <>
      {/* Decorative: the name says the same, right below. */}
      {logo && <img className="client-logo" src={logo} alt="" referrerPolicy="no-referrer" />}
      <PageTitle title={title}>{title}</PageTitle>
      {name && <p className="flow-subtitle">{t('login.toContinue', { client: name })}</p>}
    </>
  );
}
