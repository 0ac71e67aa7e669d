import { type AiDefinition, aiDefinition } from './ai-table.ts';
import { gtinCheckDigit, hasValidCheckDigit, normaliseGtin } from './check-digit.ts';
import { parseGs1Date, parseGs1DateTime } from './gs1-date.ts';
import { Gs1ParseError } from './gs1-error.ts';

/** ASCII group separator: what scanners send for FNC1 between GS1 elements. */
export const GS = '\u001d';

export type Gs1Form = 'element-string' | 'parenthesised' | 'plain-gtin';

export interface Gs1Element {
  readonly ai: string;
  readonly title: string;
  /** The value as encoded (dates stay YYMMDD); a plain GTIN is padded to 14 digits as AI 01 carries it. */
  readonly value: string;
  /** 0-based offset of the AI in the original input. */
  readonly position: number;
  /** ISO date (YYYY-MM-DD) or date-time (YYYY-MM-DDTHH:MM) for date AIs. */
  readonly date?: string;
  /** Date AIs only: DD was 00 and `date` is the month's last day. */
  readonly dayOmitted?: boolean;
  /** Counts (30, 37, 242) as integers and measures (310n…) with their implied decimals applied. */
  readonly number?: number;
}

export interface Gs1ParseResult {
  readonly form: Gs1Form;
  /** Symbology identifier without the leading ']', e.g. 'C1', 'd2', 'Q3', when the scanner sent one. */
  readonly symbologyId?: string;
  /** Always 14 digits (AI 01, or a plain GTIN-8/12/13/14 padded with zeros). */
  readonly gtin?: string;
  /** AI 10. */
  readonly lot?: string;
  /** AI 17 as YYYY-MM-DD. */
  readonly expiry?: string;
  /** AI 11 as YYYY-MM-DD. */
  readonly productionDate?: string;
  /** AI 15 as YYYY-MM-DD; kept apart from expiry because "best before" is not "use by". */
  readonly bestBefore?: string;
  /** AI 21. */
  readonly serial?: string;
  /** AI 30 (variable count of items). */
  readonly count?: number;
  /** Every AI and its raw value; the raw view integrators store alongside a movement. */
  readonly ais: Readonly<Record<string, string>>;
  readonly elements: readonly Gs1Element[];
}

export interface Gs1ParseOptions {
  /**
   * The date two-digit years are resolved against (only its UTC year is used). Defaults to the
   * current clock; pass it explicitly wherever results must be reproducible.
   */
  readonly referenceDate?: Date;
  /**
   * Characters accepted as the FNC1 separator. Defaults to GS only; some keyboard-wedge scanners
   * are configured to send another character, which the caller can name here.
   */
  readonly separators?: string;
}

