import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOwnRedis } from '../../infra/test/restartable-services.ts';
import type { CapturedMail } from './support/smtp-capture.ts';
import {
  confirmationToken,
  PASSWORD,
  signUp,
  startTestApp,
  type TestApp,
  uniqueEmail,
} from './support/test-app.ts';

/**
 * Small numbers so a test reaches the lock in a few requests: 3 free failures, then a backoff
 * starting at 30 s (doubling), then a 15-minute lock at 5. Waiting is simulated by moving the
 * stored next-attempt time to now, never by sleeping.
 */
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({
    LOGIN_FREE_FAILURES: '3',
    LOGIN_LOCK_AFTER_FAILURES: '5',
    LOGIN_BACKOFF_BASE_SECONDS: '30',
    LOGIN_LOCK_SECONDS: '900',
  });
});
afterAll(async () => t?.close());

let nextAddress = 1;
/** Each test logs in from an address of its own, so per-address counting stays out of the way. */
const ownAddress = () => `10.1.${Math.floor(nextAddress / 250)}.${(nextAddress++ % 250) + 1}`;

const login = (email: string, password: string, remoteAddress: string) =>
  t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email, password }, remoteAddress });

/** As if the backoff had been waited out (the lock too). */
const waitOut = () => t.deps.database.pool.query('update control.login_throttle set next_attempt_at = now()');

interface Step {
  status: number;
  code?: string;
  retryAfter: number | null;
  body: Record<string, unknown>;
}
async function step(res: Awaited<ReturnType<typeof login>>): Promise<Step> {
  const body = res.json();
  // The wait (retryAfterSeconds, params.seconds and the detail that says it) ticks between runs.
  const { requestId: _r, detail: _d, retryAfterSeconds: _s, params: _p, ...rest } = body;
  return {
    status: res.statusCode,
    code: body.code,
    retryAfter: res.headers['retry-after'] === undefined ? null : Number(res.headers['retry-after']),
    body: rest,
  };
}

/** Five wrong passwords with the waits waited out, then the right one: what a guesser sees. */
async function guessingRun(email: string, from: string) {
  const seen: Step[] = [];
  for (let i = 0; i < 3; i++) seen.push(await step(await login(email, 'wrong-guess-phrase-x', from)));
  seen.push(await step(await login(email, PASSWORD, from))); // refused by the backoff, even though right
  await waitOut();
  seen.push(await step(await login(email, 'wrong-guess-phrase-x', from))); // 4th failure: longer wait
  seen.push(await step(await login(email, PASSWORD, from)));
  await waitOut();
  seen.push(await step(await login(email, 'wrong-guess-phrase-x', from))); // 5th failure: locked
  seen.push(await step(await login(email, PASSWORD, from)));
  return seen;
}

