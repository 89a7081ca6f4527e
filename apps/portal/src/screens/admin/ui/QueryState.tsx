import type { ReactNode } from 'react';
import { Button, Loading } from '../../../components';
import { useT } from '../../../i18n/i18n';
import { AdminErrorAlert } from './AdminError';

interface QueryLike<T> {
  data: T | undefined;
  error: unknown;
  isPending: boolean;
  refetch: () => unknown;
}

/** A query's three states: loading, failed (with a retry), or its data. */
export function QueryState<T>({ query, label, children }: { query: QueryLike<T>; label?: string; children: (data: T) => ReactNode }) {
  const t = useT();
  if (query.isPending) return <Loading label={label} />;
  // A failed refetch or next page keeps what was shown; only no data at all is an error page.
  if (query.data === undefined) {
    return (
      <div>
        <AdminErrorAlert error={query.error} />
        <Button variant="secondary" onClick={() => void query.refetch()}>
          {t('action.retry')}
        </Button>
      </div>
    );
  }
  return <>{children(query.data)}</>;
}
