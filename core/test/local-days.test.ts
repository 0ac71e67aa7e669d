import { TZDate } from '@date-fns/tz';
import { describe, expect, it } from 'vitest';
import {
  addDays,
  canonicalTimeZone,
  daysBetween,
  isIsoDate,
  isValidTimeZone,
  localDay,
  localDayBounds,
  localToday,
  parseCalendarDate,
  parseLocalDateTime,
  startOfLocalDay,
  wallClockToInstant,
} from '../src/index.ts';

const HOUR = 3_600_000;
const hoursOf = (day: string, zone: string) => {
  const { start, end } = localDayBounds(day, zone);
  return (end.getTime() - start.getTime()) / HOUR;
};

describe('local days: a day boundary is the organisation’s midnight, not UTC’s', () => {
  it('a movement at 2026-03-01T01:00+08:00 (2026-02-28T17:00Z) is local day 2026-03-01 in Shanghai', () => {
    const at = new Date('2026-03-01T01:00:00+08:00');
    expect(at.toISOString()).toBe('2026-02-28T17:00:00.000Z');
    expect(localDay(at, 'Asia/Shanghai')).toBe('2026-03-01');
    expect(localDay(at, 'UTC')).toBe('2026-02-28');
    expect(localDay(at.getTime(), 'Europe/Berlin')).toBe('2026-02-28');
    // 07:59 Shanghai is still the same local day, although it is the previous UTC day.
    expect(localDay('2026-03-01T23:59:59.999Z', 'Asia/Shanghai')).toBe('2026-03-02');
    expect(localDay('2026-03-01T15:59:59.999Z', 'Asia/Shanghai')).toBe('2026-03-01');
    expect(localDay('2026-03-01T16:00:00.000Z', 'Asia/Shanghai')).toBe('2026-03-02');
  });

  it('a local day starts at local midnight: 16:00 UTC the day before in Shanghai', () => {
    expect(startOfLocalDay('2026-03-01', 'Asia/Shanghai').toISOString()).toBe('2026-02-28T16:00:00.000Z');
    expect(startOfLocalDay('2026-03-01', 'UTC').toISOString()).toBe('2026-03-01T00:00:00.000Z');
    expect(startOfLocalDay('2026-07-01', 'America/New_York').toISOString()).toBe('2026-07-01T04:00:00.000Z');
    expect(hoursOf('2026-03-01', 'Asia/Shanghai')).toBe(24);
  });

  it('in a DST zone the spring day has 23 hours and the autumn day 25 (Europe/Berlin 2026)', () => {
    expect(hoursOf('2026-03-29', 'Europe/Berlin')).toBe(23);
    expect(hoursOf('2026-10-25', 'Europe/Berlin')).toBe(25);
    expect(hoursOf('2026-03-28', 'Europe/Berlin')).toBe(24);
    expect(startOfLocalDay('2026-03-29', 'Europe/Berlin').toISOString()).toBe('2026-03-28T23:00:00.000Z');
    expect(startOfLocalDay('2026-03-30', 'Europe/Berlin').toISOString()).toBe('2026-03-29T22:00:00.000Z');
    // Every instant of the 23-hour day maps back to it, and the next instant to the next day.
    const { start, end } = localDayBounds('2026-03-29', 'Europe/Berlin');
    for (let t = start.getTime(); t < end.getTime(); t += HOUR / 2)
      expect(localDay(t, 'Europe/Berlin')).toBe('2026-03-29');
    expect(localDay(end, 'Europe/Berlin')).toBe('2026-03-30');
    expect(localDay(start.getTime() - 1, 'Europe/Berlin')).toBe('2026-03-28');
  });

  it('a day whose midnight is skipped begins at 01:00 (America/Santiago, 2026-09-06)', () => {
    const start = startOfLocalDay('2026-09-06', 'America/Santiago');
    expect(start.toISOString()).toBe('2026-09-06T04:00:00.000Z');
    expect(localDay(start, 'America/Santiago')).toBe('2026-09-06');
    expect(localDay(start.getTime() - 1, 'America/Santiago')).toBe('2026-09-05');
  });

  it('wall-clock times: a skipped time moves forward by the gap; a repeated time is the later one', () => {
    expect(wallClockToInstant('2026-03-29', { hours: 2, minutes: 30 }, 'Europe/Berlin').toISOString()).toBe(
      '2026-03-29T01:30:00.000Z',
    );
    expect(wallClockToInstant('2026-10-25', { hours: 2, minutes: 30 }, 'Europe/Berlin').toISOString()).toBe(
      '2026-10-25T01:30:00.000Z',
    );
    expect(wallClockToInstant('2026-08-01', { hours: 8, minutes: 30 }, 'Asia/Shanghai').toISOString()).toBe(
      '2026-08-01T00:30:00.000Z',
    );
  });

  it('today is the local date: 2026-02-28T20:00Z is already 1 March in Shanghai', () => {
    const now = Date.parse('2026-02-28T20:00:00Z');
    expect(localToday('Asia/Shanghai', now)).toBe('2026-03-01');
    expect(localToday('America/Los_Angeles', now)).toBe('2026-02-28');
  });
});

