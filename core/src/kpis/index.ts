// Re-exported: the KPI page's drift is the policy's one definition.
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
  addDays,
  daysBetween,
  type Granularity,
  isoDay,
  kpiPeriods,
  type Period,
  periodIndexOf,
} from './periods.ts';
