import type { Ved } from '../catalogue/catalogue-types.ts';

/** The alert vocabulary shared by the engine, the worker, the API and the web app. */
export const ALERT_TYPES = [
  'stocked_out',
  'stockout_risk',
  'below_safety_stock',
  'below_par_minimum',
  'expired',
  'expiry_risk',
  'overstock',
  'dead_stock',
  'consumption_anomaly',
  'late_purchase_order',
  'lead_time_drift',
] as const;
export type AlertType = (typeof ALERT_TYPES)[number];

export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
export type Severity = (typeof SEVERITIES)[number];

export type { AbcClass as Abc, RiskClass } from '../policy/service-level.ts';
export type { Ved };

export interface Bilingual {
  zh: string;
  en: string;
}

/** Why an alert fired: the rule and its version, the threshold, the inputs, the formula with numbers. */
export interface Explanation {
  rule: AlertType;
  ruleVersion: number;
  threshold: Record<string, number | string>;
  inputs: Record<string, number | string | null>;
  formula: string;
  substituted: string;
  text: Bilingual;
}

export type RecommendedAction =
  | {
      kind: 'order';
      quantityBase: number;
      packs: number;
      packSize: number;
      supplierId: string | null;
      supplierName: string | null;
      orderBy: string;
      text: Bilingual;
    }
  | { kind: 'transfer'; quantityBase: number; fromLocationId: string; fromSiteName: string; text: Bilingual }
  | { kind: 'use_lot_first'; lotNumber: string; expiryDate: string; text: Bilingual }
  | { kind: 'write_off'; lotNumber: string; quantityBase: number; text: Bilingual }
  | { kind: 'review'; text: Bilingual }
  | { kind: 'chase_supplier'; purchaseOrderId: string; text: Bilingual };

export interface AlertCandidate {
  type: AlertType;
  severity: Severity;
  /** The measure the severity and the feed sort by (probability, value at risk, days late…). */
  score: number;
  explanation: Explanation;
  action: RecommendedAction | null;
}
