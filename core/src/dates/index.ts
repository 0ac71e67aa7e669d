export {
  addDays,
  daysBetween,
  type IsoDate,
  isIsoDate,
  parseCalendarDate,
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
