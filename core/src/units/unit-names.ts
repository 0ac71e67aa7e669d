import type { UnitLabel } from './unit-types.ts';
import { UNIT_CODE_PATTERN } from './validate-pack-units.ts';

/**
 * Unit codes and the words clinics write for them. A code is stable; its Chinese word varies by
 * item (a syringe is 支, a glove 只, a dressing 片 — all `piece`), so each word is listed under
 * the code it means, the first being the usual one. Used where a sheet names a unit in words and
 * no item says otherwise (a new item's base unit, its pack units).
 */
const COMMON_UNITS: readonly { code: string; zh: readonly string[]; en: string }[] = [
  { code: 'piece', zh: ['个', '支', '只', '根', '片', '枚', '把', '块', '件', '条', '粒'], en: 'piece' },
  { code: 'box', zh: ['盒'], en: 'box' },
  { code: 'case', zh: ['箱'], en: 'case' },
  { code: 'pack', zh: ['包'], en: 'pack' },
  { code: 'bag', zh: ['袋'], en: 'bag' },
  { code: 'set', zh: ['套'], en: 'set' },
  { code: 'bottle', zh: ['瓶'], en: 'bottle' },
  { code: 'vial', zh: ['安瓿', '西林瓶'], en: 'vial' },
  { code: 'roll', zh: ['卷'], en: 'roll' },
  { code: 'pair', zh: ['双', '副'], en: 'pair' },
  { code: 'sheet', zh: ['张'], en: 'sheet' },
  { code: 'tub', zh: ['桶'], en: 'tub' },
  { code: 'card', zh: ['板'], en: 'card' },
  { code: 'test', zh: ['人份'], en: 'test' },
  { code: 'pad', zh: ['本'], en: 'pad' },
  { code: 'ml', zh: ['毫升'], en: 'ml' },
  { code: 'kit', zh: ['具'], en: 'kit' },
];

/**
 * The unit a word names: a unit code as it is (`box` → box, with its usual Chinese word), or a
 * Chinese word under its code (`支` → piece, labelled 支). Null for a word that is neither.
 */
export function unitFromWord(word: string): Required<UnitLabel> | null {
  const w = word.trim();
  const lower = w.toLowerCase();
  const byCode = COMMON_UNITS.find((u) => u.code === lower || u.en === lower);
  if (byCode) return { code: byCode.code, zh: byCode.zh[0]!, en: byCode.en };
  const byWord = COMMON_UNITS.find((u) => u.zh.includes(w));
  if (byWord) return { code: byWord.code, zh: w, en: byWord.en };
  return UNIT_CODE_PATTERN.test(lower) ? { code: lower, zh: '', en: lower } : null;
}
