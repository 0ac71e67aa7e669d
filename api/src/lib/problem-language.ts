import type { FieldError, ProblemParams } from './problem.ts';
import { PROBLEM_MESSAGES, type ProblemLocale, type ProblemText } from './problem-messages/index.ts';

/**
 * The language of a problem's words. The web always sends its locale; an integrator that sends
 * no Accept-Language (or only languages we do not speak) gets English, the language of API
 * documentation and logs. Any Chinese (zh, zh-Hans, zh-CN, zh-SG, even zh-TW) gets 简体中文: the
 * only Chinese we write, and closer to the reader than English.
 */
export const DEFAULT_PROBLEM_LOCALE: ProblemLocale = 'en';

export function negotiateLocale(header: string | string[] | undefined): ProblemLocale {
  const value = Array.isArray(header) ? header.join(',') : header;
  if (!value) return DEFAULT_PROBLEM_LOCALE;
  const ranges = value
    .split(',')
    .map((part, index) => {
      const [tag = '', ...attrs] = part.trim().split(';');
      const q = attrs.map((a) => a.trim().match(/^q=([0-9.]+)$/i)?.[1]).find((x) => x !== undefined);
      return { tag: tag.trim().toLowerCase(), q: q === undefined ? 1 : Number(q), index };
    })
    .filter((r) => r.tag && r.q > 0 && !Number.isNaN(r.q))
    // Highest quality first; equal quality keeps the sender's order.
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const { tag } of ranges) {
    if (tag === 'zh' || tag.startsWith('zh-')) return 'zh-CN';
    if (tag === 'en' || tag.startsWith('en-') || tag === '*') return 'en';
  }
  return DEFAULT_PROBLEM_LOCALE;
}

/**
 * `{name}` inserts a param as given; `{@name}` inserts its catalogue term: `term.<name>.<value>`
 * (`{@resource}` with 'purchase_order' → term.resource.purchase_order → 采购单), else
 * `term.<value>`, else the value itself.
 */