describe('imported values without an offset are local to the organisation', () => {
  const zone = 'Asia/Shanghai';
  const iso = (s: string, z = zone) => parseLocalDateTime(s, z)?.toISOString() ?? null;

  it('a date alone is local midnight, written with - or /', () => {
    expect(iso('2026-08-01')).toBe('2026-07-31T16:00:00.000Z');
    expect(iso('2026/08/01')).toBe('2026-07-31T16:00:00.000Z');
    expect(iso('2026/8/1')).toBe('2026-07-31T16:00:00.000Z');
    expect(iso('2026-08-01', 'Europe/Berlin')).toBe('2026-07-31T22:00:00.000Z');
  });

  it('a time without an offset is wall-clock time there; with an offset it is that instant', () => {
    expect(iso('2026-08-01 08:30')).toBe('2026-08-01T00:30:00.000Z');
    expect(iso('2026/08/01 08:30:15')).toBe('2026-08-01T00:30:15.000Z');
    expect(iso('2026-08-01T07:30:00.250')).toBe('2026-07-31T23:30:00.250Z');
    expect(iso('2026-08-01T07:30:00Z')).toBe('2026-08-01T07:30:00.000Z');
    expect(iso('2026-08-01T07:30:00+02:00')).toBe('2026-08-01T05:30:00.000Z');
    expect(iso('2026-08-01 07:30-0530')).toBe('2026-08-01T13:00:00.000Z');
    expect(iso('2026-08-01T07:30+08')).toBe('2026-07-31T23:30:00.000Z');
  });

  it('refuses what is not a real date or time', () => {
    for (const bad of [
      '2026-02-30',
      '2026/13/01',
      '2026-08-01 24:00',
      '2026-08-01 08:60',
      '2026-08-01T08:30+25:00',
      '01/08/2026',
      '2026-08',
      '2026-08/01',
      'yesterday',
      '',
    ])
      expect(iso(bad), bad).toBeNull();
  });
});

