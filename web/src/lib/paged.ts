import { useEffect, useState } from 'preact/hooks';
import type { ApiError } from '../api/client';
import { useApi } from './use-api';

/** A cursor-paginated list: the first page on load, more on demand. */
export function usePaged<T>(
  load: (cursor?: string) => Promise<{ items: T[]; nextCursor: string | null }>,
  deps: unknown[],
) {
  const first = useApi(() => load(), deps);
  const [items, setItems] = useState<T[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [moreError, setMoreError] = useState<ApiError>();
  useEffect(() => {
    if (first.data) {
      setItems(first.data.items);
      setCursor(first.data.nextCursor);
    }
  }, [first.data]);
  const more = async () => {
    if (!cursor) return;
    try {
      const page = await load(cursor);
      setItems((x) => [...x, ...page.items]);
      setCursor(page.nextCursor);
    } catch (e) {
      setMoreError(e as ApiError);
    }
  };
  return {
    items,
    hasMore: cursor !== null,
    more,
    loading: first.loading,
    error: first.error ?? moreError,
    reload: first.reload,
  };
}
