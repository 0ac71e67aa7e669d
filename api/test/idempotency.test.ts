import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { tenantSchema } from '@medstock/db';
import { housekeepingJob } from '@medstock/worker/jobs/housekeeping.job.ts';
import type { Job } from 'bullmq';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { centralStore, insertItem } from './support/fixtures.ts';
import { PASSWORD, type SignedUp, signUp, startTestApp, type TestApp } from './support/test-app.ts';

let t: TestApp;
let owner: SignedUp;
let uploadDir: string;
let admin: pg.Pool;
beforeAll(async () => {
  uploadDir = mkdtempSync(join(tmpdir(), 'medstock-idem-'));
  t = await startTestApp({ UPLOAD_DIR: uploadDir });
  owner = await signUp(t);
  admin = new pg.Pool({ connectionString: t.databaseUrl, max: 3 });
});
afterAll(async () => {
  await admin?.end();
  await t?.close();
  rmSync(uploadDir, { recursive: true, force: true });
});

const siteCount = async () =>
  (await t.app.inject({ method: 'GET', url: '/v1/sites?limit=500', headers: owner.headers })).json().items
    .length;
const sitesWithCode = async (code: string) =>
  Number(
    (
      await admin.query(
        `select count(*) as n from "${tenantSchema(owner.organizationId)}".sites where code = $1`,
        [code],
      )
    ).rows[0].n,
  );
const record = async (key: string) =>
  (await admin.query('select * from control.idempotency_keys where key = $1', [key])).rows;

describe('Idempotency-Key', () => {
  it('a retried POST returns the first response and writes nothing', async () => {
    const before = await siteCount();
    const req = {
      method: 'POST' as const,
      url: '/v1/sites',
      headers: { ...owner.headers, 'idempotency-key': 'site-create-1' },
      payload: { code: 'IDEM1', name: 'Idem' },
    };
    const first = await t.app.inject(req);
    const second = await t.app.inject(req);
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(201);
    expect(second.json()).toEqual(first.json());
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(await siteCount()).toBe(before + 1);
    // The record was marked committed by the change's own transaction, then completed.
    const [row] = await record('site-create-1');
    expect(row).toMatchObject({ state: 'done', organization_id: owner.organizationId });
    expect(row.committed_at).not.toBeNull();
  });

  it('the same key with a different body is refused', async () => {
    const headers = { ...owner.headers, 'idempotency-key': 'site-create-2' };
    await t.app.inject({ method: 'POST', url: '/v1/sites', headers, payload: { code: 'IDEM2', name: 'x' } });
    const other = await t.app.inject({
      method: 'POST',
      url: '/v1/sites',
      headers,
      payload: { code: 'IDEM3', name: 'y' },
    });
    expect(other.statusCode).toBe(422);
    expect(other.json().code).toBe('idempotency_key_reused');
  });

  it('concurrent retries create exactly one record', async () => {
    const before = await siteCount();
    const req = {
      method: 'POST' as const,
      url: '/v1/sites',
      headers: { ...owner.headers, 'idempotency-key': 'site-create-race' },
      payload: { code: 'RACE', name: 'race' },
    };
    const results = await Promise.all(Array.from({ length: 8 }, () => t.app.inject(req)));
    const codes = results.map((r) => r.statusCode);
    expect(codes.every((c) => c === 201 || c === 409)).toBe(true);
    expect(codes.filter((c) => c === 201).length).toBeGreaterThanOrEqual(1);
    expect(await siteCount()).toBe(before + 1);
    // Once finished, every retry gets the stored response.
    const late = await t.app.inject(req);
    expect(late.statusCode).toBe(201);
    expect(late.headers['idempotent-replayed']).toBe('true');
  });

  it('keys are scoped to the caller: another tenant using the same key gets its own result', async () => {
    const other = await signUp(t);
    const headers = { 'idempotency-key': 'shared-key' };
    const mine = await t.app.inject({
      method: 'POST',
      url: '/v1/sites',
      headers: { ...owner.headers, ...headers },
      payload: { code: 'S1', name: 'mine' },
    });
    const theirs = await t.app.inject({
      method: 'POST',
      url: '/v1/sites',
      headers: { ...other.headers, ...headers },
      payload: { code: 'S1', name: 'mine' },
    });
    expect(mine.statusCode).toBe(201);
    expect(theirs.statusCode).toBe(201);
    expect(theirs.json().id).not.toBe(mine.json().id);
    expect(theirs.headers['idempotent-replayed']).toBeUndefined();
  });

  it('rejects a malformed key', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/sites',
      headers: { ...owner.headers, 'idempotency-key': 'bad key with spaces' },
      payload: { code: 'Z', name: 'z' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('invalid_idempotency_key');
  });
});

