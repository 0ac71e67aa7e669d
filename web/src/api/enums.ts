import type { operations } from '../../../openapi/schema';

/**
 * The API's enums as the generated client types them (openapi/schema.d.ts, from the committed
 * OpenAPI document, whose lists come from core). Types are taken, never retyped; the runtime
 * lists the pages need for dropdowns and tabs go through `everyOf`, so a value the API adds or
 * drops fails the web type check here instead of silently missing from a menu.
 */
type Body<O extends keyof operations> = operations[O] extends {
  requestBody?: { content: { 'application/json': infer B } };
}
  ? NonNullable<B>
  : never;
type Query<O extends keyof operations> = NonNullable<operations[O]['parameters']['query']>;
type Ok<O extends keyof operations> = operations[O]['responses'] extends {
  200: { content: { 'application/json': infer B } };
}
  ? B
  : never;
type Elem<T> = T extends readonly (infer E)[] ? E : never;

export type AlertType = NonNullable<Query<'listAlerts'>['type']>;
export type Severity = NonNullable<Query<'listAlerts'>['severity']>;
/** The status filter of the alert list: the stored states and `in_progress` (acknowledged or snoozed). */
export type AlertStatusFilter = NonNullable<Query<'listAlerts'>['status']>;
export type MovementKind = Body<'createMovement'>['type'];
export type PurchaseOrderStatus = NonNullable<Query<'listPurchaseOrders'>['status']>;
export type Role = Body<'createInvitation'>['role'];
export type Scope = Elem<Body<'createApiKey'>['scopes']>;
export type SiteKind = NonNullable<Body<'createSite'>['kind']>;
export type LocationKind = NonNullable<Body<'createSiteLocation'>['kind']>;
export type Storage = NonNullable<Body<'createItem'>['storage']>;
export type ScheduledProcedureStatus = NonNullable<Query<'listScheduledProcedures'>['status']>;
type RuleSet = Ok<'listAlertRules'>['rules'];
export type Ved = keyof RuleSet['stockoutRisk']['maxProbability'];
export type RiskClass = keyof RuleSet['serviceLevels'];
export type BacktestStep = NonNullable<Body<'createBacktest'>['step']>;
export type BacktestOutcome = NonNullable<Query<'listBacktestRows'>['outcome']>;
export type RobotLanguage = Ok<'getNotificationSettings'>['robotLanguage'];

/**
 * `list` unchanged, but only if it names every member of U (and nothing else): the compiler
 * reports the missing members by name. Order is the caller's (it is the order shown).
 */
export const everyOf =
  <U extends string>() =>
  <const L extends readonly U[]>(
    list: L & ([Exclude<U, L[number]>] extends [never] ? unknown : { missing: Exclude<U, L[number]> }),
  ): L =>
    list;

export const ALERT_TYPES = everyOf<AlertType>()([
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
]);
export const SEVERITIES = everyOf<Severity>()(['critical', 'high', 'medium', 'low']);
export const ALERT_STATUS_FILTERS = everyOf<AlertStatusFilter>()([
  'open',
  'in_progress',
  'acknowledged',
  'snoozed',
  'resolved',
  'dismissed',
]);
export const PO_STATUSES = everyOf<PurchaseOrderStatus>()([
  'draft',
  'approved',
  'sent',
  'partially_received',
  'received',
  'cancelled',
]);
export const ROLES = everyOf<Role>()(['owner', 'admin', 'purchaser', 'storekeeper', 'nurse', 'viewer']);
export const SCOPES = everyOf<Scope>()(['read', 'stock:write', 'purchasing', 'admin']);
export const SITE_KINDS = everyOf<SiteKind>()(['hospital', 'clinic', 'community-centre', 'warehouse']);
export const LOCATION_KINDS = everyOf<LocationKind>()([
  'central-store',
  'ward',
  'theatre',
  'pharmacy',
  'other',
]);
export const VEDS = everyOf<Ved>()(['V', 'E', 'D']);
export const ABC_CLASSES = ['A', 'B', 'C'] as const;
/** ABC × VED must be exactly the rule set's risk classes. */
const riskClassesAreAbcVed: [RiskClass] extends [`${(typeof ABC_CLASSES)[number]}${Ved}`]
  ? [`${(typeof ABC_CLASSES)[number]}${Ved}`] extends [RiskClass]
    ? true
    : false
  : false = true;
void riskClassesAreAbcVed;
export const STORAGES = everyOf<Storage>()(['room', 'cool', 'cold', 'frozen']);
export const PROCEDURE_STATUSES = everyOf<ScheduledProcedureStatus>()(['scheduled', 'done', 'cancelled']);
export const ROBOT_LANGUAGES = everyOf<RobotLanguage>()(['zh-CN', 'en', 'both']);
export const BACKTEST_OUTCOMES = everyOf<BacktestOutcome>()([
  'new_stockout',
  'already_out',
  'none',
  'unknown',
]);
