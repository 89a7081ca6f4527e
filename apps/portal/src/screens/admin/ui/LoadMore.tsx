import { Button } from '../../../components';
import type { CursorList } from '../lib/cursor-list';
import { useT } from '../../../i18n/i18n';
import { AdminErrorAlert } from './AdminError';

/**
 * "Load more" under a cursor-paged list, and how many rows are shown: said politely to
 * assistive technology, so that a keyboard user knows the click did something.
 */
export function LoadMore({ list }: { list: CursorList<unknown> }) {
  const t = useT();
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = list;
  const count = list.items.length;
  const error = list.isFetchNextPageError ? list.error : undefined;
  return (
    <div>
      <p className="admin-count muted" role="status">
        {hasNextPage ? t('admin.list.countMore', { count }) : t('admin.list.count', { count })}
      </p>
      {error ? <AdminErrorAlert error={error} /> : null}
      {hasNextPage && (
        <div className="actions">
          <Button variant="secondary" busy={isFetchingNextPage} onClick={() => void fetchNextPage()}>
            {isFetchingNextPage ? t('app.loading') : t('admin.list.loadMore')}
          </Button>
        </div>
      )}
    </div>
  );
}