describe('Idempotency-Key without a principal, and on auth routes', () => {
  it("another client cannot replay a victim's refresh with the victim's key: auth routes keep no record", async () => {
    const login = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email: owner.email, password: PASSWORD },
    });
    expect(login.statusCode).toBe(200);
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    const key = 'victim-refresh-key';
    const victim = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/refresh',
      headers: { cookie, 'idempotency-key': key },
      payload: {},
    });
    expect(victim.statusCode).toBe(200);
    // Same key, same body, same address, no credential of its own.
    const attacker = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/refresh',
      headers: { 'idempotency-key': key },
      payload: {},
    });
    expect(attacker.statusCode).toBe(401);
    expect(attacker.body).not.toContain(victim.json().accessToken);
    expect(attacker.headers['idempotent-replayed']).toBeUndefined();
    expect(await record(key)).toEqual([]);
  });

  it('a login retried with the same key signs in afresh (no stored tokens)', async () => {
    const req = {
      method: 'POST' as const,
      url: '/v1/auth/login',
      headers: { 'idempotency-key': 'login-key' },
      payload: { email: owner.email, password: PASSWORD },
    };
    const a = await t.app.inject(req);
    const b = await t.app.inject(req);
    expect([a.statusCode, b.statusCode]).toEqual([200, 200]);
    expect(b.headers['idempotent-replayed']).toBeUndefined();
    expect(b.json().accessToken).not.toBe(a.json().accessToken);
    expect(await record('login-key')).toEqual([]);
  });

  it('records carry the principal, never a client address', async () => {
    const { rows } = await admin.query<{ scope: string }>('select scope from control.idempotency_keys');
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(r.scope).toMatch(/^(user:[0-9a-f-]{36}:[0-9a-f-]{36}|key:[0-9a-f-]{36})$/);
  });
});

describe('Idempotency-Key on imports compares the file itself', () => {
  const upload = (csv: string, key: string) =>
    t.app.inject({
      method: 'POST',
      url: '/v1/imports?kind=suppliers&fileName=s.csv',
      headers: { ...owner.headers, 'content-type': 'text/csv', 'idempotency-key': key },
      payload: csv,
    });

  it('a different file of the same size under the same key is refused; the same file is replayed', async () => {
    const a = 'code,name\nSUP-A,Alpha\n';
    const b = 'code,name\nSUP-B,Bravo\n';
    expect(b.length).toBe(a.length);
    const first = await upload(a, 'import-key-1');
    expect(first.statusCode).toBe(202);
    const other = await upload(b, 'import-key-1');
    expect(other.statusCode).toBe(422);
    expect(other.json().code).toBe('idempotency_key_reused');
    const again = await upload(a, 'import-key-1');
    expect(again.statusCode).toBe(202);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json().id).toBe(first.json().id);
    // Only the accepted upload stays stored: the refused and the replayed copies are removed.
    const stored = await admin.query(
      `select distinct file_id from ${tenantSchema(owner.organizationId)}.import_files`,
    );
    expect(stored.rows.map((r) => r.file_id)).toEqual([first.json().id]);
  });
});

