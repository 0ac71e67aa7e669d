/**
 * The web app's calendar dates ('YYYY-MM-DD'), as the person at the screen reads them: the
 * browser's local day, not UTC's (at 07:00 in Shanghai, UTC is still on yesterday). The server
 * works in the organisation's days (core/src/dates); these only fill defaults of date fields.
 */
const pad = (n: number) => String(n).padStart(2, '0');
const ymd = (d: Date) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;

/** Today's local date moved by `days` (0: today). */
export const localDayFromToday = (days = 0, now = new Date()) =>
  ymd(new Date(now.getFullYear(), now.getMonth(), now.getDate() + days));

/** First day of the month `months` months before this one (0: this month). */
export const localMonthStart = (monthsBack = 0, now = new Date()) =>
  ymd(new Date(now.getFullYear(), now.getMonth() - monthsBack, 1));
