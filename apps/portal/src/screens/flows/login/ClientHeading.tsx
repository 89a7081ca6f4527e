import { PageTitle } from '../../../components';
import { useT } from '../../../i18n/i18n';
import type { LoginView } from './login-api';

/** Only a web address may be an image source (never `javascript:` nor `data:` from a registration). */
const safeLogo = (uri: string | undefined) => (uri && /^https?:\/\//i.test(uri) ? uri : undefined);

export const clientName = (view: LoginView) => view.client?.client_name || view.client?.client_id || '';

/** The step's heading, and which application the person is signing in to. */
export function ClientHeading({ view, title }: { view: LoginView; title: string }) {
  const t = useT();
  const logo = safeLogo(view.client?.logo_uri);
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
