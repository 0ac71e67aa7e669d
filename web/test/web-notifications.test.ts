import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { withTenantDb } from '@medstock/db';
import { sql } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { centralStore, insertItem } from '../../api/test/support/fixtures.ts';
import { signUp } from '../../api/test/support/test-app.ts';
import {
  buildWeb,
  launchChromium,
  newPage,
  screenshot,
  startWebServer,
  unlabelledControls,
  type WebServer,
} from './support/harness.ts';

/**
 * Notifications and exports in Chromium, in Chinese then English: the bell counts two new alerts,
 * its panel lists them and links to the alert, "mark all read" clears the count; the exports page
 * downloads an Excel file whose sheet (read back with exceljs) has the headers in the page's
 * language; the stock page's button downloads too; the GS1 label sheet shows DataMatrix symbols;
 * the notification settings page shows the digest, quiet hours and robots.
 */
let web: { dir: string; remove(): void };
let server: WebServer;
let browser: Browser;
let owner: Awaited<ReturnType<typeof signUp>>;
let itemId: string;
let store: { siteId: string; locationId: string };
const email = `notify-${randomBytes(3).toString('hex')}@clinic.example.org`;
const password = 'notifications-password-2026';

async function tenant<T extends Record<string, unknown>>(q: ReturnType<typeof sql>) {
  return withTenantDb(
    server.t.deps.database.db,
    { organizationId: owner.organizationId },
    async (tx) => (await tx.execute<T>(q)).rows,
  );
}

async function openAlert(type: string, severity: string, locationId: string, siteId: string) {
  const text = { zh: '3 天内缺货概率 95%', en: '95% chance of a stockout within 3 days' };
  const explanation = {
    rule: type,
    ruleVersion: 1,
    threshold: {},
    inputs: {},
    formula: '',
    substituted: '',
    text,
  };
  const [a] = await tenant<{ id: string }>(sql`
    insert into alerts (type, item_id, location_id, site_id, severity, rule_version, explanation)
    values (${type}, ${itemId}, ${locationId}, ${siteId}, ${severity}, 1, ${JSON.stringify(explanation)}::jsonb) returning id`);
  await tenant(sql`insert into alert_feed (alert_id, kind) values (${a!.id}, 'opened')`);
  return a!.id;
}

async function sheetHeaders(path: string) {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(readFileSync(path) as unknown as ArrayBuffer);
  const ws = wb.worksheets[0]!;
  return { name: ws.name, header: (ws.getRow(1).values as string[]).slice(1), rows: ws.rowCount - 1 };
}

async function download(page: Page, selector: string) {
  const [file] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
  const path = await file.path();
  return { name: file.suggestedFilename(), path: path! };
}

beforeAll(async () => {
  web = await buildWeb();
  server = await startWebServer(web.dir, { QUEUE_PREFIX: `nt${randomBytes(4).toString('hex')}` });
  browser = await launchChromium();
  owner = await signUp(server.t, { organizationName: '青山社区卫生服务中心', email, password });
  store = await centralStore(server.t, owner.headers);
  const { siteId, locationId } = store;
  itemId = await insertItem(server.t, owner.organizationId, { code: 'GAUZE-7', gtin: '09506000134352' });
  const [lot] = await tenant<{ id: string }>(
    sql`insert into lots (item_id, lot_number, expiry_date) values (${itemId}, 'L-2027', '2027-08-31') returning id`,
  );
  await tenant(
    sql`insert into stock (location_id, item_id, lot_id, on_hand) values (${locationId}, ${itemId}, ${lot!.id}, 40)`,
  );
  await openAlert('stockout_risk', 'critical', locationId, siteId);
  await openAlert('expiry_risk', 'medium', locationId, siteId);
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
  web?.remove();
});

