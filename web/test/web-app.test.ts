import { randomBytes } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { insertDailyHistory, insertSupplierTerms } from '../../api/test/support/engine-fixtures.ts';
import { addMember } from '../../api/test/support/members.ts';
import { type RunningWorker, startWorker } from '../../worker/src/index.ts';
import {
  apiLogin,
  buildWeb,
  eventually,
  launchChromium,
  newPage,
  screenshot,
  startWebServer,
  unlabelledControls,
  type WebServer,
} from './support/harness.ts';

/**
 * The web app in Debian's Chromium against the real API (which serves the production build):
 * sign-up with a catalogue template, movements, stock, language, site limits, API keys, and
 * alert → purchase order → receipt → the alert resolves.
 */
interface AlertRow {
  type: string;
  status: string;
  explanation: { substituted: string };
}

let web: { dir: string; remove(): void };
let server: WebServer;
let browser: Browser;
let worker: RunningWorker;
const errors: string[][] = [];

const owner = {
  email: `owner-${randomBytes(3).toString('hex')}@clinic.example.org`,
  password: 'correct-horse-battery',
};
let ownerPage: Page;

beforeAll(async () => {
  web = await buildWeb();
  server = await startWebServer(web.dir, { QUEUE_PREFIX: `w${randomBytes(4).toString('hex')}` });
  worker = await startWorker(server.t.config, { scheduleSyncMs: 60_000 });
  browser = await launchChromium();
  const p = await newPage(browser, server.base);
  ownerPage = p.page;
  errors.push(p.errors);
});
afterAll(async () => {
  await browser?.close();
  await worker?.close();
  await server?.close();
  web?.remove();
});
afterEach(() => {
  // No page may log a console error or throw, whatever it showed.
  for (const list of errors) {
    expect(list).toEqual([]);
  }
});

async function pickItem(page: Page, code: string) {
  await page.fill('input[name=item]', code);
  await page.click(`.picker-list button:has-text("${code}")`);
}

async function recordMovement(
  page: Page,
  o: {
    type: string;
    code?: string;
    scan?: string;
    quantity: number;
    lot?: string;
    expiry?: string;
    locationId?: string;
  },
) {
  await page.check(`input[name=type][value=${o.type}]`);
  if (o.locationId) await page.selectOption('select[name=locationId]', o.locationId);
  await page.fill('input[name=item]', '');
  if (o.code) await pickItem(page, o.code);
  if (o.lot) await page.fill('input[name=lotNumber]', o.lot);
  if (o.expiry) await page.fill('input[name=expiryDate]', o.expiry);
  if (o.scan) {
    // As a keyboard-wedge scanner does: the code, then Enter, which moves on to the quantity.
    await page.fill('#scan', '');
    await page.type('#scan', o.scan);
    await page.press('#scan', 'Enter');
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('quantity');
    await page.keyboard.type(String(o.quantity));
    await page.keyboard.press('Enter');
  } else {
    await page.fill('#quantity', String(o.quantity));
    await page.click('.movement-form button[type=submit]');
  }
  await page.waitForSelector(`[data-testid=movement-posted]:has-text("${o.code ?? ''}")`);
}

