import { aiDefinition } from './ai-table.ts';
import { isValidGtin } from './check-digit.ts';
import { GS } from './parse-gs1.ts';

/** What a repackaging label carries: GTIN (01), expiry (17), lot (10), count (30). */
export interface Gs1LabelData {
  gtin: string;
  lot?: string | null;
  /** YYYY-MM-DD. */
  expiry?: string | null;
  quantity?: number | null;
}

export interface Gs1Encoded {
  /** Human-readable interpretation, `(01)…(17)…(10)…(30)…`, the text printed under the symbol. */
  parenthesised: string;
  /** The element string as scanned: variable-length values end with GS unless they are last. */
  elementString: string;
  elements: Array<{ ai: string; value: string }>;
}

export type Gs1EncodeProblem = { field: 'gtin' | 'lot' | 'expiry' | 'quantity'; reason: string };

// cset 82: the GS1 invariant characters allowed in alphanumeric AIs such as the lot.
const CSET82 = /^[!"%&'()*+,\-./0-9:;<=>?A-Z_a-z]*$/;

/**
 * Builds the GS1 element string of a label, fixed-length AIs first (01, 17) so that only the
 * variable ones (10, 30) need a separator — the shortest symbol. Returns the problems instead when
 * a value cannot be encoded (a bad check digit, a lot with characters outside cset 82, …).
 */
export function encodeGs1Label(data: Gs1LabelData): Gs1Encoded | { problems: Gs1EncodeProblem[] } {
  const problems: Gs1EncodeProblem[] = [];
  const elements: Array<{ ai: string; value: string }> = [];
  const gtin = data.gtin.padStart(14, '0');
  if (!/^\d{14}$/.test(gtin) || !isValidGtin(gtin)) problems.push({ field: 'gtin', reason: 'invalid_gtin' });
  else elements.push({ ai: '01', value: gtin });
  if (data.expiry) {
    const m = /^\d{2}(\d{2})-(\d{2})-(\d{2})$/.exec(data.expiry);
    if (!m) problems.push({ field: 'expiry', reason: 'invalid_date' });
    else elements.push({ ai: '17', value: `${m[1]}${m[2]}${m[3]}` });
  }
  if (data.lot) {
    if (data.lot.length > aiDefinition('10')!.maxLength) problems.push({ field: 'lot', reason: 'too_long' });
    else if (!CSET82.test(data.lot)) problems.push({ field: 'lot', reason: 'invalid_characters' });
    else elements.push({ ai: '10', value: data.lot });
  }
  if (data.quantity !== undefined && data.quantity !== null) {
    const q = String(data.quantity);
    if (!Number.isInteger(data.quantity) || data.quantity < 0 || q.length > aiDefinition('30')!.maxLength)
      problems.push({ field: 'quantity', reason: 'invalid_count' });
    else elements.push({ ai: '30', value: q });
  }
  if (problems.length) return { problems };
  const parenthesised = elements.map((e) => `(${e.ai})${e.value}`).join('');
  const elementString = elements
    .map((e, i) => {
      const variable = aiDefinition(e.ai)!.fixedLength === undefined;
      return `${e.ai}${e.value}${variable && i < elements.length - 1 ? GS : ''}`;
    })
    .join('');
  return { parenthesised, elementString, elements };
}
