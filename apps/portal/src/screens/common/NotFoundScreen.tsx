import { Link } from 'react-router';
import { AuthLayout, PageTitle } from '../../components';
import { useT } from '../../i18n/i18n';

export function NotFoundScreen() {
  const t = useT();
  return (
    <AuthLayout>
      <PageTitle>{t('notFound.title')}</PageTitle>
      <p>{t('notFound.body')}</p>
      <p>
        <Link to="/account">{t('notFound.home')}</Link>
      </p>
    </AuthLayout>
  );
}
