import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import {
  DEV_SECRETS_KEYS,
  loadConfig,
  parseSecretKeys,
  refreshCookieSecure,
  secretKeyRing,
  usesDevSecretsKey,
} from '@medstock/config';
import { verifySignature } from '@medstock/contracts/webhooks/signature.ts';
import { openSecret, openWebhookSecret, resealWebhookSecrets, sealSecret, tenantSchema } from '@medstock/db';
import { housekeepingJob } from '@medstock/worker/jobs/housekeeping.job.ts';
import { deliverOnce } from '@medstock/worker/webhooks/deliver.ts';
import type { Job } from 'bullmq';
import { decodeJwt, importPKCS8, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, PASSWORD, type SignedUp, signUp, startTestApp, type TestApp } from './support/test-app.ts';

let t: TestApp;
let owner: SignedUp;
let receiver: Server;
let receiverUrl: string;
const received: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
/** Every credential the API handed out in this file: none may be found stored anywhere. */
const handedOut: string[] = [];

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  t = await startTestApp();
  owner = await signUp(t);
  handedOut.push(owner.accessToken, owner.refreshToken);
});
afterAll(async () => {
  await t?.close();
  await new Promise((r) => receiver?.close(r));
});

const schema = () => tenantSchema(owner.organizationId);
const post = (url: string, payload: unknown, key?: string) =>
  t.app.inject({
    method: 'POST',
    url,
    headers: { ...owner.headers, ...(key ? { 'idempotency-key': key } : {}) },
    payload: payload as Record<string, unknown>,
  });
// `.invalid` never resolves (RFC 6761): accepted at registration, checked again at delivery.
const HOOK_URL = 'https://hooks.medstock.invalid/medstock';

describe('responses that carry a credential are never stored or replayed', () => {
  it('API-key creation: a replay says which key was made instead of showing the secret again', async () => {
    const body = { name: 'ERP link', scopes: ['read'] };
    const first = await post('/v1/api-keys', body, 'key-create-1');
    expect(first.statusCode).toBe(201);
    const key = first.json().key as string;
    handedOut.push(key, key.split('_').slice(2).join('_'));
    const replay = await post('/v1/api-keys', body, 'key-create-1');
    expect(replay.statusCode).toBe(409);
    expect(replay.json()).toMatchObject({
      code: 'idempotent_secret_not_replayed',
      resourceId: first.json().id,
    });
    expect(replay.body).not.toContain(key);
    const keys = (await t.app.inject({ method: 'GET', url: '/v1/api-keys', headers: owner.headers })).json();
    expect(keys.items.filter((k: { name: string }) => k.name === 'ERP link')).toHaveLength(1);
    const { rows } = await t.deps.database.pool.query(
      `select state, response_body, response_withheld, resource_id from control.idempotency_keys where key = 'key-create-1'`,
    );
    expect(rows).toEqual([
      { state: 'done', response_body: null, response_withheld: true, resource_id: first.json().id },
    ]);
  });

  it('webhook creation and secret rotation: replays are refused with the endpoint id, never the secret', async () => {
    const body = { url: HOOK_URL, events: ['movement.created'] };
    const created = await post('/v1/webhooks', body, 'hook-create-1');
    expect(created.statusCode, created.body).toBe(201);
    handedOut.push(created.json().secret);
    const replay = await post('/v1/webhooks', body, 'hook-create-1');
    expect(replay.statusCode).toBe(409);
    expect(replay.json()).toMatchObject({
      code: 'idempotent_secret_not_replayed',
      resourceId: created.json().id,
    });
    expect(replay.body).not.toContain(created.json().secret);

    const rotateUrl = `/v1/webhooks/${created.json().id}/rotate-secret`;
    const rotated = await post(rotateUrl, undefined, 'hook-rotate-1');
    expect(rotated.statusCode).toBe(200);
    handedOut.push(rotated.json().secret);
    const again = await post(rotateUrl, undefined, 'hook-rotate-1');
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('idempotent_secret_not_replayed');
    expect(again.body).not.toContain(rotated.json().secret);
  });

  it('login, refresh and sign-up keep no idempotency record at all', async () => {
    const login = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      headers: { 'idempotency-key': 'login-1' },
      payload: { email: owner.email, password: PASSWORD },
    });
    expect(login.statusCode).toBe(200);
    const refreshed = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/refresh',
      headers: { 'idempotency-key': 'refresh-1' },
      payload: { refreshToken: login.json().refreshToken },
    });
    expect(refreshed.statusCode).toBe(200);
    handedOut.push(
      login.json().accessToken,
      login.json().refreshToken,
      refreshed.json().accessToken,
      refreshed.json().refreshToken,
    );
    const { rows } = await t.deps.database.pool.query(
      `select key from control.idempotency_keys where key in ('login-1', 'refresh-1') or path like '/v1/auth/%'`,
    );
    expect(rows).toEqual([]);
  });
});

