/**
 * The label of a fixed-quantity pack (定数包). Its barcode (Code 128 or QR) holds plain text:
 *
 *   MSPK:<pack code>[:<copy>]      e.g. MSPK:W3-GLOVE-M:2
 *
 * `pack code` is the pack definition's code (letters, digits, `.`, `_`, `-`, at most 32), `copy`
 * numbers the physical copies of that pack a department holds (1–999, default 1), so two opened
 * copies ask for two replenishments while scanning one copy twice asks once. The prefix keeps a
 * pack label from being read as a GS1 item code (which starts with digits or an AI in brackets).
 * A bare pack code (typed by hand) is read as copy 1.
 */
export const PACK_LABEL_PREFIX = 'MSPK:';
const CODE = /^[A-Za-z0-9._-]{1,32}$/;

export interface PackLabel {
  code: string;
  copy: number;
}

export function packLabel(code: string, copy = 1): string {
  return `${PACK_LABEL_PREFIX}${code}${copy === 1 ? '' : `:${copy}`}`;
}

/** The pack code and copy of a scanned label, or null when it is not a pack label. */
export function parsePackLabel(scanned: string): PackLabel | null {
  const text = scanned.trim();
  const body = text.toUpperCase().startsWith(PACK_LABEL_PREFIX) ? text.slice(PACK_LABEL_PREFIX.length) : text;
  const [code, copyText, ...rest] = body.split(':');
  if (rest.length > 0 || !code || !CODE.test(code)) return null;
  if (copyText === undefined) return { code, copy: 1 };
  if (!/^[0-9]{1,3}$/.test(copyText)) return null;
  const copy = Number(copyText);
  return copy >= 1 ? { code, copy } : null;
}
