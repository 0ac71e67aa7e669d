import { api, call, type Paths } from '../api/client';

export type ExportKind = 'stock' | 'expiry' | 'ledger' | 'consumption';
type ExportPath = `/v1/exports/${ExportKind}`;
/** Every export's parameters (each route takes its own subset: dates for the ledger and consumption). */
type ExportQuery = Partial<
  NonNullable<Paths['/v1/exports/expiry']['get']['parameters']['query']> &
    NonNullable<Paths['/v1/exports/ledger']['get']['parameters']['query']>
>;

/** Saves bytes the API answered as a file, under the name the server gave (Content-Disposition). */
export function saveBlob(blob: Blob, response: Response, fallback: string) {
  const disposition = response.headers.get('content-disposition') ?? '';
  const utf8 = /filename\*=UTF-8''([^;]+)/i.exec(disposition)?.[1];
  const plain = /filename="([^"]+)"/i.exec(disposition)?.[1];
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = utf8 ? decodeURIComponent(utf8) : (plain ?? fallback);
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * Downloads an export through the generated client (the bearer token goes along), in the app's
 * language, saved under the name the server gives it.
 */
export async function downloadExport(kind: ExportKind, query: ExportQuery, locale: 'zh-CN' | 'en') {
  // One route per export; the query is the one that route takes (the page only sets those).
  const path: ExportPath = `/v1/exports/${kind}`;
  const r = await api.GET(path as '/v1/exports/ledger', {
    params: { query: { ...(query as { from: string; to: string }), lang: locale } },
    headers: { 'Accept-Language': locale },
    parseAs: 'blob',
  });
  const blob = await call(Promise.resolve(r));
  saveBlob(blob as unknown as Blob, r.response, `${kind}.${query.format ?? 'xlsx'}`);
}