describe('Cache-Control: no-store on credential responses', () => {
  it('is set on token, API-key and signing-secret responses, and on their errors', async () => {
    const answers = [
      await t.app.inject({
        method: 'POST',
        url: '/v1/auth/login',
        payload: { email: owner.email, password: PASSWORD },
      }),
      await t.app.inject({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken: 'nope' } }),
      await t.app.inject({
        method: 'POST',
        url: '/v1/auth/signup/confirm',
        payload: { token: 'nope', password: PASSWORD },
      }),
      await t.app.inject({
        method: 'POST',
        url: '/v1/invitations/accept',
        payload: { token: 'nope', password: PASSWORD },
      }),
      await post('/v1/api-keys', { name: 'cache check', scopes: ['read'] }),
      await post('/v1/webhooks', { url: HOOK_URL, events: ['alert.opened'] }),
    ];
    for (const a of answers) expect(a.headers['cache-control'], `${a.statusCode} ${a.body}`).toBe('no-store');
    handedOut.push(answers[0]!.json().accessToken, answers[4]!.json().key, answers[5]!.json().secret);
  });

  it('is not forced on ordinary reads', async () => {
    const sites = await t.app.inject({ method: 'GET', url: '/v1/sites', headers: owner.headers });
    expect(sites.headers['cache-control']).not.toBe('no-store');
  });
});

describe('the refresh cookie is Secure unless the app is served over plain http on loopback', () => {
  it('follows PUBLIC_URL, and COOKIE_SECURE when it is set', () => {
    expect(refreshCookieSecure({ PUBLIC_URL: 'http://127.0.0.1:3000' })).toBe(false);
    expect(refreshCookieSecure({ PUBLIC_URL: 'http://localhost:3000' })).toBe(false);
    expect(refreshCookieSecure({ PUBLIC_URL: 'http://[::1]:3000' })).toBe(false);
    expect(refreshCookieSecure({ PUBLIC_URL: 'http://10.20.0.5:3000' })).toBe(true);
    expect(refreshCookieSecure({ PUBLIC_URL: 'https://medstock.example.org' })).toBe(true);
    expect(refreshCookieSecure({ PUBLIC_URL: 'http://10.20.0.5', COOKIE_SECURE: false })).toBe(false);
  });

  it('marks the cookie Secure when the app is served over https', async () => {
    const https = await startTestApp({ PUBLIC_URL: 'https://medstock.example.org' });
    try {
      const user = await signUp(https);
      const login = await https.app.inject({
        method: 'POST',
        url: '/v1/auth/login',
        payload: { email: user.email, password: PASSWORD },
      });
      expect(String(login.headers['set-cookie'])).toMatch(/medstock_refresh=[^;]+;.*\bSecure\b/);
    } finally {
      await https.close();
    }
    const local = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email: owner.email, password: PASSWORD },
    });
    expect(String(local.headers['set-cookie'])).not.toMatch(/\bSecure\b/);
  });
});

