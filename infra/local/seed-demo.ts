import { buildApp } from '@medstock/api/app.ts';
import { createDeps } from '@medstock/api/create-deps.ts';
import { loadConfig } from '@medstock/config';

export const DEMO_EMAIL = 'demo@medstock.local';
export const DEMO_PASSWORD = 'medstock-demo-2026';

/**
 * Seeds the demo organisation through the public API (the same path a clinic's sign-up takes),
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
    const signup = await app.inject({
      method: 'POST',
      url: '/v1/auth/signup',
      payload: {
        organizationName: 'Demo Community Hospital 示范社区医院',
        email: DEMO_EMAIL,
        password: DEMO_PASSWORD,
        name: 'Demo owner',
        siteName: 'Main campus 主院区',
        locale: 'zh-CN',
      },
    });
    if (signup.statusCode !== 201) throw new Error(`demo sign-up failed: ${signup.body}`);
    const headers = { authorization: `Bearer ${signup.json().accessToken}` };
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
    return { email: DEMO_EMAIL, password: DEMO_PASSWORD, created: true };
  } finally {
    await app.close();
    await deps.close();
  }
}