// Symbologies whose data is a GS1 element string once the FNC1 in first position is implied:
// GS1-128 (C1), GS1 DataBar (e0), GS1 DataMatrix (d2), GS1 QR (Q3), GS1 DotCode (J1).
const ELEMENT_STRING_SYMBOLOGIES = new Set(['C1', 'e0', 'd2', 'Q3', 'J1']);
// EAN/UPC (E…) and ITF-14 (I1) carry a bare GTIN.
const PLAIN_GTIN_SYMBOLOGY = /^(E[0-4]|I1)$/;
const PLAIN_GTIN = /^(\d{8}|\d{12,14})$/;
// GS1 AI encodable character set 82 (General Specifications figure 7.11-1).
const CSET82 = /^[!"%&'()*+,\-./0-9:;<=>?A-Z_a-z]*$/;
const PAREN_AI = /\((\d{2,4})\)/g;

/**
 * Parses what a barcode scanner sends for a GS1 symbol, in any of the forms a hospital store meets:
 *  - a raw element string with GS separators, optionally preceded by a symbology identifier
 *    (']C1', ']d2', ']Q3', …) and/or a leading GS standing for FNC1;
 *  - the human-readable form with parenthesised AIs, e.g. '(01)09506000134352(17)201225(10)ABC123';
 *  - a plain GTIN-8/12/13/14 from an EAN/UPC or ITF-14 symbol.
 * Throws Gs1ParseError with a stable code; nothing is silently dropped or guessed.
 */
export function parseGs1(input: string, options: Gs1ParseOptions = {}): Gs1ParseResult {
  const referenceYear = (options.referenceDate ?? new Date()).getUTCFullYear();
  const separators = options.separators ?? GS;

  // Scanners append CR/LF or a tab; leading spaces come from copy-paste. Trimming never removes
  // GS (it is not whitespace), so an intentional separator survives.
  const leading = input.length - input.trimStart().length;
  const trimmed = input.trim();
  if (trimmed.length === 0) throw new Gs1ParseError('gs1.empty', 'barcode is empty');

  let offset = leading;
  let data = trimmed;
  let symbologyId: string | undefined;
  const prefix = /^\]([A-Za-z][0-9A-Za-z])/.exec(data);
  if (prefix) {
    symbologyId = prefix[1]!;
    offset += 3;
    data = data.slice(3);
  }
  if (data.length === 0) {
    throw new Gs1ParseError('gs1.empty', `barcode has only the symbology identifier ]${symbologyId}`);
  }

  if (data.startsWith('+')) {
    throw new Gs1ParseError('gs1.not_gs1', 'barcode starts with "+": this is a HIBC code, not GS1', {
      position: offset,
    });
  }

  const base = symbologyId === undefined ? {} : { symbologyId };
  const forced = symbologyId !== undefined && ELEMENT_STRING_SYMBOLOGIES.has(symbologyId);
  if (!forced && data.startsWith('(')) {
    return buildResult('parenthesised', base, parseParenthesised(data, offset, referenceYear));
  }
  if (!forced && (PLAIN_GTIN.test(data) || (symbologyId && PLAIN_GTIN_SYMBOLOGY.test(symbologyId)))) {
    return buildResult('plain-gtin', base, [parsePlainGtin(data, offset)]);
  }
  return buildResult('element-string', base, parseElementString(data, offset, referenceYear, separators));
}

function parsePlainGtin(data: string, offset: number): Gs1Element {
  if (!PLAIN_GTIN.test(data)) {
    throw new Gs1ParseError(
      /^\d+$/.test(data) ? 'gs1.bad_length' : 'gs1.bad_char',
      `EAN/UPC barcode must be a GTIN of 8, 12, 13 or 14 digits, got '${data}' at position ${offset}`,
      { ai: '01', position: offset },
    );
  }
  if (!hasValidCheckDigit(data)) {
    throw checkDigitError('01', data, offset);
  }
  return { ai: '01', title: 'GTIN', value: normaliseGtin(data), position: offset };
}

function parseElementString(
  data: string,
  offset: number,
  referenceYear: number,
  separators: string,
): Gs1Element[] {
  const isSeparator = (ch: string | undefined) => ch !== undefined && separators.includes(ch);
  const elements: Gs1Element[] = [];
  let pos = 0;
  while (pos < data.length) {
    // A leading separator stands for FNC1 in first position; a trailing or doubled one is noise
    // some encoders emit and carries no data.
    if (isSeparator(data[pos])) {
      pos++;
      continue;
    }
    const def = matchAi(data, pos, offset);
    const aiPos = offset + pos;
    const valueStart = pos + def.ai.length;
    let valueEnd: number;
    if (def.fixedLength !== undefined) {
      valueEnd = valueStart + def.fixedLength;
      const available = data.slice(valueStart, Math.min(valueEnd, data.length));
      const sepAt = [...available].findIndex((ch) => isSeparator(ch));
      if (valueEnd > data.length || sepAt !== -1) {
        const got = sepAt === -1 ? available.length : sepAt;
        throw new Gs1ParseError(
          'gs1.truncated',
          `AI (${def.ai}) ${def.title} at position ${aiPos} needs ${def.fixedLength} characters, got ${got}`,
          { ai: def.ai, position: aiPos },
        );
      }
    } else {
      let end = valueStart;
      while (end < data.length && !isSeparator(data[end])) end++;
      valueEnd = end;
      const length = valueEnd - valueStart;
      if (length > def.maxLength) {
        throw new Gs1ParseError(
          'gs1.too_long',
          `AI (${def.ai}) ${def.title} at position ${aiPos} is ${length} characters, at most ${def.maxLength} allowed` +
            ' (is a GS separator missing after it?)',
          { ai: def.ai, position: aiPos },
        );
      }
    }
    const value = data.slice(valueStart, valueEnd);
    elements.push(interpret(def, value, aiPos, offset + valueStart, referenceYear));
    pos = valueEnd;
  }
  if (elements.length === 0) {
    throw new Gs1ParseError('gs1.empty', 'barcode holds separators only, no element strings');
  }
  return elements;
}

