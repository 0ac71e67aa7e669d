import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Static, Type } from 'typebox';
import { Value } from 'typebox/value';
import { productionConfigProblems } from './production-check.ts';
import { DEV_SECRETS_KEYS, parseSecretKeys } from './secrets-keys.ts';
import { shippedPath } from './shipped-path.ts';
import { parseTrustProxy } from './trust-proxy.ts';

/**
 * Configuration is read once from the environment, validated, and typed. Nothing in the code
 * branches on NODE_ENV: every behaviour that differs between deployments is a named setting here
 * (NODE_ENV=production only adds the safety check of production-check.ts at start).
 */
const ConfigSchema = Type.Object({
  DATABASE_URL: Type.String({ minLength: 1 }),
  REDIS_URL: Type.String({ minLength: 1 }),
  HOST: Type.String({ default: '127.0.0.1' }),
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000 }),
  PUBLIC_URL: Type.String({ default: 'http://127.0.0.1:3000' }),
  LOG_LEVEL: Type.Union(
    [
      Type.Literal('fatal'),
      Type.Literal('error'),
      Type.Literal('warn'),
      Type.Literal('info'),
      Type.Literal('debug'),
      Type.Literal('silent'),
    ],
    { default: 'info' },
  ),
  /**
   * Bearer token that Prometheus sends to scrape `/metrics` (API and worker). Empty: the API
   * serves no /metrics (its port faces the internet) and the worker's, on WORKER_HTTP_PORT, is
   * open to whoever reaches that internal port. Metrics carry no tenant data (labels are route
   * templates, statuses, queues, job kinds and cells), the token keeps the load and the shape of
   * the service private.
   */
  METRICS_TOKEN: Type.String({ default: '' }),
  /**
   * The worker's HTTP port for /healthz, /readyz and /metrics (on HOST). Unset: no server (a
   * worker run by hand needs none); 0 picks a free port (tests). Kubernetes probes and
   * Prometheus use it.
   */
  WORKER_HTTP_PORT: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
  /**
   * OpenTelemetry traces (request → queue → job) go over OTLP/HTTP to this collector, e.g.
   * http://otel-collector:4318. Empty: tracing is not started at all (no SDK, no cost).
   */
  OTEL_EXPORTER_OTLP_ENDPOINT: Type.String({ default: '' }),
  /** PKCS#8 PEM of the Ed25519 key that signs access tokens; its public half is served as JWKS. */
  JWT_PRIVATE_KEY: Type.String({ minLength: 1 }),
  JWT_KEY_ID: Type.String({ default: 'medstock-1' }),
  JWT_ISSUER: Type.String({ default: 'medstock' }),
  ACCESS_TOKEN_TTL_SECONDS: Type.Integer({ minimum: 30, default: 900 }),
  REFRESH_TOKEN_TTL_SECONDS: Type.Integer({ minimum: 60, default: 60 * 60 * 24 * 30 }),
  /** A just-rotated refresh token still works this long (two tabs, a reload mid-refresh); after it, reuse revokes the session. */
  REFRESH_REUSE_GRACE_SECONDS: Type.Integer({ minimum: 0, maximum: 120, default: 10 }),
  /** Comma-separated list of allowed browser origins; empty means same-origin only. */
  CORS_ORIGINS: Type.String({ default: '' }),
  /**
   * Whether the refresh cookie is Secure. Unset: Secure unless PUBLIC_URL is plain http on a
   * loopback address (see refreshCookieSecure); false only for plain-http installations on a LAN.
   */
  COOKIE_SECURE: Type.Optional(Type.Boolean()),
  /**
   * Which proxies may set the client address with X-Forwarded-For: `off` (default), a hop count,
   * or a comma list of proxy addresses/CIDRs (see parseTrustProxy).
   */
  TRUST_PROXY: Type.String({ default: 'off' }),
  /**
   * Keys that encrypt secrets at rest (webhook signing secrets): comma list of `id:base64key`,
   * the first encrypts, all decrypt. The default is a public development key (id `dev`).
   */
  SECRETS_KEYS: Type.String({ minLength: 1, default: DEV_SECRETS_KEYS }),
  /**
   * An Idempotency-Key still `in_progress` after this long belongs to a request that died (API
   * killed): a retry then learns the real outcome instead of waiting for ever.
   */
  IDEMPOTENCY_IN_PROGRESS_TTL_SECONDS: Type.Integer({ minimum: 1, default: 60 }),
  /** How long idempotency records are kept (every caller's), after which a key may be reused. */
  IDEMPOTENCY_RETENTION_HOURS: Type.Integer({ minimum: 1, default: 24 }),
  RATE_LIMIT_PER_MINUTE: Type.Integer({ minimum: 1, default: 600 }),
  /** Sign-up and login attempts per client address per minute (credential stuffing). */
  AUTH_RATE_LIMIT_PER_MINUTE: Type.Integer({ minimum: 1, default: 30 }),
  BODY_LIMIT_BYTES: Type.Integer({ minimum: 1024, default: 1_048_576 }),
  PG_POOL_MAX: Type.Integer({ minimum: 1, default: 10 }),
  /**
   * The database cell new organisations are placed on (control.cells; `pnpm tenant cells`). The
   * control database is cell `main`; another cell's URL is read from CELL_<NAME>_URL.
   */
  DEFAULT_CELL: Type.String({ pattern: '^[a-z][a-z0-9_]{0,30}$', default: 'main' }),
  /** BullMQ queue name prefix; tests use a fresh one per run so queues never collide. */
  QUEUE_PREFIX: Type.String({ default: 'medstock' }),
  /** BullMQ job lock and stalled-job check: how soon a job of a killed worker is retried. */
  WORKER_LOCK_DURATION_MS: Type.Integer({ minimum: 500, default: 30_000 }),
  WORKER_STALLED_INTERVAL_MS: Type.Integer({ minimum: 500, default: 30_000 }),
  /** Item-locations per committed batch of a full recalculation (the restart granularity). */
  ENGINE_BATCH_SIZE: Type.Integer({ minimum: 1, default: 500 }),
  /**
   * Threads that fit the forecasts of a full or incremental run (node:worker_threads via piscina),
   * while the main thread loads the next batch and writes the last one. 0 = one per core.
   */
  ENGINE_THREADS: Type.Integer({ minimum: 0, default: 0 }),
  /**
   * Jobs in flight per queue (one queue per kind of work), so a slow kind never holds another's
   * slots: full recalculations, outbox drains, imports, backtests, webhook deliveries, and
   * housekeeping with the webhook sweepers.
   */
  RECALC_CONCURRENCY: Type.Integer({ minimum: 1, default: 1 }),
  RECALC_DRAIN_CONCURRENCY: Type.Integer({ minimum: 1, default: 2 }),
  IMPORT_CONCURRENCY: Type.Integer({ minimum: 1, default: 1 }),
  BACKTEST_CONCURRENCY: Type.Integer({ minimum: 1, default: 1 }),
  WEBHOOK_CONCURRENCY: Type.Integer({ minimum: 1, default: 8 }),
  NOTIFY_CONCURRENCY: Type.Integer({ minimum: 1, default: 2 }),
  HOUSEKEEPING_CONCURRENCY: Type.Integer({ minimum: 1, default: 2 }),
  /** Every N ms the worker drains due recalculation-outbox rows itself, whether or not Redis works. */
  RECALC_OUTBOX_POLL_MS: Type.Integer({ minimum: 100, default: 2000 }),
  /**
   * Debounce window of the event-driven outbox drain: the first change of a window is drained at
   * once, later changes in it by one trailing run when it closes (at most two drains per window).
   * 100 ms: a change that lands just after a leading drain waits at most this long, and a burst
   * still costs at most 20 drains a second per organisation.
   */
  RECALC_DRAIN_WINDOW_MS: Type.Integer({ minimum: 1, default: 100 }),
  /** Item-locations per transaction of an outbox drain (small: a lone change is not held up). */
  RECALC_DRAIN_BATCH_SIZE: Type.Integer({ minimum: 1, default: 100 }),
  /** Backoff of an item-location whose recalculation failed: base·2^(attempts−1), capped. */
  RECALC_RETRY_BASE_MS: Type.Integer({ minimum: 1, default: 1000 }),
  RECALC_RETRY_MAX_MS: Type.Integer({ minimum: 1, default: 5 * 60 * 1000 }),
  /** Every-N-ms schedule of the per-tenant housekeeping job. */
  HOUSEKEEPING_EVERY_MS: Type.Integer({ minimum: 1000, default: 60 * 60 * 1000 }),
  /**
   * How often the worker holding the schedule lease runs the platform upkeep: drop moved
   * organisations' old copies after their grace period, erase organisations after their deletion
   * grace period, settle moves whose mover died. 0 turns it off (an operator runs the commands).
   */
  TENANT_UPKEEP_EVERY_MS: Type.Integer({ minimum: 0, default: 60 * 60 * 1000 }),
  DEPLOYMENT_MODE: Type.Union(
    [Type.Literal('saas'), Type.Literal('private-cloud'), Type.Literal('on-premises')],
    {
      default: 'saas',
    },
  ),
  /** Stripe: when STRIPE_SECRET_KEY is empty, billing is off and no plan limits apply. */
  STRIPE_SECRET_KEY: Type.String({ default: '' }),
  STRIPE_WEBHOOK_SECRET: Type.String({ default: '' }),
  STRIPE_API_BASE: Type.String({ default: '' }),
  /** Stripe price ids: Clinic is a flat price (quantity 1), Chain is priced per site (quantity = sites). */
  STRIPE_PRICE_CLINIC: Type.String({ default: '' }),
  STRIPE_PRICE_CHAIN_PER_SITE: Type.String({ default: '' }),
  /** Where Checkout and the customer portal return the user; empty means PUBLIC_URL + /settings/billing. */
  BILLING_RETURN_URL: Type.String({ default: '' }),
  WEB_DIST_DIR: Type.String({ default: '' }),
  /**
   * The worker's scratch folder for imports (its copy of an upload and the validation spool),
   * on its own disk. The uploads themselves are stored in PostgreSQL, so API and worker share no
   * folder; the job deletes both when it finishes.
   */
  UPLOAD_DIR: Type.String({ default: join(tmpdir(), 'medstock-uploads') }),
  /**
   * Uploads go to PostgreSQL unless S3_BUCKET names a bucket of S3-compatible storage (AWS S3,
   * MinIO, Ceph; S3_ENDPOINT for anything but AWS). Credentials default to the SDK's chain (an
   * IAM role, AWS_* variables) when S3_ACCESS_KEY_ID is empty.
   */
  S3_BUCKET: Type.String({ default: '' }),
  S3_ENDPOINT: Type.String({ default: '' }),
  S3_REGION: Type.String({ default: 'us-east-1' }),
  S3_ACCESS_KEY_ID: Type.String({ default: '' }),
  S3_SECRET_ACCESS_KEY: Type.String({ default: '' }),
  /** Path-style URLs (endpoint/bucket/key), which MinIO and most S3-compatible servers want. */
  S3_FORCE_PATH_STYLE: Type.Boolean({ default: true }),
  /** Largest accepted import file (default 2 GiB). Files are streamed, never held in memory. */
  IMPORT_MAX_BYTES: Type.Integer({ minimum: 1024, default: 2 * 1024 * 1024 * 1024 }),
  /** An import saves its progress (rows, percent) every this many rows. */
  IMPORT_PROGRESS_EVERY_ROWS: Type.Integer({ minimum: 1, default: 20_000 }),
  /** Webhook delivery: attempts before giving up, and the first retry delay (doubling each time). */
  WEBHOOK_MAX_ATTEMPTS: Type.Integer({ minimum: 1, maximum: 30, default: 8 }),
  WEBHOOK_BACKOFF_BASE_MS: Type.Integer({ minimum: 1, default: 10_000 }),
  WEBHOOK_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 10_000 }),
  /**
   * Deliveries in flight per endpoint. A delivery to an endpoint at its limit goes back to the
   * queue for WEBHOOK_ENDPOINT_BUSY_DELAY_MS instead of holding a worker slot.
   */
  WEBHOOK_ENDPOINT_CONCURRENCY: Type.Integer({ minimum: 1, default: 2 }),
  WEBHOOK_ENDPOINT_BUSY_DELAY_MS: Type.Integer({ minimum: 10, default: 1000 }),
  /** How often the per-tenant sweeper re-enqueues pending deliveries whose job was lost. */
  WEBHOOK_SWEEP_EVERY_MS: Type.Integer({ minimum: 1000, default: 60_000 }),
  /**
   * Allow endpoints on loopback, private and link-local addresses. Off for SaaS (no requests
   * into our own network); on-premises installations that post to the HIS on the LAN turn it on.
   */
  WEBHOOK_ALLOW_PRIVATE_URLS: Type.Boolean({ default: false }),
  /**
   * Outgoing mail (sign-up confirmations, password resets, invitations). An SMTP URL such as
   * smtp://user:pass@mail.example.org:587 or smtps://…:465; empty writes each message as an .eml
   * file to MAIL_DIR instead, so a machine without a mail server still shows what was sent.
   */
  SMTP_URL: Type.String({ default: '' }),
  MAIL_DIR: Type.String({ default: shippedPath('.local/mail') }),
  MAIL_FROM: Type.String({ minLength: 3, default: 'medstock <no-reply@medstock.local>' }),
  /**
   * The font for purchase-order PDFs, `path` or `path#PostScriptName` (a .ttc collection needs the
   * name). Empty: the first CJK font found (WenQuanYi, Noto CJK, then any `fc-list :lang=zh-cn`).
   */
  PDF_FONT: Type.String({ default: '' }),
  /** How long an e-mailed sign-up confirmation and a password-reset link stay valid. */
  SIGNUP_CONFIRM_TTL_SECONDS: Type.Integer({ minimum: 60, default: 24 * 60 * 60 }),
  PASSWORD_RESET_TTL_SECONDS: Type.Integer({ minimum: 60, default: 60 * 60 }),
  /**
   * Failed logins per account (and, more loosely, per client address), counted in PostgreSQL:
   * the first LOGIN_FREE_FAILURES cost nothing, each further one doubles a wait starting at
   * LOGIN_BACKOFF_BASE_SECONDS, and LOGIN_LOCK_AFTER_FAILURES locks for LOGIN_LOCK_SECONDS.
   * Failures are forgotten LOGIN_FAILURE_WINDOW_SECONDS after the last one, or at a success.
   */
  LOGIN_FREE_FAILURES: Type.Integer({ minimum: 1, default: 5 }),
  LOGIN_LOCK_AFTER_FAILURES: Type.Integer({ minimum: 2, default: 10 }),
  LOGIN_ADDRESS_FREE_FAILURES: Type.Integer({ minimum: 1, default: 50 }),
  LOGIN_ADDRESS_LOCK_AFTER_FAILURES: Type.Integer({ minimum: 2, default: 100 }),
  LOGIN_BACKOFF_BASE_SECONDS: Type.Number({ minimum: 0, default: 1 }),
  LOGIN_LOCK_SECONDS: Type.Integer({ minimum: 1, default: 15 * 60 }),
  LOGIN_FAILURE_WINDOW_SECONDS: Type.Integer({ minimum: 60, default: 60 * 60 }),
});

