// Re-exported: the KPI page's drift is the policy's one definition.

// The calendar-date helpers are core/src/dates's, re-exported for the KPI code's callers.
export { addDays, daysBetween, startOfMonth } from '../dates/calendar-dates.ts';
export { type LeadTimeDrift, leadTimeDrift } from '../policy/lead-time-drift.ts';
export {
  alertPrecision,
  backtestScores,
  bucketByPeriod,
  elapsedDays,
  mean,
  onTime,
  precisionRecall,
} from './flow-kpis.ts';
export {
  ACTIVITY_WINDOW_DAYS,
  addLedgerTotals,
  type ItemLocationLedger,
  type LedgerPeriodKpis,
  type LedgerPeriodTotals,
  ledgerKpis,
  summariseLedgerPeriod,
} from './ledger-kpis.ts';
export {
  type Granularity,
  kpiPeriods,
  type Period,
  periodIndexOf,
} from './periods.ts';
