import { Link } from 'react-router';
import { useT } from '../../../i18n/i18n';
import { FlowPage } from '../FlowPage';

/** `/signed-out`: where the token service's logout lands when no application asked to go elsewhere. */
export default function SignedOutScreen() {
  const t = useT();
  return (
    <FlowPage
      title={t('signedOut.title')}
      next={
        <Link to="/account" className="btn btn-primary">
          {t('signedOut.again')}
        </Link>
      }
    >
      <p>{t('signedOut.body')}</p>
      <p className="muted">{t('signedOut.shared')}</p>
    </FlowPage>
  );
}
