import { unitFromWord } from '../../../core/src/units/unit-names.ts';
import type { Locale } from '../i18n/i18n';

/**
 * A unit code in words (piece → 个/piece, box → 盒/box), from core's one table of unit codes and
 * the words clinics use for them. Where the API gives the item's own words (支 for a syringe, 只
 * for a glove), those come first; this is for rows that carry only the code. An unknown code is
 * shown as it is.
 */
export function unitWord(code: string | null | undefined, locale: Locale): string {
  if (!code) return '';
  const u = unitFromWord(code);
  if (!u) return code;
  return (locale === 'zh-CN' ? u.zh : u.en) || code;
}

/** The item's own word for a unit when it has one, else the code's usual word. */
export function itemUnitWord(
  u: { code: string; zh?: string | null; en?: string | null },
  locale: Locale,
): string {
  const own = locale === 'zh-CN' ? u.zh : u.en;
  return own?.trim() ? own : unitWord(u.code, locale);
}

/** A unit word for a count: English plurals (2 boxes, 200 pieces); Chinese words do not change. */
export function unitForCount(word: string, n: number, locale: Locale): string {
  if (locale === 'zh-CN' || n === 1 || !/^[a-z]+$/i.test(word)) return word;
  if (/(s|x|z|ch|sh)$/i.test(word)) return `${word}es`;
  if (/[^aeiou]y$/i.test(word)) return `${word.slice(0, -1)}ies`;
  return `${word}s`;
}