describe('web app in Chromium', { timeout: 180_000 }, () => {
  it('signs up a clinic with a catalogue template (with preview) and lands on the dashboard', async () => {
    const page = ownerPage;
    // A signed-out visitor lands on the landing page, which leads to sign-in and sign-up.
    await page.goto('/');
    await page.waitForSelector('[data-page=landing]');
    await page.click('[data-testid=landing-login]');
    await page.waitForSelector('h1:has-text("登录")');
    await screenshot(page, 'login');
    await page.click('a[href="/signup"]');
    await page.fill('input[name=organizationName]', '阳光社区卫生服务中心');
    await page.fill('input[name=siteName]', '本部');
    await page.fill('input[name=name]', '王主任');
    await page.fill('input[name=email]', owner.email);
    await page.fill('input[name=password]', owner.password);
    await page.check('input[name=catalogueTemplate][value=community-health-centre]');
    await page.waitForSelector('.template-preview table:has-text("CHC-0001")');
    await screenshot(page, 'signup');
    expect(await unlabelledControls(page)).toEqual([]);
    await page.click('form button[type=submit].primary');
    // The answer is the same for any address: the e-mailed link, with the password, finishes it.
    await page.waitForSelector('[data-testid=signup-sent]');
    const isConfirmation = (l: string) => l.includes('/signup/confirm?token=');
    const mail = await server.t.mail.waitFor(owner.email, (m) => m.links.some(isConfirmation));
    await page.goto(mail.links.find(isConfirmation)!);
    await page.fill('input[name=password]', owner.password);
    expect(await unlabelledControls(page)).toEqual([]);
    await page.click('form button[type=submit].primary');
    await page.waitForSelector('[data-page=dashboard]');
    // The first-hour checklist starts where a storekeeper starts: a receipt or a count, then par
    // levels, colleagues, and past usage last.
    await page.waitForSelector('.onboarding a[href="/movements?type=receipt"]');
    expect(await page.locator('.onboarding li').count()).toBe(4);
    await page.waitForLoadState('networkidle');
    expect(await page.textContent('.app-header')).toContain('阳光社区卫生服务中心');
    await screenshot(page, 'dashboard');

    await page.click('nav a[href="/stock"]');
    await page.click('button[role=tab]:has-text("耗材目录")');
    await page.waitForSelector('[data-testid=catalogue-table]:has-text("CHC-0001")');
    expect(await page.textContent('[data-testid=catalogue-table]')).toContain('1 盒 = 100 支');
    await screenshot(page, 'catalogue');
  });

  it('records a receipt (picked item, lot, expiry) and an issue (GS1 scan), then shows the stock', async () => {
    const page = ownerPage;
    await page.click('nav a[href="/movements"]');
    await page.waitForSelector('.movement-form');
    await recordMovement(page, {
      type: 'receipt',
      code: 'CHC-0001',
      quantity: 100,
      lot: 'LOT-A1',
      expiry: '2027-06-30',
    });
    await recordMovement(page, { type: 'issue', scan: '0106953001200013', quantity: 30 });
    await page.waitForSelector('[data-testid=movement-history] tbody tr:nth-child(2)');
    await screenshot(page, 'movements');
    expect(await unlabelledControls(page)).toEqual([]);

    await page.click('nav a[href="/stock"]');
    const row = page.locator('[data-testid=stock-table] tr', { hasText: 'CHC-0001' });
    await row.waitFor();
    expect(await row.textContent()).toContain('LOT-A1');
    expect(await row.locator('td.num').first().textContent()).toMatch(/^70\b/);
    await screenshot(page, 'stock');
    await page.click('button[role=tab]:has-text("近效期")');
    await page.waitForSelector('.buckets');
    await screenshot(page, 'stock-expiry');
  });

  it('refuses to receive an expired lot until the storekeeper accepts it with a reason', async () => {
    const page = ownerPage;
    await page.click('nav a[href="/movements"]');
    await page.waitForSelector('.movement-form');
    await page.check('input[name=type][value=receipt]');
    await page.fill('input[name=item]', '');
    await pickItem(page, 'CHC-0001');
    await page.fill('input[name=lotNumber]', 'LOT-OLD');
    await page.fill('input[name=expiryDate]', '2024-01-31');
    await page.fill('#quantity', '5');
    await page.click('.movement-form button[type=submit]');
    // Refused with the reason in words, and the explicit override offered.
    await page.waitForSelector('input[name=acceptExpired]');
    expect(await page.locator('.movement-form [role=alert]').first().textContent()).toContain('2024-01-31');
    await page.check('input[name=acceptExpired]');
    await page.fill('input[name=expiredReason]', '科室退回待销毁');
    await screenshot(page, 'movements-expired-override');
    await page.click('.movement-form button[type=submit]');
    await page.waitForSelector('[data-testid=movement-posted]:has-text("CHC-0001")');
    expect(await page.isVisible('input[name=acceptExpired]')).toBe(false);
    // The refusal is the one console error this test expects (Chromium logs every 4xx response).
    const logged = errors[0]!;
    const refusal = logged.findIndex((e) => e.includes('status of 409'));
    expect(refusal).toBeGreaterThanOrEqual(0);
    logged.splice(refusal, 1);
  });

  it('switches language, remembers it across a reload, and switches back to Chinese', async () => {
    const page = ownerPage;
    await page.goto('/');
    await page.waitForSelector('nav a:has-text("耗材与库存")');
    await page.click('[data-testid=lang-toggle]');
    await page.waitForSelector('nav a:has-text("Items & stock")');
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    await page.reload();
    await page.waitForSelector('nav a:has-text("Items & stock")');
    await screenshot(page, 'dashboard-en');
    await page.click('[data-testid=lang-toggle]');
    await page.waitForSelector('nav a:has-text("耗材与库存")');
    await page.waitForSelector('h1:has-text("总览")');
    expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
  });

  it('a user limited to one site does not see the stock of another site', async () => {
    const page = ownerPage;
    const api = await apiLogin(server.base, owner.email, owner.password);
    const siteB = await api.call<{ id: string }>('POST', '/v1/sites', { code: 'B', name: '分院B' });
    const locB = (await api.call<{ items: { id: string }[] }>('GET', `/v1/sites/${siteB.id}/locations`))
      .items[0]!.id;
    const item2 = (await api.call<{ items: { id: string }[] }>('GET', '/v1/items?q=CHC-0002')).items[0]!.id;
    await api.call('POST', '/v1/movements', {
      type: 'receipt',
      itemId: item2,
      locationId: locB,
      quantity: 40,
      lotNumber: 'LOT-B',
      expiryDate: '2030-06-30',
    });

    const nurse = {
      email: `nurse-${randomBytes(3).toString('hex')}@clinic.example.org`,
      password: 'gauze-drawer-ward7-night',
    };
    // The owner invites; nobody but the nurse ever chooses the nurse's password.
    await page.goto('/settings/users');
    await page.fill('[data-testid=invite-form] input[name=email]', nurse.email);
    await page.selectOption('[data-testid=invite-form] select[name=role]', 'nurse');
    await page.uncheck('input[name=allSites]');
    await page.check('input[name=site-MAIN]');
    await page.click('[data-testid=invite-form] button[type=submit].primary');
    await page.waitForSelector(`[data-testid=invitation-notice]:has-text("${nurse.email}")`);
    await page
      .locator('[data-testid=invitations-table] tr', { hasText: nurse.email })
      .filter({ hasText: '本部' })
      .filter({ hasText: '科室护士' })
      .waitFor();
    await screenshot(page, 'settings-users');
    expect(await unlabelledControls(page)).toEqual([]);

    // The nurse opens the link from the e-mail, in Chinese, and chooses a password.
    const mail = await server.t.mail.waitFor(nurse.email, (m) =>
      m.links.some((l) => l.includes('/accept-invitation?')),
    );
    expect(mail.subject).toContain('邀请您加入');
    const link = mail.links.find((l) => l.includes('/accept-invitation?'))!;
    expect(link.startsWith(`${server.base}/accept-invitation?token=`)).toBe(true);
    const n = await newPage(browser, server.base);
    errors.push(n.errors);
    await n.page.goto(link.slice(server.base.length));
    await n.page.waitForSelector('[data-testid=invitation-lead]:has-text("科室护士")');
    await n.page.fill('[data-testid=accept-form] input[name=name]', '李护士');
    await n.page.fill('[data-testid=accept-form] input[name=password]', nurse.password);
    await screenshot(n.page, 'accept-invitation');
    expect(await unlabelledControls(n.page)).toEqual([]);
    await n.page.click('[data-testid=accept-form] button[type=submit]');
    await n.page.waitForSelector('[data-page=dashboard]');
    await page.reload();
    // The member row shows the name the nurse chose and the site the owner granted.
    await page
      .locator('[data-testid=users-table] tr', { hasText: nurse.email })
      .filter({ hasText: '李护士' })
      .filter({ hasText: '本部' })
      .waitFor();
    await n.page.click('nav a[href="/stock"]');
    await n.page.waitForSelector('[data-testid=stock-table]:has-text("CHC-0001")');
    const table = await n.page.textContent('[data-testid=stock-table]');
    expect(table).not.toContain('CHC-0002');
    expect(table).not.toContain('LOT-B');
    const sites = await n.page.locator('select[name=siteId] option').allTextContents();
    expect(sites).not.toContain('分院B');
    // Settings that need the admin scope are not offered to a nurse.
    expect(await n.page.locator('nav a[href="/settings"]').count()).toBe(1);
    await n.page.goto('/settings');
    await n.page.waitForSelector('.side-nav');
    expect(await n.page.locator('.side-nav a[href="/settings/users"]').count()).toBe(0);
    await n.context.close();

    // The owner sees both sites.
    await page.goto('/stock');
    await page.waitForSelector('[data-testid=stock-table]:has-text("CHC-0002")');
  });

  it('creates an API key, shows it exactly once, and the key works', async () => {
    const page = ownerPage;
    await page.goto('/settings/api-keys');
    await page.fill('input[name=keyName]', 'HIS 接口');
    await page.click('form button[type=submit].primary');
    const key = (await page.locator('[data-testid=new-api-key]').textContent())!.trim();
    expect(key).toMatch(/^msk_[A-Za-z0-9]+_/);
    await screenshot(page, 'settings-api-keys');
    expect(await unlabelledControls(page)).toEqual([]);
    await page.click('.key-once button.primary');
    await page.waitForSelector('[data-testid=new-api-key]', { state: 'detached' });
    await page.reload();
    await page.waitForSelector('[data-testid=api-keys-table]:has-text("HIS 接口")');
    expect(await page.content()).not.toContain(key);
    const me = await fetch(`${server.base}/v1/me`, { headers: { authorization: `Bearer ${key}` } });
    expect(me.status).toBe(200);
    expect((await me.json()).kind).toBe('api_key');

    // Revoking asks first and needs a reason; the list then says who revoked it, when and why.
    const row = page.locator('[data-testid=api-keys-table] tr', { hasText: 'HIS 接口' });
    await row.locator('button:has-text("吊销")').click();
    const dialog = page.locator('[data-testid=confirm-dialog]');
    await dialog.waitFor();
    expect(await dialog.locator('button[type=submit]').isDisabled()).toBe(true);
    await dialog.locator('textarea[name=reason]').fill('测试完毕，停用');
    await dialog.locator('button[type=submit]').click();
    await row.filter({ hasText: '测试完毕，停用' }).waitFor();
    expect(await row.textContent()).toContain(owner.email);
    const revoked = await fetch(`${server.base}/v1/me`, { headers: { authorization: `Bearer ${key}` } });
    expect(revoked.status).toBe(401);

    await page.goto('/settings/sites');
    await page.waitForSelector('.card:has-text("分院B")');
    await screenshot(page, 'settings-sites');
    // No Stripe key on this server: billing is off and says so.
    await page.goto('/settings/billing');
    await page.waitForSelector('[data-testid=billing-off]');
  });

  it('imports opening balances from CSV: row errors are shown, a corrected file imports with progress', async () => {
    const page = ownerPage;
    await page.goto('/imports?kind=opening_balances');
    await page.waitForSelector('[data-page=imports]');
    const header = 'site_code,location_code,item_code,quantity,unit,lot_number,expiry_date';
    const bad = `${header}\nMAIN,CENTRAL,CHC-0010,5,box,LOT-O1,2027-12-31\nMAIN,CENTRAL,NO-SUCH-ITEM,3,,,\n`;
    await page.setInputFiles('#import-file', {
      name: 'opening-bad.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(bad),
    });
    await page.click('form button[type=submit].primary');
    await page.waitForSelector('[data-testid=import-errors] td:has-text("3")', { timeout: 30_000 });
    expect(await page.textContent('[data-testid=import-status]')).toContain('失败');
    await screenshot(page, 'imports-errors');
    const good = `${header}\nMAIN,CENTRAL,CHC-0010,5,box,LOT-O1,2027-12-31\n`;
    await page.setInputFiles('#import-file', {
      name: 'opening.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(good),
    });
    await page.click('form button[type=submit].primary');
    await page.waitForSelector('[data-testid=import-status]:has-text("已完成")', { timeout: 30_000 });
    expect(await page.getAttribute('progress', 'value')).toBe('100');
    await page.goto('/stock');
    const row = page.locator('[data-testid=stock-table] tr', { hasText: 'CHC-0010' });
    await row.waitFor();
    expect(await row.textContent()).toContain('LOT-O1');
  });

  it('an alert appears with its explanation → draft PO from it → approve, send, receive in two parts → the alert resolves', async () => {
    const page = ownerPage;
    const api = await apiLogin(server.base, owner.email, owner.password);
    const item = (await api.call<{ items: { id: string }[] }>('GET', '/v1/items?q=CHC-0003')).items[0]!.id;
    const sites = (await api.call<{ items: { id: string; code: string }[] }>('GET', '/v1/sites')).items;
    const main = sites.find((s) => s.code === 'MAIN')!.id;
    const loc = (await api.call<{ items: { id: string }[] }>('GET', `/v1/sites/${main}/locations`)).items[0]!
      .id;
    // Four months of consumption history (as an import would bring) and a supplier with terms.
    await insertSupplierTerms(server.t, api.organizationId, item, { packSize: 10, leadDays: 7 });
    await insertDailyHistory(server.t, api.organizationId, item, loc, 120, (i) => 10 + (i % 3));

    await page.goto('/movements');
    await recordMovement(page, {
      type: 'receipt',
      code: 'CHC-0003',
      quantity: 200,
      lot: 'LOT-C1',
      expiry: '2028-01-31',
      locationId: loc,
    });
    await recordMovement(page, { type: 'issue', code: 'CHC-0003', quantity: 150, locationId: loc });

    await page.goto('/alerts');
    const link = await eventually(
      async () => {
        await page.reload();
        await page.waitForSelector('.alerts-table, .empty');
        const l = page
          .locator('.alerts-table tr', { hasText: 'CHC-0003' })
          .filter({ hasText: '缺货风险' })
          .locator('a');
        return (await l.count()) > 0 ? l.first() : null;
      },
      45_000,
      1000,
    ).catch(async (e) => {
      console.log(
        'ALERTS',
        JSON.stringify(
          (await api.call<{ items: AlertRow[] }>('GET', `/v1/alerts?itemId=${item}`)).items.map(
            (x: AlertRow) => [x.type, x.status, x.explanation.substituted],
          ),
        ),
      );
      console.log(
        'POLICY',
        JSON.stringify((await api.call<{ items: unknown[] }>('GET', `/v1/policies?itemId=${item}`)).items),
      );
      console.log(
        'RUNS',
        JSON.stringify((await api.call<{ items: unknown[] }>('GET', `/v1/engine/runs`)).items),
      );
      throw e;
    });
    await screenshot(page, 'alerts');
    await link.click();
    await page.waitForSelector('[data-testid=alert-explanation]');
    expect(await page.textContent('[data-testid=alert-explanation]')).toContain('缺货概率');
    expect(await page.textContent('.formula')).toMatch(/P\(stockout before the next receipt\)/);
    await page.waitForSelector('.chart canvas');
    await screenshot(page, 'alert-detail');
    expect(await unlabelledControls(page)).toEqual([]);
    const alertUrl = page.url();

    await page.click('button:has-text("生成采购单草稿")');
    await page.waitForSelector('[data-testid=po-status]:has-text("草稿")');
    // Four eyes: the owner drafted the order, so a second admin approves it.
    const drafted = (
      await api.call<{ items: { id: string }[] }>('GET', `/v1/purchase-orders?status=draft&itemId=${item}`)
    ).items[0]!.id;
    const approver = await addMember(server.t, api.headers, 'admin');
    const approved = await server.t.app.inject({
      method: 'POST',
      url: `/v1/purchase-orders/${drafted}/approve`,
      headers: approver.headers,
      payload: {},
    });
    expect(approved.statusCode, approved.body).toBe(200);
    await page.reload();
    await page.waitForSelector('[data-testid=po-status]:has-text("已审批")');
    await page.click('button:has-text("标记为已发送")');
    await page.waitForSelector('[data-testid=po-status]:has-text("已发送")');
    const ordered = Number(await page.locator('input[name="receive-CHC-0003"]').getAttribute('max'));
    expect(ordered).toBeGreaterThan(0);
    const part = Math.floor(ordered / 2);
    // A lot-tracked item is received with its lot and expiry (issue 11).
    const receiveRow = page.locator('tr', { has: page.locator('input[name="receive-CHC-0003"]') });
    await receiveRow.locator('input:not([type=number]):not([type=date])').first().fill('CHC3-LOT1');
    await receiveRow.locator('input[type=date]').fill('2031-12-31');
    await page.fill('input[name="receive-CHC-0003"]', String(part));
    await page.click('button[type=submit]:has-text("收货")');
    await page.waitForSelector('[data-testid=po-status]:has-text("部分到货")');
    await screenshot(page, 'purchasing');
    expect(await unlabelledControls(page)).toEqual([]);
    await receiveRow.locator('input:not([type=number]):not([type=date])').first().fill('CHC3-LOT1');
    await receiveRow.locator('input[type=date]').fill('2031-12-31');
    await page.fill('input[name="receive-CHC-0003"]', String(ordered - part));
    await page.click('button[type=submit]:has-text("收货")');
    await page.waitForSelector('[data-testid=po-status]:has-text("已到货")');

    const alertId = alertUrl.split('/').pop();
    const dump = async () => {
      const a = await api.call<{
        alert: AlertRow & { explanation: { threshold: unknown; inputs: unknown } };
        feed: unknown;
      }>('GET', `/v1/alerts/${alertId}`);
      console.log(
        'ALERT',
        JSON.stringify({
          status: a.alert.status,
          sub: a.alert.explanation.substituted,
          thr: a.alert.explanation.threshold,
          inputs: a.alert.explanation.inputs,
          feed: a.feed,
        }),
      );
      console.log(
        'OPEN',
        JSON.stringify(
          (await api.call<{ items: AlertRow[] }>('GET', `/v1/alerts?itemId=${item}`)).items.map(
            (x: AlertRow) => [x.type, x.status, x.explanation.substituted],
          ),
        ),
      );
    };
    await eventually(
      async () => {
        await page.goto(alertUrl);
        await page.waitForSelector('[data-page=alert-detail]');
        return (await page.locator('.meta .status-resolved').count()) > 0;
      },
      45_000,
      1000,
    ).catch(async (e) => {
      await dump();
      throw e;
    });
    await screenshot(page, 'alert-resolved');
  });
});