describe('calendar dates and zone names', () => {
  it('adds and counts calendar days across month, leap-year and DST boundaries', () => {
    expect(addDays('2026-02-28', 1)).toBe('2026-03-01');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(addDays('2026-03-28', 2)).toBe('2026-03-30');
    expect(daysBetween('2026-03-28', '2026-03-30')).toBe(2);
    expect(daysBetween('2026-12-31', '2026-01-01')).toBe(-364);
    expect(() => addDays('2026-02-30', 1)).toThrow(RangeError);
    expect(() => addDays('2026-02-01', 0.5)).toThrow(RangeError);
  });

  it('recognises real ISO dates and normalises slashed ones', () => {
    expect(isIsoDate('2026-02-28')).toBe(true);
    expect(isIsoDate('2026-02-29')).toBe(false);
    expect(isIsoDate('2026/02/28')).toBe(false);
    expect(parseCalendarDate('2026/2/3')).toBe('2026-02-03');
    expect(parseCalendarDate('2026-02-29')).toBeNull();
  });

  it('accepts IANA names only, in their canonical spelling', () => {
    expect(isValidTimeZone('Asia/Shanghai')).toBe(true);
    expect(isValidTimeZone('UTC')).toBe(true);
    expect(isValidTimeZone('America/Argentina/Buenos_Aires')).toBe(true);
    expect(canonicalTimeZone('asia/shanghai')).toBe('Asia/Shanghai');
    for (const bad of ['Mars/Olympus', '+08:00', 'GMT+8 ', '', 'Asia/Shanghai; drop', 42, null])
      expect(isValidTimeZone(bad), String(bad)).toBe(false);
    expect(() => localDay(new Date(), 'Mars/Olympus')).toThrow(RangeError);
    expect(() => startOfLocalDay('2026-01-01', '+08:00')).toThrow(RangeError);
  });
});

describe('the cached fast path agrees with @date-fns/tz and Intl everywhere', () => {
  // DST north and south, a 30-minute DST (Lord Howe), odd offsets, and Shanghai's DST of 1986–1991.
  const zones = [
    'Asia/Shanghai',
    'Europe/Berlin',
    'America/New_York',
    'America/Santiago',
    'Australia/Sydney',
    'Australia/Lord_Howe',
    'Asia/Kathmandu',
    'Asia/Tehran',
    'Pacific/Apia',
  ];
  let seed = 12345;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const formats = new Map(
    zones.map((z) => [
      z,
      new Intl.DateTimeFormat('en-CA', { timeZone: z, year: 'numeric', month: '2-digit', day: '2-digit' }),
    ]),
  );
  const intlDay = (ms: number, zone: string) => formats.get(zone)!.format(ms);

  it('local day of 20,000 random instants (1985–2035) matches Intl', () => {
    const from = Date.UTC(1985, 0, 1);
    const span = Date.UTC(2035, 0, 1) - from;
    for (let i = 0; i < 20_000; i++) {
      const zone = zones[i % zones.length]!;
      const ms = from + Math.floor(rand() * span);
      expect(localDay(ms, zone), `${new Date(ms).toISOString()} ${zone}`).toBe(intlDay(ms, zone));
    }
  });

  it('wall-clock times (random, and every half hour of every DST-change day) match TZDate', () => {
    const check = (y: number, m: number, d: number, hh: number, mm: number, zone: string) => {
      const day = `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
      const ours = wallClockToInstant(day, { hours: hh, minutes: mm }, zone).getTime();
      expect(ours, `${day} ${hh}:${mm} ${zone}`).toBe(new TZDate(y, m - 1, d, hh, mm, zone).getTime());
    };
    for (let i = 0; i < 5_000; i++) {
      const zone = zones[i % zones.length]!;
      check(
        1985 + Math.floor(rand() * 50),
        1 + Math.floor(rand() * 12),
        1 + Math.floor(rand() * 28),
        Math.floor(rand() * 24),
        Math.floor(rand() * 60),
        zone,
      );
    }
    for (const [zone, days] of [
      ['Europe/Berlin', ['2026-03-29', '2026-10-25']],
      ['Australia/Lord_Howe', ['2026-04-05', '2026-10-04']],
      ['America/Santiago', ['2026-04-05', '2026-09-06']],
    ] as const) {
      for (const day of days) {
        const [y, m, d] = day.split('-').map(Number) as [number, number, number];
        for (let h = 0; h < 24; h++) for (const mm of [0, 15, 30, 45]) check(y, m, d, h, mm, zone);
      }
    }
  });
});
