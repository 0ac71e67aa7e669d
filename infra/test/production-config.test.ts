import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEV_SECRETS_KEYS, loadConfig } from '@medstock/config';
import { describe, expect, it } from 'vitest';

const pem = (type: 'ed25519' | 'ec') =>
  (type === 'ed25519'
    ? generateKeyPairSync('ed25519')
    : generateKeyPairSync('ec', { namedCurve: 'P-256' })
  ).privateKey
    .export({ type: 'pkcs8', format: 'pem' })
    .toString();

/** A production environment with nothing to object to. */
const safe = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://medstock@db/medstock',
  REDIS_URL: 'redis://redis:6379',
  JWT_PRIVATE_KEY: pem('ed25519'),
  SECRETS_KEYS: `k1:${randomBytes(32).toString('base64')}`,
  PUBLIC_URL: 'https://stock.hospital.example',
  SMTP_URL: 'smtp://mail.hospital.example:587',
};

function refusal(env: Record<string, string | undefined>): string {
  try {
    loadConfig(env);
  } catch (err) {
    return (err as Error).message;
  }
  return '(accepted)';
}

describe('production configuration check (NODE_ENV=production)', () => {
  it('accepts a safe production configuration, and loopback http for a single-host install', () => {
    expect(loadConfig(safe).PUBLIC_URL).toBe('https://stock.hospital.example');
    expect(loadConfig({ ...safe, PUBLIC_URL: 'http://127.0.0.1:3000' }).PUBLIC_URL).toBe(
      'http://127.0.0.1:3000',
    );
  });

  it('lists every problem at once, one line each', () => {
    const message = refusal({
      ...safe,
      JWT_PRIVATE_KEY: 'CHANGE_ME',
      SECRETS_KEYS: DEV_SECRETS_KEYS,
      PUBLIC_URL: 'http://10.1.2.3',
      SMTP_URL: undefined,
      STRIPE_SECRET_KEY: 'sk_live_x',
    });
    expect(message).toMatch(/^Unsafe production configuration \(NODE_ENV=production\):/);
    const lines = message.split('\n').filter((l) => l.startsWith('  - '));
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(/JWT_PRIVATE_KEY is not a private key/);
    expect(lines[1]).toMatch(/SECRETS_KEYS contains the public development key/);
    expect(lines[2]).toMatch(/PUBLIC_URL http:\/\/10\.1\.2\.3 is not https/);
    expect(lines[3]).toMatch(/SMTP_URL is empty: .*invitations/);
    expect(lines[4]).toMatch(
      /STRIPE_WEBHOOK_SECRET, STRIPE_PRICE_CLINIC, STRIPE_PRICE_CHAIN_PER_SITE are empty/,
    );
  });

  it.each([
    [{ JWT_PRIVATE_KEY: pem('ec') }, /JWT_PRIVATE_KEY is a ec key/],
    [
      { SECRETS_KEYS: `new:${randomBytes(32).toString('base64')},${DEV_SECRETS_KEYS}` },
      /public development key/,
    ],
    [{ PUBLIC_URL: 'http://stock.hospital.example' }, /is not https/],
    [{ COOKIE_SECURE: 'false' }, /COOKIE_SECURE=false/],
    [
      { STRIPE_SECRET_KEY: 'sk_live_x', STRIPE_WEBHOOK_SECRET: 'w', STRIPE_PRICE_CLINIC: 'p' },
      /STRIPE_PRICE_CHAIN_PER_SITE is empty/,
    ],
    [{ STRIPE_PRICE_CLINIC: 'p' }, /STRIPE_SECRET_KEY is empty, so billing is off/],
  ])('refuses %o', (change, expected) => {
    expect(refusal({ ...safe, ...change })).toMatch(expected);
  });

  it('reads a secret from NAME_FILE (Docker/Kubernetes secrets, systemd credentials) when NAME is unset', () => {
    const dir = mkdtempSync(join(tmpdir(), 'medstock-config-'));
    try {
      // One trailing newline (what editors and `echo` add) is not part of the value.
      writeFileSync(join(dir, 'jwt.pem'), `${safe.JWT_PRIVATE_KEY}\n`);
      const { JWT_PRIVATE_KEY: key, ...rest } = safe;
      expect(loadConfig({ ...rest, JWT_PRIVATE_KEY_FILE: join(dir, 'jwt.pem') }).JWT_PRIVATE_KEY).toBe(key);
      writeFileSync(join(dir, 'jwt.pem'), 'CHANGE_ME\n');
      expect(refusal({ ...rest, JWT_PRIVATE_KEY_FILE: join(dir, 'jwt.pem') })).toMatch(
        /JWT_PRIVATE_KEY is not a private key/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('checks nothing outside production: development keeps its public key and mail files', () => {
    const { NODE_ENV: _, ...dev } = safe;
    expect(() =>
      loadConfig({ ...dev, SECRETS_KEYS: undefined, SMTP_URL: undefined, PUBLIC_URL: 'http://10.1.2.3' }),
    ).not.toThrow();
  });
});