const PLACEHOLDER = /\{(@?)([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** The placeholder names of a text (`{@resource}` and `{resource}` both name `resource`). */
export function placeholdersOf(text: string | undefined): string[] {
  return [...(text ?? '').matchAll(PLACEHOLDER)].map((m) => m[2] as string);
}

export function termText(name: string, value: string, locale: ProblemLocale): string {
  return (
    PROBLEM_MESSAGES[`term.${name}.${value}`]?.[locale]?.title ??
    // {@field} names a request field by its label (field.lotNumber → 批号).
    PROBLEM_MESSAGES[`${name}.${value}`]?.[locale]?.title ??
    PROBLEM_MESSAGES[`term.${value}`]?.[locale]?.title ??
    value
  );
}

function paramText(name: string, value: unknown, asTerm: boolean, locale: ProblemLocale): string {
  if (Array.isArray(value))
    return value.map((v) => paramText(name, v, asTerm, locale)).join(locale === 'zh-CN' ? '、' : ', ');
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return asTerm ? termText(name, text, locale) : text;
}

/** Fills a catalogue text; a placeholder without a value stays visible, so a test notices it. */
export function fillText(text: string, params: ProblemParams, locale: ProblemLocale): string {
  return text.replace(PLACEHOLDER, (whole, at: string, name: string) => {
    const value = params[name];
    return value === undefined || value === null ? whole : paramText(name, value, at === '@', locale);
  });
}

export function catalogueEntry(key: string, locale: ProblemLocale): ProblemText | undefined {
  return PROBLEM_MESSAGES[key]?.[locale];
}

/** `body:/lines/0/expiresOn` → `expiresOn`: the last named segment of a field path. */
export function fieldName(field: string): string {
  const segments = field
    .replace(/^[a-z]+:/, '')
    .split('/')
    .filter((s) => s && !/^\d+$/.test(s));
  return segments.at(-1) ?? '';
}

/**
 * A field's name as its reader knows it (`field.<name>` in the catalogue: 数量 / Quantity). A
 * field the catalogue does not name yet keeps its machine name (a test lists every request field).
 */
export function fieldLabel(field: string, locale: ProblemLocale): string {
  const name = fieldName(field);
  if (!name) return catalogueEntry('field._body', locale)?.title ?? 'body';
  return catalogueEntry(`field.${name}`, locale)?.title ?? name;
}

/** One validator complaint, as the request validator (ajv) reports it. */
export interface ValidationIssue {
  instancePath?: string;
  schemaPath?: string;
  message?: string;
  keyword?: string;
  params?: Record<string, unknown>;
}

/** The catalogue key of a validator complaint's words: `validation.minimum`, `validation.type.integer`. */
function validationKey(v: ValidationIssue): string {
  const keyword = v.keyword ?? 'invalid';
  if (keyword === 'type' && v.params?.type !== undefined) {
    const types = (Array.isArray(v.params.type) ? v.params.type : String(v.params.type).split(',')).map(
      String,
    );
    const key = `validation.type.${types.find((t) => t !== 'null') ?? types[0]}`;
    if (PROBLEM_MESSAGES[key]) return key;
  }
  // One literal of a union of literals: the value is simply not one of those offered.
  if (keyword === 'const' && /\/anyOf\/\d+$/.test(v.schemaPath ?? '')) return 'validation.enum.unlisted';
  if (keyword === 'format' && typeof v.params?.format === 'string') {
    const key = `validation.format.${v.params.format}`;
    if (PROBLEM_MESSAGES[key]) return key;
  }
  // "at least 1 character / entry" reads better as "must not be empty".
  if ((keyword === 'minLength' || keyword === 'minItems') && v.params?.limit === 1)
    return `validation.${keyword}.one`;
  const key = `validation.${keyword}`;
  return PROBLEM_MESSAGES[key] ? key : 'validation.invalid';
}

/** The placeholder values a validator complaint offers (never its regex). */
function validationParams(v: ValidationIssue): ProblemParams {
  const p = v.params ?? {};
  const out: ProblemParams = {};
  if (typeof p.limit === 'number' || typeof p.limit === 'string') out.limit = p.limit;
  if (typeof p.multipleOf === 'number') out.multipleOf = p.multipleOf;
  if (Array.isArray(p.allowedValues)) out.allowedValues = p.allowedValues.map(String);
  if (p.allowedValue !== undefined) out.allowedValue = String(p.allowedValue);
  return out;
}

/**
 * A validator complaint as field errors: machine path, localised message and label. Several
 * missing properties are one complaint to the validator, and one field error each here.
 */
export function validationFieldErrors(
  v: ValidationIssue,
  context: string | undefined,
  locale: ProblemLocale,
): FieldError[] {
  const missing = v.params?.requiredProperties ?? v.params?.missingProperty;
  if (v.keyword === 'required' && Array.isArray(missing) && missing.length > 1)
    return missing.map((name) =>
      validationFieldError({ ...v, params: { missingProperty: name } }, context, locale),
    );
  return [validationFieldError(v, context, locale)];
}

function validationFieldError(
  v: ValidationIssue,
  context: string | undefined,
  locale: ProblemLocale,
): FieldError {
  let path = v.instancePath ?? '';
  const missing = v.params?.requiredProperties ?? v.params?.missingProperty;
  if (v.keyword === 'required' && missing) path += `/${Array.isArray(missing) ? missing.join(',') : missing}`;
  const extra = v.params?.additionalProperties ?? v.params?.additionalProperty;
  if (v.keyword === 'additionalProperties' && extra)
    path += `/${Array.isArray(extra) ? extra.join(',') : extra}`;
  const field = `${context ?? 'body'}:${path || '/'}`;
  const key = validationKey(v);
  const params = validationParams(v);
  const text = catalogueEntry(key, locale);
  return {
    field,
    message: text ? fillText(text.title, params, locale) : (v.message ?? 'invalid'),
    code: v.keyword,
    // An unknown field has no label of ours: its name is what the sender wrote.
    label: v.keyword === 'additionalProperties' ? fieldName(field) : fieldLabel(field, locale),
    ...(Object.keys(params).length ? { params } : {}),
  };
}

/**
 * A field error a service raised, in the response's language: its words are the catalogue entry
 * of its own `messageKey` or `code` (else the problem's), the entry's `field` text (else its detail), filled with
 * the problem's params and the field error's own.
 */
export function localiseFieldError(
  e: FieldError,
  problemKey: string,
  problemParams: ProblemParams,
  locale: ProblemLocale,
): FieldError {
  const { messageKey, ...sent } = e;
  const ownKey = messageKey ?? e.code;
  const own = ownKey
    ? (PROBLEM_MESSAGES[ownKey.replace('.', '_')] ??
      PROBLEM_MESSAGES[ownKey] ??
      // A service's field error may use a validation keyword as its code ('required').
      PROBLEM_MESSAGES[`validation.${ownKey}`])
    : undefined;
  const text = (own ?? PROBLEM_MESSAGES[problemKey])?.[locale];
  const words = text?.field ?? text?.detail ?? text?.title;
  const params = { ...problemParams, ...(e.params ?? {}) };
  return {
    ...sent,
    message: words ? fillText(words, params, locale) : e.message,
    label: fieldLabel(e.field, locale),
  };
}

/** A problem's title and detail in `locale`, from its catalogue entry; the given words otherwise. */
export function localiseProblem(
  key: string,
  params: ProblemParams,
  locale: ProblemLocale,
  fallback: { title: string; detail?: string },
): { title: string; detail?: string; known: boolean } {
  const text = catalogueEntry(key, locale);
  if (!text) return { ...fallback, known: false };
  return {
    title: fillText(text.title, params, locale),
    ...(text.detail !== undefined ? { detail: fillText(text.detail, params, locale) } : {}),
    known: true,
  };
}