export type AppConfig = Static<typeof ConfigSchema>;

/**
 * `NAME_FILE=/path` reads NAME from a file when NAME itself is unset: Docker and Kubernetes
 * secrets and systemd credentials are files, and a PEM key does not fit on one env-file line.
 */
function fileSetting(path: string | undefined): string | undefined {
  if (!path) return undefined;
  return readFileSync(path, 'utf8').replace(/\r?\n$/, '');
}

export function loadConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(ConfigSchema.properties)) {
    const v = env[key] || fileSetting(env[`${key}_FILE`]);
    if (v !== undefined && v !== '') raw[key] = v;
  }
  const converted = Value.Convert(ConfigSchema, Value.Default(ConfigSchema, raw));
  const errors = [...Value.Errors(ConfigSchema, converted)];
  const lines = errors.map((e) => `${e.instancePath || '(root)'}: ${e.message}`);
  // Settings with a syntax of their own are parsed here too, so a typo stops the start.
  for (const check of [
    () => parseTrustProxy((converted as AppConfig).TRUST_PROXY),
    () => parseSecretKeys((converted as AppConfig).SECRETS_KEYS),
  ]) {
    try {
      if (errors.length === 0) check();
    } catch (err) {
      lines.push((err as Error).message);
    }
  }
  if (lines.length > 0) {
    throw new Error(`Invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  // The one exception to "no NODE_ENV branches": production refuses what is only safe on a desk.
  if (env.NODE_ENV === 'production') {
    const problems = productionConfigProblems(converted as AppConfig);
    if (problems.length > 0)
      throw new Error(
        `Unsafe production configuration (NODE_ENV=production):\n  - ${problems.join('\n  - ')}`,
      );
  }
  return converted as AppConfig;
}
