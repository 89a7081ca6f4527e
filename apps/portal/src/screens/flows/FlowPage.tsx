import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { AuthLayout, PageTitle } from '../../components';
import { useT } from '../../i18n/i18n';
import './flows.css';

/**
 * A page that only says something (an expired link, a finished step): its title, what
 * happened and what to do, and where to go next (the account by default).
 */
export function FlowPage({ title, children, next }: { title: string; children?: ReactNode; next?: ReactNode }) {
  const t = useT();
  return (
    <AuthLayout>
      <PageTitle>{title}</PageTitle>
      <div className="stack">{children}</div>
      <p className="flow-next">
        {next ?? (
          <Link to="/account" className="btn btn-secondary">
            {t('flows.goToAccount')}
          </Link>
        )}
      </p>
    </AuthLayout>
  );
}
