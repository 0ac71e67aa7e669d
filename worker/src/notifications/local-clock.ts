/** The organisation's local date and time of day at `now`, from its IANA time zone. */
export function localClock(now: Date, timeZone: string): { date: string; hhmm: string; hour: number } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(now)
      .map((p) => [p.type, p.value]),
  );
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    hhmm: `${parts.hour}:${parts.minute}`,
    hour: Number(parts.hour),
  };
}

/**
 * Whether a local time of day (HH:MM) falls in quiet hours [start, end). A window that ends
 * before it starts wraps midnight (22:00 → 07:00). No window: never quiet.
 */
export function inQuietHours(hhmm: string, start: string | null, end: string | null): boolean {
  if (!start || !end) return false;
  const s = start.slice(0, 5);
  const e = end.slice(0, 5);
  return s < e ? hhmm >= s && hhmm < e : hhmm >= s || hhmm < e;
}
