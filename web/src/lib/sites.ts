import { api, call, type Json } from '../api/client';
import { useApi } from './use-api';

export type Site = Json<'/v1/sites', 'get'>['items'][number];
export type Location = Json<'/v1/sites/{id}/locations', 'get'>['items'][number];
export interface SiteWithLocations extends Site {
  locations: Location[];
}

let cache: Promise<SiteWithLocations[]> | null = null;

/** Every site the caller can see, with its locations; cached until a page changes them. */
export function loadSites(): Promise<SiteWithLocations[]> {
  cache ??= (async () => {
    const sites: Site[] = [];
    let cursor: string | undefined;
    do {
      const page = await call(
        api.GET('/v1/sites', { params: { query: { limit: 200, ...(cursor ? { cursor } : {}) } } }),
      );
      sites.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return Promise.all(
      sites.map(async (s) => ({
        ...s,
        locations: (await call(api.GET('/v1/sites/{id}/locations', { params: { path: { id: s.id } } })))
          .items,
      })),
    );
  })().catch((e) => {
    cache = null;
    throw e;
  });
  return cache;
}

export function invalidateSites() {
  cache = null;
}

export function useSites() {
  return useApi(loadSites, []);
}

export function locationLabel(
  sites: SiteWithLocations[] | undefined,
  locationId: string | null | undefined,
): string {
  if (!sites || !locationId) return '';
  for (const s of sites) {
    const l = s.locations.find((x) => x.id === locationId);
    if (l) return `${s.name} · ${l.name}`;
  }
  return '';
}

export function siteName(sites: SiteWithLocations[] | undefined, siteId: string | null | undefined): string {
  return sites?.find((s) => s.id === siteId)?.name ?? '';
}
