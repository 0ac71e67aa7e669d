import dns from 'node:dns';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  endpointUrlProblem,
  isPrivateAddress,
  PRIVATE_ADDRESS_PROBLEM,
  resolveEndpointHost,
} from '@medstock/contracts/webhooks/endpoint-address.ts';
import { postWebhook } from '@medstock/worker/webhooks/post-webhook.ts';
import { EXCERPT_MAX_CHARS } from '@medstock/worker/webhooks/response-excerpt.ts';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type SignedUp, signUp, startTestApp, type TestApp } from './support/test-app.ts';

/** Answers of a DNS of our own: each lookup of `name` takes the next list (the last one repeats). */
function fakeDns(answers: Record<string, string[][]>) {
  const real = dns.promises.lookup.bind(dns.promises);
  const calls: string[] = [];
  vi.spyOn(dns.promises, 'lookup').mockImplementation((async (name: string, options: unknown) => {
    const plan = answers[name];
    if (!plan) return real(name, options as dns.LookupAllOptions);
    calls.push(name);
    const list = plan.length > 1 ? plan.shift()! : plan[0]!;
    return list.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  }) as never);
  return calls;
}
afterEach(() => vi.restoreAllMocks());

let server: Server;
let port: number;
let hits = 0;
let answer: { status: number; body: string } = { status: 204, body: '' };
let t: TestApp;
let org: SignedUp;
beforeAll(async () => {
  server = createServer((req, res) => {
    hits++;
    req.resume();
    req.on('end', () =>
      res.writeHead(answer.status, { 'x-receiver-secret': 'header-value-never-kept' }).end(answer.body),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
  t = await startTestApp();
  org = await signUp(t);
});
afterAll(async () => {
  await t?.close();
  await new Promise((r) => server?.close(r));
});

// Every special-purpose form that reached a private or reserved address before.
const REFUSED = [
  'http://127.0.0.1/h',
  'http://2130706433/h', // 127.0.0.1 as one number
  'http://0x7f.1/h',
  'http://169.254.169.254/latest/meta-data',
  'http://10.1.2.3/h',
  'http://100.64.0.1/h',
  'http://192.0.0.8/h', // IETF protocol assignments
  'http://198.18.0.1/h', // benchmarking 198.18.0.0/15
  'http://198.19.255.1/h',
  'http://192.0.2.10/h', // TEST-NET-1
  'http://198.51.100.7/h', // TEST-NET-2
  'http://203.0.113.9/h', // TEST-NET-3
  'http://240.0.0.1/h',
  'http://255.255.255.255/h',
  'http://0.0.0.0/h',
  'http://[::1]/h',
  'http://[::]/h',
  'http://[::ffff:127.0.0.1]/h', // IPv4-mapped
  'http://[::ffff:a9fe:a9fe]/h',
  'http://[::127.0.0.1]/h', // IPv4-compatible
  'http://[::a00:1]/h',
  'http://[64:ff9b::7f00:1]/h', // NAT64 of 127.0.0.1
  'http://[64:ff9b::a9fe:a9fe]/h', // NAT64 of the metadata address
  'http://[64:ff9b:1::a00:1]/h', // local-use NAT64
  'http://[2002:7f00:1::]/h', // 6to4 of 127.0.0.1
  'http://[2002:c0a8:101::1]/h', // 6to4 of 192.168.1.1
  'http://[2001::1]/h', // Teredo
  'http://[2001:db8::1]/h', // documentation
  'http://[fd00::1]/h',
  'http://[fe80::1]/h',
  'http://[ff02::1]/h',
  'http://localhost:8080/h',
  'http://api.localhost/h',
];
const ALLOWED = [
  'https://8.8.8.8/h',
  'https://[2606:4700:4700::1111]/h',
  'https://[::ffff:8.8.8.8]/h', // IPv4-mapped public address
  'https://[64:ff9b::808:808]/h', // NAT64 of a public address
  'https://erp.example.org/hook',
];

describe('webhook URL classification (ipaddr.js ranges, embedded IPv4 unwrapped)', () => {
  it('refuses every special-purpose address form', () => {
    for (const url of REFUSED) expect(endpointUrlProblem(url, false), url).toBe(PRIVATE_ADDRESS_PROBLEM);
  });

  it('accepts public unicast addresses and names', () => {
    for (const url of ALLOWED) expect(endpointUrlProblem(url, false), url).toBeNull();
    expect(isPrivateAddress('example.org')).toBe(false);
  });

  it('WEBHOOK_ALLOW_PRIVATE_URLS lets on-premises installations post into their network', () => {
    for (const url of REFUSED) expect(endpointUrlProblem(url, true), url).toBeNull();
    expect(endpointUrlProblem('ftp://10.0.0.1/h', true)).toBe('must be an http or https URL');
  });

  it('refuses a name if any of its addresses is not public, without saying which', async () => {
    fakeDns({
      'mixed.medstock.test': [['93.184.216.34', '10.0.0.7']],
      'fine.medstock.test': [['93.184.216.34']],
    });
    const mixed = await resolveEndpointHost('mixed.medstock.test', false);
    expect(mixed).toEqual({ ok: false, problem: PRIVATE_ADDRESS_PROBLEM });
    expect(await resolveEndpointHost('fine.medstock.test', false)).toEqual({
      ok: true,
      address: '93.184.216.34',
      family: 4,
    });
  });
});

describe('registration', () => {
  const register = (url: string) =>
    t.app.inject({
      method: 'POST',
      url: '/v1/webhooks',
      headers: org.headers,
      payload: { url, events: ['movement.created'] },
    });

  it('refuses special-purpose literals and names that resolve into private space, revealing no address', async () => {
    fakeDns({
      'intranet.medstock.test': [['fd12:3456::7']],
      'metadata.medstock.test': [['169.254.169.254']],
    });
    for (const url of [
      'http://[64:ff9b::7f00:1]/h',
      'http://198.18.0.1/h',
      'https://intranet.medstock.test/h',
      'https://metadata.medstock.test/h',
    ]) {
      const res = await register(url);
      expect(res.statusCode, url).toBe(422);
      expect(res.json().code).toBe('invalid_webhook_url');
      expect(res.body).not.toMatch(/fd12|169\.254/);
    }
  });
});

describe('delivery', () => {
  const send = (url: string, allowPrivate: boolean) =>
    postWebhook(url, '{"id":"e1"}', { 'medstock-signature': 't=1,v1=00' }, { timeoutMs: 1000, allowPrivate });

  it('checks the resolved address again at send time, and does not say what it was', async () => {
    fakeDns({ 'rebound.medstock.test': [['127.0.0.1']] });
    const before = hits;
    const r = await send(`http://rebound.medstock.test:${port}/h`, false);
    expect(r.statusCode).toBeNull();
    expect(r.error).toBe(`the URL ${PRIVATE_ADDRESS_PROBLEM}`);
    expect(hits).toBe(before);
  });

  it('resolves once and connects to the address it checked (DNS rebinding cannot switch it)', async () => {
    // The first answer is the one checked; any later lookup would answer an unreachable address.
    const calls = fakeDns({ 'lan.medstock.test': [['127.0.0.1'], ['10.255.255.1']] });
    answer = { status: 204, body: '' };
    const before = hits;
    const ok = await send(`http://lan.medstock.test:${port}/h`, true);
    expect(ok).toMatchObject({ statusCode: 204, error: null });
    expect(hits).toBe(before + 1);
    expect(calls).toEqual(['lan.medstock.test']);
  });

  it('keeps only a short redacted excerpt of a failed answer, never its headers', async () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZG1pbiJ9.c2lnbmF0dXJlLXZhbHVl';
    answer = {
      status: 500,
      body: `<html>\n\u0000error: token=sup3rs3cretvalue, auth: ${jwt} Bearer abc.def ${'A'.repeat(40)} ${'trace '.repeat(400)}</html>`,
    };
    const r = await send(`http://127.0.0.1:${port}/h`, true);
    expect(r.statusCode).toBe(500);
    expect(r.error!.startsWith('HTTP 500: <html> error: token=[redacted]')).toBe(true);
    expect(r.error!.length).toBeLessThanOrEqual('HTTP 500: '.length + EXCERPT_MAX_CHARS);
    for (const leaked of ['sup3rs3cret', jwt, 'abc.def', 'A'.repeat(40), 'header-value-never-kept', '\u0000'])
      expect(r.error).not.toContain(leaked);
  });

  it('names a failed connection by its kind, not by the address it went to', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    fakeDns({ 'gone.medstock.test': [['127.0.0.1']] });
    const r = await send(`http://gone.medstock.test:${closedPort}/h`, true);
    expect(r).toMatchObject({ statusCode: null, error: 'connection refused' });
  });
});
