/**
 * The fixed category list. Templates carry the subset they use with their labels (so a template
 * file reads on its own), but codes must come from here: reports, thresholds and cross-site views
 * group by category code and must mean the same thing in every tenant.
 */
export const CATALOGUE_CATEGORIES = [
  { code: 'injection', zh: '注射穿刺类', en: 'Injection & puncture' },
  { code: 'infusion', zh: '输液输血类', en: 'Infusion & transfusion' },
  { code: 'dressing', zh: '敷料与伤口护理', en: 'Dressings & wound care' },
  { code: 'protective', zh: '防护用品', en: 'Personal protective equipment' },
  { code: 'catheter', zh: '导管与引流', en: 'Catheters & drainage' },
  { code: 'airway', zh: '麻醉与呼吸', en: 'Anaesthesia & airway' },
  { code: 'suture', zh: '缝合材料', en: 'Sutures & wound closure' },
  { code: 'surgical', zh: '手术器械耗材', en: 'Surgical devices & instruments' },
  { code: 'drape-gown', zh: '手术衣与铺单', en: 'Surgical gowns & drapes' },
  { code: 'implant', zh: '植入物', en: 'Implants' },
  { code: 'diagnostic', zh: '检验与采样', en: 'Diagnostics & specimen collection' },
  { code: 'disinfection', zh: '消毒与灭菌', en: 'Disinfection & sterilisation' },
  { code: 'dental', zh: '口腔耗材', en: 'Dental materials' },
  { code: 'general', zh: '通用护理', en: 'General nursing supplies' },
] as const;

export type CategoryCode = (typeof CATALOGUE_CATEGORIES)[number]['code'];

const CODES: ReadonlySet<string> = new Set(CATALOGUE_CATEGORIES.map((c) => c.code));

export function isCategoryCode(code: string): code is CategoryCode {
  return CODES.has(code);
}
