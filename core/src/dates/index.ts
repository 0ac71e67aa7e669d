export {
  addDays,
  dayOfUtcMs,
  daysBetween,
  type IsoDate,
  isIsoDate,
  parseCalendarDate,
  startOfMonth,
  startOfWeek,
  utcMsOfDay,
} from './calendar-dates.ts';
export {
  canonicalTimeZone,
  DEFAULT_TIME_ZONE,
  isValidTimeZone,
  localDay,
  localDayBounds,
  localToday,
  parseLocalDateTime,
  startOfLocalDay,
  wallClockToInstant,
  zoneOffsetMinutes,
} from './local-days.ts';
