/**
 * The application identifiers medstock understands. A subset of the GS1 General Specifications
 * (section 3) chosen for what appears on medical-consumable labels (UDI: 01, 11, 17, 10, 21 and
 * the national reimbursement numbers 71x) and on logistic labels a hospital store receives.
 * Real AIs are prefix-free, so any subset is too and an element string can be split greedily.
 */

export type AiCharset = 'numeric' | 'cset82';

/** How a value is interpreted beyond its raw characters. */
export type AiFormat = 'date' | 'date-time' | 'integer' | 'decimal';

export interface AiDefinition {
  readonly ai: string;
  /** GS1 data title, e.g. 'BATCH/LOT'. */
  readonly title: string;
  readonly charset: AiCharset;
  /** Set for fixed-length values; variable-length values are bounded by maxLength only. */
  readonly fixedLength?: number;
  readonly maxLength: number;
  /** The last digit is a GS1 mod-10 check digit (GTIN, SSCC, GLN). */
  readonly checkDigit?: boolean;
  readonly format?: AiFormat;
  /** For 'date': whether DD = 00 ("day not specified") is allowed. */
  readonly dayMayBeZero?: boolean;
  /** For 'decimal': implied decimal places (the n of 310n). */
  readonly decimals?: number;
}

const fixed = (
  ai: string,
  title: string,
  length: number,
  extra: Partial<AiDefinition> = {},
): AiDefinition => ({
  ai,
  title,
  charset: 'numeric',
  fixedLength: length,
  maxLength: length,
  ...extra,
});

const variable = (
  ai: string,
  title: string,
  maxLength: number,
  charset: AiCharset = 'cset82',
): AiDefinition => ({
  ai,
  title,
  charset,
  maxLength,
  ...(charset === 'numeric' ? { format: 'integer' as const } : {}),
});

// GS1 allows DD = 00 for these YYMMDD dates (day not specified); see General Specifications 3.4.
const date = (ai: string, title: string): AiDefinition =>
  fixed(ai, title, 6, { format: 'date', dayMayBeZero: true });

const measures: AiDefinition[] = [
  ['310', 'NET WEIGHT (kg)'],
  ['311', 'LENGTH (m)'],
  ['312', 'WIDTH (m)'],
  ['313', 'HEIGHT (m)'],
  ['314', 'AREA (m2)'],
  ['315', 'NET VOLUME (l)'],
  ['316', 'NET VOLUME (m3)'],
].flatMap(([prefix, title]) =>
  [0, 1, 2, 3, 4, 5].map((n) => fixed(`${prefix}${n}`, title!, 6, { format: 'decimal', decimals: n })),
);

const glns: AiDefinition[] = [
  ['410', 'SHIP TO LOC'],
  ['411', 'BILL TO'],
  ['412', 'PURCHASE FROM'],
  ['413', 'SHIP FOR LOC'],
  ['414', 'LOC No.'],
  ['415', 'PAY TO'],
  ['416', 'PROD/SERV LOC'],
  ['417', 'PARTY'],
].map(([ai, title]) => fixed(ai!, title!, 13, { checkDigit: true }));

const nhrns: AiDefinition[] = [
  ['710', 'NHRN PZN'],
  ['711', 'NHRN CIP'],
  ['712', 'NHRN CN'],
  ['713', 'NHRN DRN'],
  ['714', 'NHRN AIM'],
  ['715', 'NHRN NDC'],
].map(([ai, title]) => variable(ai!, title!, 20));

const internal: AiDefinition[] = [
  variable('90', 'INTERNAL', 30),
  ...[91, 92, 93, 94, 95, 96, 97, 98, 99].map((n) => variable(String(n), 'INTERNAL', 90)),
];

const definitions: AiDefinition[] = [
  fixed('00', 'SSCC', 18, { checkDigit: true }),
  fixed('01', 'GTIN', 14, { checkDigit: true }),
  fixed('02', 'CONTENT', 14, { checkDigit: true }),
  variable('10', 'BATCH/LOT', 20),
  date('11', 'PROD DATE'),
  date('12', 'DUE DATE'),
  date('13', 'PACK DATE'),
  date('15', 'BEST BEFORE or BEST BY'),
  date('16', 'SELL BY'),
  date('17', 'USE BY or EXPIRY'),
  fixed('20', 'VARIANT', 2),
  variable('21', 'SERIAL', 20),
  variable('22', 'CPV', 20),
  variable('240', 'ADDITIONAL ID', 30),
  variable('241', 'CUST. PART No.', 30),
  variable('242', 'MTO VARIANT', 6, 'numeric'),
  variable('243', 'PCN', 20),
  variable('250', 'SECONDARY SERIAL', 30),
  variable('251', 'REF. TO SOURCE', 30),
  variable('254', 'GLN EXTENSION COMPONENT', 20),
  variable('30', 'VAR. COUNT', 8, 'numeric'),
  ...measures,
  variable('37', 'COUNT', 8, 'numeric'),
  variable('400', 'ORDER NUMBER', 30),
  variable('401', 'GINC', 30),
  fixed('402', 'GSIN', 17, { checkDigit: true }),
  variable('403', 'ROUTE', 30),
  ...glns,
  variable('420', 'SHIP TO POST', 20),
  fixed('422', 'ORIGIN', 3),
  fixed('7003', 'EXPIRY TIME', 10, { format: 'date-time' }),
  ...nhrns,
  variable('7240', 'PROTOCOL', 20),
  variable('8004', 'GIAI', 30),
  variable('8012', 'VERSION', 20),
  variable('8020', 'REF No.', 25),
  ...internal,
];

export const AI_TABLE: ReadonlyMap<string, AiDefinition> = new Map(definitions.map((d) => [d.ai, d]));

/** The definition for an exact AI, or undefined when medstock does not support it. */
export function aiDefinition(ai: string): AiDefinition | undefined {
  return AI_TABLE.get(ai);
}