describe('access tokens', () => {
  it('a token without an expiry is refused, even when correctly signed', async () => {
    const claims = decodeJwt(owner.accessToken);
    const key = await importPKCS8(t.config.JWT_PRIVATE_KEY, 'EdDSA');
    const sign = (withExp: boolean) => {
      const jwt = new SignJWT({ org: claims.org, sid: claims.sid })
        .setProtectedHeader({ alg: 'EdDSA', kid: t.config.JWT_KEY_ID })
        .setSubject(String(claims.sub))
        .setIssuer(t.config.JWT_ISSUER)
        .setIssuedAt();
      return (withExp ? jwt.setExpirationTime('5m') : jwt).sign(key);
    };
    const me = async (token: string) =>
      (await t.app.inject({ method: 'GET', url: '/v1/me', headers: bearer(token) })).statusCode;
    expect(await me(await sign(true))).toBe(200);
    expect(await me(await sign(false))).toBe(401);
  });
});

describe('webhook signing secrets are encrypted at rest', () => {
  const endpointRow = async (id: string) =>
    (
      await t.deps.database.pool.query<{
        id: string;
        secret: string | null;
        secret_sealed: string | null;
        secret_hint: string;
      }>(`select id, secret, secret_sealed, secret_hint from "${schema()}".webhook_endpoints where id = $1`, [
        id,
      ])
    ).rows[0]!;

  it('stores only the sealed secret; the worker opens it to sign, and the receiver verifies', async () => {
    const created = (await post('/v1/webhooks', { url: HOOK_URL, events: ['movement.created'] })).json();
    handedOut.push(created.secret);
    const row = await endpointRow(created.id);
    expect(row.secret).toBeNull();
    expect(row.secret_sealed).toMatch(/^v1\.dev\./);
    expect(row.secret_sealed).not.toContain(created.secret);
    expect(created.secretHint).toBe(`whsec_…${created.secret.slice(-4)}`);

    // Point it at a local receiver (allowed for this delivery only) and send a test event.
    await t.deps.database.pool.query(`update "${schema()}".webhook_endpoints set url = $2 where id = $1`, [
      created.id,
      receiverUrl,
    ]);
    const delivery = (
      await t.app.inject({ method: 'POST', url: `/v1/webhooks/${created.id}/test`, headers: owner.headers })
    ).json();
    const outcome = await deliverOnce(
      { ...t.config, WEBHOOK_ALLOW_PRIVATE_URLS: true },
      t.deps.database,
      owner.organizationId,
      delivery.id,
      { number: 1, last: true },
    );
    expect(outcome.status).toBe('succeeded');
    const hit = received.at(-1)!;
    expect(verifySignature(created.secret, hit.body, String(hit.headers['medstock-signature']))).toBe(true);
  });

  it('plain secrets from before are sealed by housekeeping, and a new key re-seals everything', async () => {
    const legacySecret = `whsec_${randomBytes(24).toString('base64url')}`;
    const { rows } = await t.deps.database.pool.query<{ id: string }>(
      `insert into "${schema()}".webhook_endpoints (url, secret, secret_hint, events)
       values ($1, $2, right($2, 4), '{ping}') returning id`,
      [HOOK_URL, legacySecret],
    );
    const legacyId = rows[0]!.id;
    const result = (await housekeepingJob.handle(
      { config: t.config, database: t.deps.database } as never,
      {
        data: { tenantId: owner.organizationId },
      } as Job,
    )) as { webhookSecretsSealed: number };
    expect(result.webhookSecretsSealed).toBeGreaterThanOrEqual(1);
    const sealed = await endpointRow(legacyId);
    expect(sealed.secret).toBeNull();
    const devRing = secretKeyRing(DEV_SECRETS_KEYS);
    expect(openWebhookSecret(devRing, sealed)).toBe(legacySecret);

    // Rotation: a new key first, the old one kept to decrypt; re-sealing moves every row over.
    const newKey = `k2:${randomBytes(32).toString('base64')}`;
    const rotated = parseSecretKeys(`${newKey},${DEV_SECRETS_KEYS}`);
    expect(
      await resealWebhookSecrets(t.deps.database.db, rotated, owner.organizationId),
    ).toBeGreaterThanOrEqual(2);
    const after = await t.deps.database.pool.query<{ id: string; secret: null; secret_sealed: string }>(
      `select id, secret, secret_sealed from "${schema()}".webhook_endpoints`,
    );
    const onlyNewKey = parseSecretKeys(newKey);
    for (const r of after.rows) {
      expect(r.secret_sealed).toMatch(/^v1\.k2\./);
      expect(openWebhookSecret(onlyNewKey, r)).toMatch(/^whsec_/);
    }
    expect(openWebhookSecret(onlyNewKey, (await endpointRow(legacyId)) as never)).toBe(legacySecret);

    // The command line does the same for every organisation at once.
    const third = `k3:${randomBytes(32).toString('base64')}`;
    const cli = spawnSync(process.execPath, ['--import', 'tsx', 'worker/src/cli/reseal-secrets.cli.ts'], {
      cwd: resolve(import.meta.dirname, '../..'),
      env: { ...process.env, DATABASE_URL: t.databaseUrl, SECRETS_KEYS: `${third},${newKey}` },
      encoding: 'utf8',
    });
    expect(cli.status, cli.stderr).toBe(0);
    expect(cli.stdout).toMatch(/webhook secrets sealed with key "k3"/);
    expect((await endpointRow(legacyId)).secret_sealed).toMatch(/^v1\.k3\./);
    expect(openWebhookSecret(parseSecretKeys(third), (await endpointRow(legacyId)) as never)).toBe(
      legacySecret,
    );
  });

  it('a sealed secret does not open on another row, nor after tampering', () => {
    const ring = secretKeyRing(DEV_SECRETS_KEYS);
    const sealed = sealSecret(ring, 'whsec_x', 'webhook-signing-secret:a');
    expect(openSecret(ring, sealed, 'webhook-signing-secret:a')).toBe('whsec_x');
    expect(() => openSecret(ring, sealed, 'webhook-signing-secret:b')).toThrow();
    const parts = sealed.split('.');
    parts[3] = Buffer.from('whsec_y').toString('base64url');
    expect(() => openSecret(ring, parts.join('.'), 'webhook-signing-secret:a')).toThrow();
  });

  it('SECRETS_KEYS is checked at start-up; the shipped default is the marked development key', () => {
    const env = { DATABASE_URL: 'postgres://x', REDIS_URL: 'redis://x', JWT_PRIVATE_KEY: 'k' };
    expect(() => loadConfig({ ...env, SECRETS_KEYS: 'short:AAAA' })).toThrow(/SECRETS_KEYS/);
    expect(() => loadConfig({ ...env, SECRETS_KEYS: 'no-colon' })).toThrow(/SECRETS_KEYS/);
    expect(usesDevSecretsKey(loadConfig(env).SECRETS_KEYS)).toBe(true);
    expect(usesDevSecretsKey(`prod:${randomBytes(32).toString('base64')}`)).toBe(false);
  });
});

// Last, once every credential of this file has been handed out.
describe('stored data', () => {
  it('no credential handed out in this file is found anywhere in the database', async () => {
    expect(handedOut.length).toBeGreaterThanOrEqual(9);
    const pool = t.deps.database.pool;
    const tables = await pool.query<{ s: string; n: string }>(
      `select table_schema as s, table_name as n from information_schema.tables
        where table_schema in ('control', $1) and table_type = 'BASE TABLE'`,
      [schema()],
    );
    let dump = '';
    for (const { s, n } of tables.rows) {
      const r = await pool.query<{ d: string | null }>(
        `select string_agg(x::text, E'\\n') as d from "${s}"."${n}" x`,
      );
      dump += r.rows[0]?.d ?? '';
    }
    expect(dump).toContain('key-create-1'); // the dump does hold the idempotency records
    for (const secret of handedOut) expect(dump.includes(secret), `${secret.slice(0, 12)}…`).toBe(false);
  });
});