describe('login throttling per account', () => {
  it('backs off exponentially, then locks, refusing even the right password, with an audit entry in every organisation', async () => {
    const s = await signUp(t);
    const other = await signUp(t, { email: s.email, organizationName: 'Second clinic' });
    const seen = await guessingRun(s.email, ownAddress());
    expect(seen.map((x) => x.status)).toEqual([401, 401, 401, 429, 401, 429, 401, 429]);
    expect(seen[3]!.code).toBe('login_throttled');
    const [first, second, locked] = [seen[3]!.retryAfter!, seen[5]!.retryAfter!, seen[7]!.retryAfter!];
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThanOrEqual(30);
    expect(second).toBeGreaterThan(30);
    expect(second).toBeLessThanOrEqual(60);
    expect(locked).toBeGreaterThan(60);
    expect(locked).toBeLessThanOrEqual(900);
    // A different address does not get around the account's lock.
    const elsewhere = await login(s.email, PASSWORD, ownAddress());
    expect(elsewhere.statusCode).toBe(429);

    const audit = await t.deps.database.pool.query<{ organization_id: string }>(
      `select organization_id from control.audit_log where action = 'auth.account_locked' and actor_id = $1
        order by organization_id`,
      [s.userId],
    );
    expect(audit.rows.map((r) => r.organization_id)).toEqual([s.organizationId, other.organizationId].sort());
  });

  it('treats an address without an account exactly like a locked account', async () => {
    const s = await signUp(t);
    const known = await guessingRun(s.email, ownAddress());
    const unknown = await guessingRun(uniqueEmail('ghost'), ownAddress());
    // Same statuses, codes, bodies (but request ids and wording of the wait), same waits.
    expect(unknown.map(({ retryAfter: _, ...x }) => x)).toEqual(known.map(({ retryAfter: _, ...x }) => x));
    for (let i = 0; i < known.length; i++) {
      expect(unknown[i]!.retryAfter === null).toBe(known[i]!.retryAfter === null);
      if (known[i]!.retryAfter !== null)
        expect(Math.abs(unknown[i]!.retryAfter! - known[i]!.retryAfter!)).toBeLessThanOrEqual(2);
    }
  });

  it('a success clears the account’s failures; a password reset lifts a lock', async () => {
    const s = await signUp(t);
    const from = ownAddress();
    for (let i = 0; i < 2; i++)
      expect((await login(s.email, 'wrong-guess-phrase-x', from)).statusCode).toBe(401);
    expect((await login(s.email, PASSWORD, from)).statusCode).toBe(200);
    for (let i = 0; i < 3; i++)
      expect((await login(s.email, 'wrong-guess-phrase-x', from)).statusCode).toBe(401);
    expect((await login(s.email, PASSWORD, from)).statusCode).toBe(429);
    await waitOut();
    await login(s.email, 'wrong-guess-phrase-x', from);
    await waitOut();
    await login(s.email, 'wrong-guess-phrase-x', from);
    expect((await login(s.email, PASSWORD, from)).statusCode).toBe(429);

    await t.app.inject({ method: 'POST', url: '/v1/auth/password-reset', payload: { email: s.email } });
    const reset = await t.mail.waitFor(s.email, (m: CapturedMail) => m.subject.includes('Reset your'));
    const done = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/password-reset/confirm',
      payload: { token: confirmationToken(reset), password: 'evening-harbour-lights-5' },
    });
    expect(done.statusCode).toBe(204);
    expect((await login(s.email, 'evening-harbour-lights-5', from)).statusCode).toBe(200);
  });

  it('many people signing in at once from one address are not throttled by each other', async () => {
    // Sign-ups one after another: each creates a schema, and twelve at once can outwait the pool on
    // a busy machine. What is tested is the logins at once.
    const people: Awaited<ReturnType<typeof signUp>>[] = [];
    for (let i = 0; i < 12; i++) people.push(await signUp(t));
    const from = ownAddress();
    const results = await Promise.all(people.map((p) => login(p.email, PASSWORD, from)));
    expect(results.map((r) => r.statusCode)).toEqual(people.map(() => 200));
  });

  it('counts wrong passwords at sign-up confirmation like failed logins', async () => {
    const s = await signUp(t);
    await t.app.inject({
      method: 'POST',
      url: '/v1/auth/signup',
      payload: { organizationName: 'Guessed', email: s.email, password: PASSWORD },
    });
    const mail = await t.mail.waitFor(s.email, (m) => m.links.some((l) => l.includes('/signup/confirm')), 2);
    const token = confirmationToken(mail);
    const from = ownAddress();
    const codes: number[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await t.app.inject({
        method: 'POST',
        url: '/v1/auth/signup/confirm',
        payload: { token, password: 'wrong-guess-phrase-x' },
        remoteAddress: from,
      });
      codes.push(r.statusCode);
    }
    expect(codes).toEqual([401, 401, 401, 429]);
    expect((await login(s.email, PASSWORD, from)).statusCode).toBe(429);
  });
});

describe('login throttling per address, and with Redis down', () => {
  let u: TestApp;
  let redis: Awaited<ReturnType<typeof startOwnRedis>>;
  beforeAll(async () => {
    redis = await startOwnRedis('throttle-redis');
    u = await startTestApp({
      REDIS_URL: redis.url,
      LOGIN_ADDRESS_FREE_FAILURES: '4',
      LOGIN_ADDRESS_LOCK_AFTER_FAILURES: '6',
      LOGIN_BACKOFF_BASE_SECONDS: '30',
    });
  });
  afterAll(async () => {
    await u?.close();
    await redis?.stop();
  });

  it('slows down one address guessing across many accounts, and keeps counting with Redis stopped', async () => {
    const from = '10.9.9.9';
    const attempt = (email: string) =>
      u.app.inject({
        method: 'POST',
        url: '/v1/auth/login',
        payload: { email, password: 'wrong-guess-phrase-x' },
        remoteAddress: from,
      });
    for (let i = 0; i < 4; i++) expect((await attempt(uniqueEmail('spray'))).statusCode).toBe(401);
    const throttled = await attempt(uniqueEmail('spray'));
    expect(throttled.statusCode).toBe(429);
    expect(throttled.json().code).toBe('login_throttled');
    // Another address is not affected.
    const s = await signUp(u);
    const ok = await u.app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email: s.email, password: PASSWORD },
      remoteAddress: '10.9.9.10',
    });
    expect(ok.statusCode).toBe(200);

    await redis.stop();
    const during = await u.app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email: s.email, password: 'wrong-guess-phrase-x' },
      remoteAddress: '10.9.9.11',
    });
    expect(during.statusCode).toBe(401);
    expect((await attempt(s.email)).statusCode).toBe(429);
  });
});
