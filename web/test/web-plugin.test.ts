import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../api/test/support/test-app.ts';

/** The API serves the built web app at / (one URL), without shadowing any API path. */
let dist: string;
let t: TestApp;

beforeAll(async () => {
  dist = mkdtempSync(join(tmpdir(), 'medstock-dist-'));
  mkdirSync(join(dist, 'assets'));
  writeFileSync(join(dist, 'index.html'), '<!doctype html><title>medstock</title><div id="app"></div>');
  writeFileSync(join(dist, 'assets', 'index-abc123.js'), 'console.log(1)');
  t = await startTestApp({ WEB_DIST_DIR: dist });
});
afterAll(async () => {
  await t?.close();
  rmSync(dist, { recursive: true, force: true });
});

const get = (url: string, accept = 'text/html,application/xhtml+xml') =>
  t.app.inject({ method: 'GET', url, headers: { accept } });

describe('web plugin', () => {
  it('serves index.html at / and for client-side routes, not cached, with a same-origin CSP', async () => {
    for (const url of ['/', '/stock', '/settings/api-keys', '/alerts/3f0c?x=1']) {
      const r = await get(url);
      expect(r.statusCode, url).toBe(200);
      expect(r.headers['content-type']).toContain('text/html');
      expect(r.body).toContain('<div id="app">');
      expect(r.headers['cache-control']).toBe('no-cache');
      expect(String(r.headers['content-security-policy'])).toContain("script-src 'self'");
      expect(String(r.headers['content-security-policy'])).not.toContain('upgrade-insecure-requests');
    }
  });

  it('serves hashed assets with a long immutable cache', async () => {
    const r = await get('/assets/index-abc123.js', '*/*');
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toContain('javascript');
    expect(r.headers['cache-control']).toContain('immutable');
  });

  it('leaves API paths, missing files, traversal and non-HTML requests to the API 404 problem', async () => {
    for (const [url, accept] of [
      ['/v1/nothing-here', 'application/json'],
      ['/v1/nothing-here', 'text/html'],
      ['/assets/missing.js', '*/*'],
      ['/..%2fpackage.json', '*/*'],
      ['/stock', 'application/json'],
    ] as const) {
      const r = await get(url, accept);
      expect(r.statusCode, url).toBe(404);
      expect(r.headers['content-type'], url).toContain('application/problem+json');
    }
    // The API itself is untouched.
    expect((await t.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/v1/me' })).statusCode).toBe(401);
  });
});