describe('Idempotency records are expired by age for every caller', () => {
  it('housekeeping deletes old records of users, API keys and anonymous callers, and keeps fresh ones', async () => {
    const old = "now() - interval '3 days'";
    const keyId = '00000000-0000-4000-8000-000000000001';
    await admin.query(
      `insert into control.idempotency_keys (scope, key, method, path, body_hash, state, created_at) values
        ($1, 'hk-user', 'POST', '/v1/sites', 'h', 'done', ${old}),
        ($2, 'hk-key', 'POST', '/v1/sites', 'h', 'done', ${old}),
        ('anon:203.0.113.7', 'hk-anon', 'POST', '/v1/auth/refresh', 'h', 'done', ${old}),
        ($2, 'hk-fresh', 'POST', '/v1/sites', 'h', 'done', now())`,
      [`user:${owner.organizationId}:${owner.userId}`, `key:${keyId}`],
    );
    const result = (await housekeepingJob.handle(
      { config: t.config, database: t.deps.database } as never,
      {
        data: { tenantId: owner.organizationId },
      } as Job,
    )) as { idempotencyKeysDeleted: number };
    expect(result.idempotencyKeysDeleted).toBeGreaterThanOrEqual(3);
    const { rows } = await admin.query<{ key: string }>(
      `select key from control.idempotency_keys where key like 'hk-%' order by key`,
    );
    expect(rows.map((r) => r.key)).toEqual(['hk-fresh']);
  });
});

// ---- Crash safety: a real API process killed with SIGKILL in the middle of a request ----

const root = resolve(import.meta.dirname, '../..');

interface Child {
  proc: ChildProcess;
  port: number;
  output: string[];
  waitFor(line: string): Promise<void>;
  kill(): Promise<void>;
}

async function startApiChild(extraEnv: Record<string, string> = {}): Promise<Child> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'api/test/support/api-child.ts'], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: t.databaseUrl,
      QUEUE_PREFIX: t.config.QUEUE_PREFIX,
      UPLOAD_DIR: uploadDir,
      SMTP_URL: '',
      MAIL_DIR: uploadDir,
      RATE_LIMIT_PER_MINUTE: '100000',
      LOG_LEVEL: 'silent',
      // A dead request's key is recovered after a second, so the test does not wait a minute.
      IDEMPOTENCY_IN_PROGRESS_TTL_SECONDS: '1',
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const waiters: Array<{ line: string; resolve: () => void }> = [];
  let stderr = '';
  proc.stderr!.on('data', (c) => {
    stderr += String(c);
  });
  proc.stdout!.setEncoding('utf8');
  proc.stdout!.on('data', (chunk: string) => {
    for (const line of chunk.split('\n').filter(Boolean)) {
      output.push(line);
      for (const w of waiters.filter((x) => line.startsWith(x.line))) w.resolve();
    }
  });
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const waitFor = (line: string) =>
    new Promise<void>((res, rej) => {
      if (output.some((l) => l.startsWith(line))) return res();
      waiters.push({ line, resolve: res });
      exited.then(() => rej(new Error(`API child exited before "${line}": ${stderr.slice(-2000)}`)));
    });
  await waitFor('listening');
  const port = Number(output.find((l) => l.startsWith('listening'))!.split(' ')[1]);
  return {
    proc,
    port,
    output,
    waitFor,
    kill: async () => {
      proc.kill('SIGKILL');
      await exited;
    },
  };
}

