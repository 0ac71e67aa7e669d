import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, startTestApp, type TestApp } from './support/test-app.ts';

// Issue 11: the first site's kind follows the starter catalogue picked at sign-up — a community
// health centre's catalogue makes a 社区卫生服务中心, not a "hospital".
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

const firstSiteKind = async (body: Record<string, unknown>) => {
  const org = await signUp(t, body);
  const r = await t.app.inject({ method: 'GET', url: '/v1/sites', headers: org.headers });
  expect(r.statusCode).toBe(200);
  return r.json().items.map((s: { kind: string }) => s.kind);
};

describe('the first site follows the chosen template', () => {
  it.each([
    ['community-health-centre', 'community-centre'],
    ['dental-outpatient', 'clinic'],
    ['small-hospital-theatre', 'hospital'],
  ])('%s → %s', async (template, kind) => {
    expect(await firstSiteKind({ catalogueTemplate: template })).toEqual([kind]);
  });

  it('without a template the site is a hospital, as before', async () => {
    expect(await firstSiteKind({})).toEqual(['hospital']);
  });

  it('a clinic that names no site gets a first site and store named in its language', async () => {
    for (const [locale, site, store] of [
      ['zh-CN', '本院', '中心库房'],
      ['en', 'Main site', 'Central store'],
    ] as const) {
      const org = await signUp(t, { locale });
      const sites = (await t.app.inject({ method: 'GET', url: '/v1/sites', headers: org.headers })).json();
      expect(sites.items.map((s: { name: string }) => s.name)).toEqual([site]);
      const locs = (
        await t.app.inject({
          method: 'GET',
          url: `/v1/sites/${sites.items[0].id}/locations`,
          headers: org.headers,
        })
      ).json();
      expect(locs.items.map((l: { name: string }) => l.name)).toEqual([store]);
    }
  });
});
