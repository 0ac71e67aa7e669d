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
});
