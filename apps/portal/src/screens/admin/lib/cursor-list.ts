import { useInfiniteQuery, type QueryKey } from '@tanstack/react-query';
import { adminApi } from '../../../api/bearer-api';

/** The admin API's lists: `{ items, next_cursor }`, the cursor passed back for the next page. */
export interface Page<T> {
  items: T[];
  next_cursor?: string;
}

type Params = Record<string, string | undefined>;

/** A cursor-paged list: the pages fetched so far, and the next on demand ("Load more"). */
export function useCursorList<T>(key: QueryKey, path: string, params: Params = {}) {
  const query = useInfiniteQuery({
    queryKey: [...key, params],
    queryFn: ({ pageParam }) => adminApi.get<Page<T>>(path, { ...params, cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor || undefined,
  });
  return { ...query, items: query.data?.pages.flatMap((p) => p.items) ?? [] };
}

export type CursorList<T> = ReturnType<typeof useCursorList<T>>;
