import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../deps.ts';
import { backtestRoutes } from './backtests/backtests.routes.ts';
import { alertRoutes } from './alerts/alerts.routes.ts';
import { apiKeyRoutes } from './api-keys/api-keys.routes.ts';
import { auditRoutes } from './audit/audit.routes.ts';
import { authRoutes } from './auth/auth.routes.ts';
import { billingRoutes } from './billing/billing.routes.ts';
import { movementRoutes } from './movements/movements.routes.ts';
import { stockRoutes } from './stock/stock.routes.ts';
import { healthRoutes } from './health/health.routes.ts';
import { organizationRoutes } from './organization/organization.routes.ts';
import { siteRoutes } from './sites/sites.routes.ts';
import { userRoutes } from './users/users.routes.ts';

/** Every route group of the API, in one list so the whole surface is visible at a glance. */
export async function registerRoutes(app: FastifyInstance, deps: AppDeps) {
  for (const group of [healthRoutes, authRoutes, organizationRoutes, userRoutes, apiKeyRoutes, siteRoutes, auditRoutes, movementRoutes, stockRoutes, alertRoutes, backtestRoutes, billingRoutes]) {
    await app.register(group, deps);
  }
}
