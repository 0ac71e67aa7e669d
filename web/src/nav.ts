import type { Scope } from './api/session';
import type { MessageKey } from './i18n/i18n';

/** The main navigation; a page whose API needs a scope the user lacks is not offered. */
export const NAV: { href: string; label: MessageKey; scope?: Scope }[] = [
  { href: '/', label: 'nav.dashboard' },
  { href: '/alerts', label: 'nav.alerts' },
  { href: '/stock', label: 'nav.stock' },
  { href: '/movements', label: 'nav.movements' },
  { href: '/requisitions', label: 'nav.requisitions' },
  { href: '/inspections', label: 'nav.inspections' },
  { href: '/recalls', label: 'nav.recalls' },
  { href: '/consignment', label: 'nav.consignment' },
  { href: '/stock-reports', label: 'nav.stockReports' },
  { href: '/exports', label: 'nav.exports' },
  { href: '/stocktake', label: 'nav.stocktake' },
  { href: '/purchasing', label: 'nav.purchasing' },
  { href: '/supplier-performance', label: 'nav.supplierPerformance' },
  { href: '/imports', label: 'nav.imports' },
  { href: '/backtest', label: 'nav.backtest' },
  { href: '/master-data', label: 'nav.masterData' },
  { href: '/procedures', label: 'nav.procedures' },
  { href: '/anomalies', label: 'nav.anomalies' },
  { href: '/audit', label: 'nav.audit', scope: 'admin' },
  { href: '/settings', label: 'nav.settings' },
];