function matchAi(data: string, pos: number, offset: number): AiDefinition {
  const position = offset + pos;
  for (const length of [2, 3, 4]) {
    const candidate = data.slice(pos, pos + length);
    if (!/^\d+$/.test(candidate)) break;
    if (candidate.length < length) {
      throw new Gs1ParseError(
        'gs1.truncated',
        `barcode ends inside an application identifier ('${candidate}') at position ${position}`,
        { position },
      );
    }
    const def = aiDefinition(candidate);
    if (def) return def;
  }
  const shown = data.slice(pos, pos + 4);
  throw new Gs1ParseError(
    'gs1.unknown_ai',
    /^\d/.test(shown)
      ? `unknown or unsupported application identifier at position ${position} ('${shown}…')`
      : `expected an application identifier (digits) at position ${position}, found '${shown}'`,
    { position },
  );
}

function parseParenthesised(data: string, offset: number, referenceYear: number): Gs1Element[] {
  // Values may themselves contain '(' (it is in character set 82), so a value ends only where the
  // next well-formed '(NN…)' begins. A lot like 'A(12)B' is ambiguous in this form by nature;
  // the raw element string is the unambiguous one.
  const starts = [...data.matchAll(PAREN_AI)].map((m) => ({
    index: m.index,
    ai: m[1]!,
    length: m[0].length,
  }));
  if (starts.length === 0 || starts[0]!.index !== 0) {
    throw new Gs1ParseError(
      'gs1.bad_syntax',
      `human-readable GS1 must start with an AI in parentheses such as '(01)', found '${data.slice(0, 6)}'`,
      { position: offset },
    );
  }
  return starts.map((start, i) => {
    const aiPos = offset + start.index;
    const def = aiDefinition(start.ai);
    if (!def) {
      throw new Gs1ParseError(
        'gs1.unknown_ai',
        `unknown or unsupported application identifier (${start.ai}) at position ${aiPos}`,
        { ai: start.ai, position: aiPos },
      );
    }
    const valueStart = start.index + start.length;
    const valueEnd = starts[i + 1]?.index ?? data.length;
    // Printed labels put spaces between elements; space is outside character set 82, so it can
    // only be layout.
    const value = data.slice(valueStart, valueEnd).trim();
    const length = value.length;
    const fixedOrMax = def.fixedLength ?? def.maxLength;
    if ((def.fixedLength !== undefined && length < def.fixedLength) || length === 0) {
      throw new Gs1ParseError(
        'gs1.truncated',
        `AI (${def.ai}) ${def.title} at position ${aiPos} needs ${def.fixedLength ?? 'at least 1'} characters, got ${length}`,
        { ai: def.ai, position: aiPos },
      );
    }
    if (length > fixedOrMax) {
      throw new Gs1ParseError(
        'gs1.too_long',
        `AI (${def.ai}) ${def.title} at position ${aiPos} is ${length} characters, ` +
          `${def.fixedLength !== undefined ? 'exactly' : 'at most'} ${fixedOrMax} allowed`,
        { ai: def.ai, position: aiPos },
      );
    }
    return interpret(def, value, aiPos, offset + valueStart, referenceYear);
  });
}

