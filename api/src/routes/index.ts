import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../deps.ts';
import { alertRuleRoutes } from './alert-rules/alert-rules.routes.ts';
import { alertRoutes } from './alerts/alerts.routes.ts';
import { anomalyRoutes } from './anomalies/anomalies.routes.ts';
import { apiKeyRoutes } from './api-keys/api-keys.routes.ts';
import { auditRoutes } from './audit/audit.routes.ts';
import { authRoutes } from './auth/auth.routes.ts';
import { backtestRoutes } from './backtests/backtests.routes.ts';
import { billingRoutes } from './billing/billing.routes.ts';
import { catalogueTemplateRoutes } from './catalogue-templates/catalogue-templates.routes.ts';
import { consignmentRoutes } from './consignment/consignment.routes.ts';
import { departmentRoutes } from './departments/departments.routes.ts';
import { engineRoutes } from './engine/engine.routes.ts';
import { exportRoutes } from './exports/exports.routes.ts';
import { healthRoutes } from './health/health.routes.ts';
import { importRoutes } from './imports/imports.routes.ts';
import { invitationRoutes } from './invitations/invitations.routes.ts';
import { itemRoutes } from './items/items.routes.ts';
import { stockCardRoutes } from './items/stock-card.routes.ts';
import { kpiRoutes } from './kpis/kpis.routes.ts';
import { labelRoutes } from './labels/labels.routes.ts';
import { movementRoutes } from './movements/movements.routes.ts';
import { notificationRoutes } from './notifications/notifications.routes.ts';
import { organizationRoutes } from './organization/organization.routes.ts';
import { parLevelRoutes } from './par-levels/par-levels.routes.ts';
import { procedureRoutes } from './procedures/procedures.routes.ts';
import { purchaseOrderRoutes } from './purchase-orders/purchase-orders.routes.ts';
import { purchasingQueryRoutes } from './purchase-orders/purchasing-queries.routes.ts';
import { recallRoutes } from './recalls/recalls.routes.ts';
import { receivingRoutes } from './receiving/receiving.routes.ts';
import { requisitionRoutes } from './requisitions/requisitions.routes.ts';
import { siteRoutes } from './sites/sites.routes.ts';
import { stockRoutes } from './stock/stock.routes.ts';
import { stockReportRoutes } from './stock-reports/stock-reports.routes.ts';
import { stocktakeRoutes } from './stocktakes/stocktakes.routes.ts';
import { suggestionRoutes } from './suggestions/suggestions.routes.ts';
import { supplierRoutes } from './suppliers/suppliers.routes.ts';
import { userRoutes } from './users/users.routes.ts';
import { webhookRoutes } from './webhooks/webhooks.routes.ts';

/** Every route group of the API, in one list so the whole surface is visible at a glance. */
export async function registerRoutes(app: FastifyInstance, deps: AppDeps) {
  for (const group of [
    healthRoutes,
    authRoutes,
    organizationRoutes,
    userRoutes,
    invitationRoutes,
    apiKeyRoutes,
    siteRoutes,
    itemRoutes,
    supplierRoutes,
    parLevelRoutes,
    catalogueTemplateRoutes,
    purchaseOrderRoutes,
    purchasingQueryRoutes,
    procedureRoutes,
    auditRoutes,
    movementRoutes,
    receivingRoutes,
    consignmentRoutes,
    stockRoutes,
    stockCardRoutes,
    stockReportRoutes,
    departmentRoutes,
    requisitionRoutes,
    recallRoutes,
    stocktakeRoutes,
    alertRoutes,
    alertRuleRoutes,
    anomalyRoutes,
    suggestionRoutes,
    engineRoutes,
    kpiRoutes,
    backtestRoutes,
    billingRoutes,
    importRoutes,
    webhookRoutes,
    notificationRoutes,
    exportRoutes,
    labelRoutes,
  ]) {
    await app.register(group, deps);
  }
}