describe('bell, exports and labels in Chromium', { timeout: 180_000 }, () => {
  it('in Chinese, then in English', async () => {
    const { page, errors } = await newPage(browser, server.base);
    await page.goto('/login');
    await page.fill('input[name=email]', email);
    await page.fill('input[name=password]', password);
    await page.click('form button[type=submit]');
    await page.waitForSelector('[data-page=dashboard]');

    // The bell: two unread, the panel lists them with their alert, the link opens it.
    await page.waitForSelector('[data-testid=bell-count]:has-text("2")');
    await page.click('[data-testid=bell]');
    const panel = page.locator('[data-testid=bell-panel]');
    await panel.waitFor();
    expect(await panel.textContent()).toContain('2 条未读');
    expect(await panel.locator('li').count()).toBe(2);
    expect(await panel.textContent()).toContain('新预警');
    expect(await panel.textContent()).toContain('缺货风险');
    expect(await panel.textContent()).toContain('耗材 GAUZE-7');
    await screenshot(page, 'notifications-bell.zh-CN');
    await panel.locator('li a', { hasText: '缺货风险' }).click();
    await page.waitForURL(/\/alerts\/[0-9a-f-]{36}$/);
    await page.click('[data-testid=bell]');
    await page.click('[data-testid=bell-read-all]');
    await page.waitForSelector('[data-testid=bell-count]', { state: 'detached' });

    // Exports page: an Excel file in Chinese.
    await page.click('nav a[href="/exports"]');
    await page.waitForSelector('[data-page=exports] h1:has-text("数据导出")');
    expect(await unlabelledControls(page)).toEqual([]);
    await screenshot(page, 'exports.zh-CN');
    const zhFile = await download(page, '[data-testid=export-xlsx]');
    expect(zhFile.name).toBe('库存明细.xlsx');
    const zhSheet = await sheetHeaders(zhFile.path);
    expect(zhSheet.name).toBe('库存明细');
    expect(zhSheet.header).toEqual(expect.arrayContaining(['库房', '耗材编码', '批号', '效期', '库存数量']));
    expect(zhSheet.rows).toBe(1);

    // The stock page's own button.
    await page.click('nav a[href="/stock"]');
    await page.waitForSelector('[data-page=stock]');
    const expiry = await download(page, '[data-testid=expiry-export]');
    expect(expiry.name).toBe('近效期（90天内）.xlsx');

    // Labels: DataMatrix symbols on a sheet.
    await page.goto('/labels');
    await page.waitForSelector('[data-page=labels] h1:has-text("GS1 标签")');
    await page.fill('input[name=item]', 'GAUZE-7');
    await page.click('.picker-list button:has-text("GAUZE-7")');
    await page.fill('input[name=lotNumber]', 'L-2027');
    await page.fill('input[name=expiryDate]', '2027-08-31');
    await page.fill('input[name=quantity]', '10');
    await page.fill('input[name=copies]', '4');
    await page.click('[data-testid=labels-make]');
    const sheet = page.locator('[data-testid=label-sheet]');
    await sheet.waitFor();
    expect(await sheet.locator('.gs1-label svg').count()).toBe(4);
    expect(await sheet.textContent()).toContain('(01)09506000134352(17)270831(10)L-2027(30)10');
    await screenshot(page, 'labels.zh-CN');

    // Notification settings (admins).
    await page.goto('/settings/notifications');
    await page.waitForSelector('[data-page=settings-notifications] h2:has-text("每日邮件摘要")');
    expect(await page.textContent('[data-page=settings-notifications]')).toContain(
      '群机器人（企业微信、钉钉）',
    );
    // A robot added through the form (a name that does not resolve yet is accepted: delivery checks again).
    await page.selectOption('select[name=kind]', 'dingtalk');
    await page.fill('input[name=name]', '库房值班群');
    await page.fill(
      'input[name=url]',
      'https://robot.medstock-test.invalid/robot/send?access_token=tok-9876',
    );
    await page.fill('input[name=secret]', 'SECweb-test-secret-5555');
    expect(await unlabelledControls(page)).toEqual([]);
    await page.click('button:has-text("添加机器人")');
    const robots = page.locator('[data-testid=robot-list]');
    await robots.locator('li', { hasText: '库房值班群' }).waitFor();
    expect(await robots.textContent()).toContain('已加签');
    expect(await robots.textContent()).not.toContain('tok-9876');
    expect(await robots.textContent()).toContain('添加于');
    expect(await robots.textContent()).not.toContain('已离开的成员');
    // The digest settings saved through the form say who changed them.
    expect(await page.textContent('[data-page=settings-notifications]')).toContain('默认设置（尚未修改）');
    await page.fill('input[name=digestHour]', '7');
    await page.click('[data-testid=notify-save]');
    await page.waitForSelector('[data-page=settings-notifications] [role=status]:has-text("最近由")');
    expect(
      (
        await server.t.app.inject({ method: 'GET', url: '/v1/notification-settings', headers: owner.headers })
      ).json().digestHour,
    ).toBe(7);
    await screenshot(page, 'settings-notifications.zh-CN');

    // English.
    await page.click('[data-testid=lang-toggle]');
    await page.waitForSelector('[data-page=settings-notifications] h2:has-text("Daily e-mail digest")');
    await screenshot(page, 'settings-notifications.en');
    await openAlert('stocked_out', 'critical', store.locationId, store.siteId);
    await page.goto('/exports');
    await page.waitForSelector('[data-page=exports] h1:has-text("Exports")');
    await page.waitForSelector('[data-testid=bell-count]:has-text("1")');
    await page.click('[data-testid=bell]');
    expect(await page.textContent('[data-testid=bell-panel]')).toContain('1 unread');
    expect(await page.textContent('[data-testid=bell-panel]')).toContain('Stocked out');
    await screenshot(page, 'notifications-bell.en');
    await page.click('[data-testid=bell]');
    await screenshot(page, 'exports.en');
    await page.selectOption('select[name=kind]', 'ledger');
    await page.waitForSelector('input[name=from]');
    const enFile = await download(page, '[data-testid=export-xlsx]');
    expect(enFile.name).toMatch(/^Stock ledger_\d{4}-\d{2}-\d{2}_\d{4}-\d{2}-\d{2}\.xlsx$/);
    const enSheet = await sheetHeaders(enFile.path);
    expect(enSheet.header).toEqual(
      expect.arrayContaining(['Date and time', 'Type', 'Location', 'Quantity (in + / out −)']),
    );
    await page.goto('/labels');
    await page.waitForSelector('[data-page=labels] h1:has-text("GS1 labels")');
    await screenshot(page, 'labels.en');
    expect(errors).toEqual([]);
  });
});