async function post(child: Child, path: string, key: string, body: unknown) {
  const res = await fetch(`http://127.0.0.1:${child.port}${path}`, {
    method: 'POST',
    headers: { ...owner.headers, 'content-type': 'application/json', 'idempotency-key': key },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Retries like a client would while the server says the first attempt may still be running. */
async function retryUntilSettled(child: Child, path: string, key: string, body: unknown) {
  for (let i = 0; i < 200; i++) {
    const r = await post(child, path, key, body);
    if (!(r.status === 409 && r.body.code === 'idempotency_in_progress')) return r;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error('the key stayed in progress');
}

/** Waits until `count` sessions of this database wait for a lock (the held requests). */
async function waitForBlocked(count: number) {
  for (let i = 0; i < 300; i++) {
    const { rows } = await admin.query(
      `select count(*) as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
    );
    if (Number(rows[0].n) >= count) return;
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new Error('the request never reached its insert');
}

/** Holds a tenant table so that a request writing to it waits inside its transaction. */
async function lockTable(table: 'sites' | 'movements') {
  const client = await admin.connect();
  await client.query('begin');
  await client.query(`lock table "${tenantSchema(owner.organizationId)}".${table} in exclusive mode`);
  return {
    release: async () => {
      await client.query('rollback');
      client.release();
    },
  };
}

// Each case starts real API processes (a few seconds each on a busy machine).
describe('Idempotency-Key survives an API crash (kill -9)', { timeout: 180_000 }, () => {
  it('killed before its change committed: the retry runs afresh once, no stuck key', async () => {
    const body = { code: 'CRASH-A', name: 'killed before commit' };
    const lock = await lockTable('sites');
    const first = await startApiChild();
    const lost = post(first, '/v1/sites', 'crash-before-commit', body).catch(() => null);
    await waitForBlocked(1);
    await first.kill();
    expect(await lost).toBeNull();
    await lock.release();
    expect((await record('crash-before-commit'))[0]).toMatchObject({
      state: 'in_progress',
      committed_at: null,
    });

    const restarted = await startApiChild();
    try {
      const retry = await retryUntilSettled(restarted, '/v1/sites', 'crash-before-commit', body);
      expect(retry.status).toBe(201);
      expect(await sitesWithCode('CRASH-A')).toBe(1);
      const again = await post(restarted, '/v1/sites', 'crash-before-commit', body);
      expect(again).toMatchObject({ status: 201, body: { id: retry.body.id } });
      expect((await record('crash-before-commit'))[0].state).toBe('done');
    } finally {
      await restarted.kill();
    }
  });

  it('killed after its change committed, before answering: the retry is told so and nothing is applied twice', async () => {
    const body = { code: 'CRASH-B', name: 'killed after commit' };
    const first = await startApiChild({ MEDSTOCK_TEST_STALL_AFTER_COMMIT: 'crash-after-commit' });
    const lost = post(first, '/v1/sites', 'crash-after-commit', body).catch(() => null);
    await first.waitFor('stalled crash-after-commit');
    await first.kill();
    expect(await lost).toBeNull();
    expect((await record('crash-after-commit'))[0].state).toBe('committed');
    expect(await sitesWithCode('CRASH-B')).toBe(1);

    const restarted = await startApiChild();
    try {
      const retry = await retryUntilSettled(restarted, '/v1/sites', 'crash-after-commit', body);
      expect(retry.status).toBe(409);
      expect(retry.body.code).toBe('idempotency_applied_response_lost');
      expect(retry.body.committedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
      // Asked again, the same clear answer: the key is not stuck and the site not doubled.
      const again = await post(restarted, '/v1/sites', 'crash-after-commit', body);
      expect(again.body.code).toBe('idempotency_applied_response_lost');
      expect(await sitesWithCode('CRASH-B')).toBe(1);
    } finally {
      await restarted.kill();
    }
  });

  it('a request that outlives the timeout and is taken over by a retry does not apply as well', async () => {
    // A receipt: nothing unique in it, so only the idempotency claim can keep it from applying twice.
    const itemId = await insertItem(t, owner.organizationId, { code: 'SLOW-1' });
    const { locationId } = await centralStore(t, owner.headers);
    const body = { type: 'receipt', itemId, locationId, quantity: 5 };
    const lock = await lockTable('movements');
    const api = await startApiChild();
    try {
      const slow = post(api, '/v1/movements', 'slow-first', body);
      await waitForBlocked(1);
      // After the 1 s timeout the retry takes the key over and waits on the same lock.
      const retry = retryUntilSettled(api, '/v1/movements', 'slow-first', body);
      await waitForBlocked(2);
      await lock.release();
      const [a, b] = await Promise.all([slow, retry]);
      expect(a.status).toBe(409);
      expect(a.body.code).toBe('idempotency_superseded');
      expect(b.status).toBe(201);
      const { rows } = await admin.query(
        `select count(*) as n from "${tenantSchema(owner.organizationId)}".movements where item_id = $1`,
        [itemId],
      );
      expect(Number(rows[0].n)).toBe(1);
    } finally {
      await api.kill();
    }
  });
});
