import { type ComponentChildren, createContext } from 'preact';
import { useContext, useMemo, useState } from 'preact/hooks';
import { en, type MessageKey } from './messages.en';
import { zhCN } from './messages.zh-CN';

export type Locale = 'zh-CN' | 'en';
export type { MessageKey };

export const CATALOGUES: Record<Locale, Record<MessageKey, string>> = { 'zh-CN': zhCN, en };
const STORAGE_KEY = 'medstock.locale';

export function initialLocale(): Locale {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (saved === 'en' || saved === 'zh-CN') return saved;
  } catch {}
  return 'zh-CN';
}

export type Vars = Record<string, string | number>;

export function translate(locale: Locale, key: MessageKey, vars?: Vars): string {
  const text = CATALOGUES[locale][key] ?? en[key] ?? key;
  return vars ? text.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m)) : text;
}

export interface I18n {
  locale: Locale;
  t: (key: MessageKey, vars?: Vars) => string;
  /** Picks the text of a bilingual API field ({zh, en}). */
  pick: (text: { zh: string; en: string } | null | undefined) => string;
  /** An item's name in the current language. */
  name: (x: { nameZh?: string; nameEn?: string; itemNameZh?: string; itemNameEn?: string }) => string;
  num: (n: number | null | undefined, digits?: number) => string;
  money: (n: number | null | undefined) => string;
  pct: (n: number | null | undefined) => string;
  date: (iso: string | null | undefined) => string;
  dateTime: (iso: string | null | undefined) => string;
  setLocale: (l: Locale) => void;
}

function makeI18n(locale: Locale, setLocale: (l: Locale) => void): I18n {
  const numFmt = new Intl.NumberFormat(locale, { maximumFractionDigits: 2 });
  const moneyFmt = new Intl.NumberFormat(locale, {
    style: 'currency',
    currency: 'CNY',
    maximumFractionDigits: 2,
  });
  const pctFmt = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 });
  const dateFmt = new Intl.DateTimeFormat(locale, { year: 'numeric', month: '2-digit', day: '2-digit' });
  const dtFmt = new Intl.DateTimeFormat(locale, { dateStyle: 'short', timeStyle: 'short' });
  const dash = '—';
  return {
    locale,
    setLocale,
    t: (key, vars) => translate(locale, key, vars),
    pick: (text) => (text ? (locale === 'zh-CN' ? text.zh : text.en) : ''),
    name: (x) => (locale === 'zh-CN' ? (x.nameZh ?? x.itemNameZh ?? '') : (x.nameEn ?? x.itemNameEn ?? '')),
    num: (n, digits) =>
      n === null || n === undefined || Number.isNaN(n)
        ? dash
        : digits === undefined
          ? numFmt.format(n)
          : new Intl.NumberFormat(locale, { maximumFractionDigits: digits }).format(n),
    money: (n) => (n === null || n === undefined ? dash : moneyFmt.format(n)),
    // A probability the engine could not compute is "unknown", never a dash that reads as 0.
    pct: (n) => (n === null || n === undefined ? translate(locale, 'common.unknown') : pctFmt.format(n)),
    date: (iso) => (iso ? dateFmt.format(new Date(iso.length === 10 ? `${iso}T00:00:00` : iso)) : dash),
    dateTime: (iso) => (iso ? dtFmt.format(new Date(iso)) : dash),
  };
}

const I18nContext = createContext<I18n>(makeI18n('zh-CN', () => {}));

export function I18nProvider({ children }: { children: ComponentChildren }) {
  const [locale, setLocaleState] = useState<Locale>(initialLocale);
  const value = useMemo(
    () =>
      makeI18n(locale, (l) => {
        try {
          localStorage.setItem(STORAGE_KEY, l);
        } catch {}
        document.documentElement.lang = l;
        setLocaleState(l);
      }),
    [locale],
  );
  document.documentElement.lang = locale;
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  return useContext(I18nContext);
}
