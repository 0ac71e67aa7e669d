import type { Role as CoreRole, Scope } from '@medstock/core';
import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  integer,
  jsonb,
  pgSchema,
  primaryKey,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';

/** Control plane tables (schema "control"); their DDL lives in migrations/control. */
export const control = pgSchema('control');

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const organizations = control.table('organizations', {
  id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
  name: text('name').notNull(),
  status: text('status')
    .$type<'provisioning' | 'active' | 'failed' | 'suspended' | 'pending_deletion'>()
    .notNull(),
  plan: text('plan').$type<'free' | 'clinic' | 'chain'>().notNull(),
  deploymentMode: text('deployment_mode').$type<'saas' | 'private-cloud' | 'on-premises'>().notNull(),
  catalogueTemplate: text('catalogue_template'),
  locale: text('locale').notNull(),
  timezone: text('timezone').notNull(),
  stripeCustomerId: text('stripe_customer_id'),
  stripeSubscriptionId: text('stripe_subscription_id'),
  lastHousekeepingAt: ts('last_housekeeping_at'),
  createdAt: ts('created_at').notNull().defaultNow(),
  activatedAt: ts('activated_at'),
});

export const users = control.table('users', {
  id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
  email: text('email').notNull(),
  name: text('name').notNull(),
  passwordHash: text('password_hash').notNull(),
  locale: text('locale').notNull(),
  createdAt: ts('created_at').notNull().defaultNow(),
});

/** Core's role list (core/src/access/roles.ts): one vocabulary for the database, API and web. */
export type Role = CoreRole;

export const memberships = control.table(
  'memberships',
  {
    organizationId: uuid('organization_id').notNull(),
    userId: uuid('user_id').notNull(),
    role: text('role').$type<Role>().notNull(),
    siteIds: uuid('site_ids').array(),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.organizationId, t.userId] })],
);

/** A pending membership: single use, expiring, revocable; only the token's hash is stored. */
export const invitations = control.table('invitations', {
  id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
  organizationId: uuid('organization_id').notNull(),
  email: text('email').notNull(),
  role: text('role').$type<Role>().notNull(),
  siteIds: uuid('site_ids').array(),
  invitedBy: uuid('invited_by'),
  invitedByApiKey: uuid('invited_by_api_key'),
  tokenHash: text('token_hash').notNull(),
  createdAt: ts('created_at').notNull().defaultNow(),
  lastSentAt: ts('last_sent_at').notNull().defaultNow(),
  expiresAt: ts('expires_at').notNull(),
  acceptedAt: ts('accepted_at'),
  acceptedBy: uuid('accepted_by'),
  revokedAt: ts('revoked_at'),
});

export const sessions = control.table('sessions', {
  id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
  userId: uuid('user_id').notNull(),
  organizationId: uuid('organization_id').notNull(),
  refreshTokenHash: text('refresh_token_hash').notNull(),
  previousRefreshTokenHash: text('previous_refresh_token_hash'),
  userAgent: text('user_agent'),
  createdAt: ts('created_at').notNull().defaultNow(),
  lastRefreshedAt: ts('last_refreshed_at').notNull().defaultNow(),
  expiresAt: ts('expires_at').notNull(),
  revokedAt: ts('revoked_at'),
});

export type ApiKeyScope = Scope;

export const apiKeys = control.table('api_keys', {
  id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
  organizationId: uuid('organization_id').notNull(),
  name: text('name').notNull(),
  prefix: text('prefix').notNull(),
  secretHash: text('secret_hash').notNull(),
  scopes: text('scopes').array().$type<ApiKeyScope[]>().notNull(),
  siteIds: uuid('site_ids').array(),
  createdBy: uuid('created_by'),
  createdAt: ts('created_at').notNull().defaultNow(),
  lastUsedAt: ts('last_used_at'),
  revokedAt: ts('revoked_at'),
});

export const auditLog = control.table('audit_log', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  organizationId: uuid('organization_id'),
  actorType: text('actor_type').$type<'user' | 'api_key' | 'anonymous' | 'system'>().notNull(),
  actorId: uuid('actor_id'),
  action: text('action').notNull(),
  method: text('method').notNull(),
  path: text('path').notNull(),
  statusCode: integer('status_code').notNull(),
  requestId: text('request_id').notNull(),
  ip: text('ip'),
  at: ts('at').notNull().defaultNow(),
});

export const idempotencyKeys = control.table(
  'idempotency_keys',
  {
    scope: text('scope').notNull(),
    key: text('key').notNull(),
    method: text('method').notNull(),
    path: text('path').notNull(),
    bodyHash: text('body_hash').notNull(),
    state: text('state').$type<'in_progress' | 'committed' | 'done'>().notNull(),
    organizationId: uuid('organization_id'),
    claimToken: uuid('claim_token').notNull(),
    claimedAt: ts('claimed_at').notNull().defaultNow(),
    committedAt: ts('committed_at'),
    statusCode: integer('status_code'),
    responseHeaders: jsonb('response_headers').$type<Record<string, string>>(),
    /** Never a credential: responses that carry one are withheld (see idempotency-store.ts). */
    responseBody: text('response_body'),
    responseWithheld: boolean('response_withheld').notNull(),
    resourceId: text('resource_id'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.scope, t.key] })],
);
