import { useSearch } from 'wouter-preact';

/** Reads one query-string parameter of the current URL (e.g. /alerts?severity=high). */
export function useQueryParam(name: string): string {
  const search = useSearch();
  return new URLSearchParams(search).get(name) ?? '';
}