/** Character, check-digit and date validation common to both forms; returns the element. */
function interpret(
  def: AiDefinition,
  value: string,
  aiPos: number,
  valuePos: number,
  referenceYear: number,
): Gs1Element {
  if (value.length === 0) {
    throw new Gs1ParseError(
      'gs1.truncated',
      `AI (${def.ai}) ${def.title} at position ${aiPos} has no value`,
      {
        ai: def.ai,
        position: aiPos,
      },
    );
  }
  const charOk = def.charset === 'numeric' ? /^\d+$/.test(value) : CSET82.test(value);
  if (!charOk) {
    const bad = [...value].findIndex((ch) => (def.charset === 'numeric' ? !/\d/.test(ch) : !CSET82.test(ch)));
    const ch = value[bad] ?? '';
    const shown = ch.charCodeAt(0) < 32 ? `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}` : ch;
    throw new Gs1ParseError(
      'gs1.bad_char',
      `AI (${def.ai}) ${def.title} at position ${aiPos} has invalid character '${shown}' at position ${valuePos + bad}` +
        (def.charset === 'numeric' ? ' (digits only)' : ''),
      { ai: def.ai, position: valuePos + bad },
    );
  }
  if (def.checkDigit && !hasValidCheckDigit(value)) {
    throw checkDigitError(def.ai, value, aiPos);
  }
  const element: { -readonly [K in keyof Gs1Element]: Gs1Element[K] } = {
    ai: def.ai,
    title: def.title,
    value,
    position: aiPos,
  };
  if (def.format === 'date' || def.format === 'date-time') {
    const parsed =
      def.format === 'date'
        ? parseGs1Date(value, referenceYear, def.dayMayBeZero ?? false)
        : parseGs1DateTime(value, referenceYear);
    if ('error' in parsed) {
      throw new Gs1ParseError(
        'gs1.bad_date',
        `AI (${def.ai}) ${def.title} at position ${aiPos}: '${value}' is not a valid date (${parsed.error})`,
        { ai: def.ai, position: aiPos },
      );
    }
    element.date = parsed.iso;
    if ('dayOmitted' in parsed) element.dayOmitted = parsed.dayOmitted;
  } else if (def.format === 'integer') {
    element.number = Number(value);
  } else if (def.format === 'decimal') {
    element.number = Number(value) / 10 ** (def.decimals ?? 0);
  }
  return element;
}

function checkDigitError(ai: string, value: string, position: number): Gs1ParseError {
  const expected = gtinCheckDigit(value.slice(0, -1));
  return new Gs1ParseError(
    'gs1.check_digit',
    `AI (${ai}) at position ${position}: '${value}' has check digit ${value.at(-1)}, expected ${expected}`,
    { ai, position },
  );
}

function buildResult(form: Gs1Form, base: { symbologyId?: string }, elements: Gs1Element[]): Gs1ParseResult {
  const ais: Record<string, string> = {};
  const unique: Gs1Element[] = [];
  for (const element of elements) {
    const previous = ais[element.ai];
    if (previous === undefined) {
      ais[element.ai] = element.value;
      unique.push(element);
    } else if (previous !== element.value) {
      // The same AI twice with different values makes the symbol meaningless (General
      // Specifications 4.14); an exact repeat is harmless and kept once.
      throw new Gs1ParseError(
        'gs1.duplicate_ai',
        `AI (${element.ai}) appears twice with different values ('${previous}', '${element.value}'), ` +
          `second at position ${element.position}`,
        { ai: element.ai, position: element.position },
      );
    }
  }
  const find = (ai: string) => unique.find((e) => e.ai === ai);
  const result: { -readonly [K in keyof Gs1ParseResult]: Gs1ParseResult[K] } = {
    form,
    ...base,
    ais,
    elements: unique,
  };
  const gtin = find('01');
  if (gtin) result.gtin = gtin.value.padStart(14, '0');
  const lot = find('10');
  if (lot) result.lot = lot.value;
  const expiry = find('17')?.date;
  if (expiry) result.expiry = expiry;
  const production = find('11')?.date;
  if (production) result.productionDate = production;
  const bestBefore = find('15')?.date;
  if (bestBefore) result.bestBefore = bestBefore;
  const serial = find('21');
  if (serial) result.serial = serial.value;
  const count = find('30')?.number;
  if (count !== undefined) result.count = count;
  return result;
}
