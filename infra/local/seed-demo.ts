import { buildApp } from '@medstock/api/app.ts';
import { createDeps } from '@medstock/api/create-deps.ts';
import { createOrganizationWithOwner } from '@medstock/api/routes/auth/signup.service.ts';
import { loadConfig } from '@medstock/config';

export const DEMO_EMAIL = 'demo@medstock.local';
export const DEMO_PASSWORD = 'medstock-demo-2026';

/**
 * Seeds the demo organisation (provisioned as a confirmed sign-up is, then through the public API),
 * once: when the demo login already works, nothing is written.
 */
export async function seedDemo(env: Record<string, string | undefined>) {
  const deps = await createDeps(loadConfig({ ...env, LOG_LEVEL: 'silent' }));
  const app = await buildApp(deps, { logger: false });
  try {
    const login = await app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email: DEMO_EMAIL, password: DEMO_PASSWORD },
    });
    if (login.statusCode === 200) return { email: DEMO_EMAIL, password: DEMO_PASSWORD, created: false };
    // The same provisioning a confirmed sign-up runs, without the e-mail round trip.
    const created = await createOrganizationWithOwner(deps, {
      organizationName: 'Demo Community Hospital 示范社区医院',
      email: DEMO_EMAIL,
      password: DEMO_PASSWORD,
      name: 'Demo owner',
      siteName: 'Main campus 主院区',
      locale: 'zh-CN',
      catalogueTemplate: 'community-health-centre',
    });
    const headers = { authorization: `Bearer ${created.tokens.accessToken}` };
    const east = await app.inject({
      method: 'POST',
      url: '/v1/sites',
      headers,
      payload: { code: 'EAST', name: 'East clinic 东院门诊', kind: 'clinic' },
    });
    const main = (await app.inject({ method: 'GET', url: '/v1/sites', headers }))
      .json()
      .items.find((s: { code: string }) => s.code === 'MAIN');
    await app.inject({
      method: 'POST',
      url: `/v1/sites/${main.id}/locations`,
      headers,
      payload: { code: 'OR', name: 'Theatre store 手术室二级库', kind: 'theatre' },
    });
    await app.inject({
      method: 'POST',
      url: `/v1/sites/${main.id}/locations`,
      headers,
      payload: { code: 'W3', name: 'Ward 3 三病区', kind: 'ward' },
    });
    if (east.statusCode !== 201) throw new Error(`demo site failed: ${east.body}`);
    // Opening stock for the first catalogue items, so the stock and expiry pages have content and
    // the engine has something to watch from the first minute.
    const central = (await app.inject({ method: 'GET', url: `/v1/sites/${main.id}/locations`, headers }))
      .json()
      .items.find((l: { code: string }) => l.code === 'CENTRAL');
    const items = (await app.inject({ method: 'GET', url: '/v1/items?limit=20', headers })).json()
      .items as Array<{ id: string }>;
    for (const [i, item] of items.entries()) {
      const expiry = new Date(Date.now() + (20 + i * 15) * 86_400_000).toISOString().slice(0, 10);
      await app.inject({
        method: 'POST',
        url: '/v1/movements',
        headers,
        payload: {
          type: 'receipt',
          itemId: item.id,
          locationId: central.id,
          quantity: 50 + i * 10,
          lotNumber: `DEMO-${i + 1}`,
          expiryDate: expiry,
        },
      });
      await app.inject({
        method: 'POST',
        url: '/v1/movements',
        headers,
        payload: { type: 'issue', itemId: item.id, locationId: central.id, quantity: 5 + (i % 7) },
      });
    }
    return { email: DEMO_EMAIL, password: DEMO_PASSWORD, created: true };
  } finally {
    await app.close();
    await deps.close();
  }
}
