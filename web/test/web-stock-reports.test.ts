import { randomBytes } from 'node:crypto';
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
 * The stock-report page (库存月报) in Chromium: a clinic without scanning enters last month's
 * report through the form — opening, received, issued, losses with their reason, the closing count
 * and the days out of stock — and sees it listed with its variance (the closing count against
 * opening + flows); the ledger's on-hand afterwards is the closing count. A negative closing count
 * and a period that has not ended yet come back as the server's field errors under the field
 * concerned, and the page keeps working. The labels are in Chinese, then in English.
 */
let web: { dir: string; remove(): void };
let server: WebServer;
let browser: Browser;
let owner: Awaited<ReturnType<typeof signUp>>;
let locationId: string;
let itemId: string;

const email = `reports-${randomBytes(3).toString('hex')}@clinic.example.org`;
const password = 'stock-reports-password-2026';

const now = new Date();
const iso = (d: Date) => d.toISOString().slice(0, 10);
/** Last month (ended in any time zone at most a day behind UTC) and next month (not ended). */
const lastMonth = {
  start: iso(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1))),
  end: iso(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 0))),
};
const nextMonth = {
  start: iso(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1))),
  end: iso(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 2, 0))),
};
// 50 + 100 − 80 − 5 = 65 in the book; 60 counted: a variance of −5.
const REPORT = { opening: 50, received: 100, issued: 80, losses: 5, closingCount: 60, stockoutDays: 2 };

async function api<T>(method: 'GET' | 'POST', url: string, payload?: unknown): Promise<T> {
  const r = await server.t.app.inject({
    method,
    url,
    headers: owner.headers,
    ...(payload ? { payload } : {}),
  });
  expect(r.statusCode, r.body).toBeLessThan(300);
  return r.json() as T;
}

/** The error shown under the form field whose control is named `name`. */
const fieldError = (page: Page, name: string) =>
  page.locator('.stock-report-form .field', { has: page.locator(`[name=${name}]`) }).locator('.error-text');

beforeAll(async () => {
  web = await buildWeb();
  server = await startWebServer(web.dir, { QUEUE_PREFIX: `sr${randomBytes(4).toString('hex')}` });
  browser = await launchChromium();
  owner = await signUp(server.t, { organizationName: '青山社区卫生服务站', email, password });
  ({ locationId } = await centralStore(server.t, owner.headers));
  itemId = await insertItem(server.t, owner.organizationId, { code: 'GAUZE-10' });
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
  web?.remove();
});

describe('stock-report page in Chromium', { timeout: 180_000 }, () => {
  it('enters a monthly report, lists it with its variance, shows field errors of bad reports, in both languages', async () => {
    const { page, errors } = await newPage(browser, server.base);
    await page.goto('/login');
    await page.fill('input[name=email]', email);
    await page.fill('input[name=password]', password);
    await page.click('form button[type=submit]');
    await page.waitForSelector('[data-page=dashboard]');
    await page.click('nav a[href="/stock-reports"]');
    await page.waitForSelector('[data-page=stock-reports] h1:has-text("库存月报")');
    await page.waitForSelector('[data-page=stock-reports] .empty:has-text("还没有库存月报")');
    const form = await page.textContent('.stock-report-form');
    for (const word of [
      '期间开始',
      '期间结束',
      '期初',
      '入库',
      '出库',
      '损耗',
      '损耗原因',
      '期末盘点',
      '缺货天数',
    ])
      expect(form).toContain(word);

    // Last month's report, typed in as the count sheet says.
    await page.fill('input[name=item]', 'GAUZE-10');
    await page.click('.picker-list button:has-text("GAUZE-10")');
    await page.selectOption('select[name=locationId]', locationId);
    await page.fill('input[name=periodStart]', lastMonth.start);
    await page.fill('input[name=periodEnd]', lastMonth.end);
    for (const [k, v] of Object.entries(REPORT)) await page.fill(`input[name=${k}]`, String(v));
    await page.fill('input[name=lossesReason]', '过期报废');
    expect(await unlabelledControls(page)).toEqual([]);
    await page.click('.stock-report-form button[type=submit]');

    const posted = page.locator('[data-testid=stock-report-posted]');
    await posted.waitFor();
    expect(await posted.textContent()).toContain('月报已提交');
    expect(await posted.textContent()).toMatch(/盘盈盘亏\s*:\s*-5/);
    const row = page.locator('[data-testid=stock-reports] tbody tr', { hasText: 'GAUZE-10' });
    await row.waitFor();
    expect(await page.locator('[data-testid=stock-reports] tbody tr').count()).toBe(1);
    const cells = (await row.locator('td').allTextContents()).map((s) => s.trim());
    // opening, received, issued, losses, closing count, variance, stock-out days
    expect(cells.slice(3)).toEqual(['50', '100', '80', '5', '60', '-5', '2']);
    expect(await row.locator('td.neg').textContent()).toBe('-5');
    expect(cells[2]).toContain('·');
    await screenshot(page, 'stock-reports-zh');

    // What the API says afterwards: the report as entered, and the on-hand is the closing count.
    const reports = await api<{ items: Record<string, unknown>[] }>(
      'GET',
      `/v1/stock-reports?itemId=${itemId}&locationId=${locationId}`,
    );
    expect(reports.items).toHaveLength(1);
    expect(reports.items[0]).toMatchObject({
      itemCode: 'GAUZE-10',
      locationId,
      periodStart: lastMonth.start,
      periodEnd: lastMonth.end,
      ...REPORT,
      lossesReason: '过期报废',
      adjustments: 0,
      bookClosing: 65,
      variance: -5,
    });
    const stock = await api<{ items: { onHand: number }[] }>(
      'GET',
      `/v1/stock?itemId=${itemId}&locationId=${locationId}&groupBy=location`,
    );
    expect(stock.items.map((s) => s.onHand)).toEqual([REPORT.closingCount]);

    // A negative closing count: the schema's error under the closing count (in Chinese, by its
    // code), only there — not the batch form's complaints about every other field.
    await page.fill('input[name=periodStart]', nextMonth.start);
    await page.fill('input[name=periodEnd]', nextMonth.end);
    await page.fill('input[name=closingCount]', '-3');
    await page.click('.stock-report-form button[type=submit]');
    await fieldError(page, 'closingCount').waitFor();
    expect(await fieldError(page, 'closingCount').textContent()).toBe('不能为负数。');
    expect(await page.getAttribute('input[name=closingCount]', 'aria-invalid')).toBe('true');
    expect(await page.locator('.stock-report-form .error-text').count()).toBe(1);
    expect(await page.getAttribute('.stock-report-form .error-box', 'data-code')).toBe('validation_failed');
    // The earlier "report posted" is not left beside the refusal.
    expect(await posted.count()).toBe(0);

    // A period that has not ended: the ledger's refusal under the period end.
    await page.fill('input[name=closingCount]', '60');
    await page.click('.stock-report-form button[type=submit]');
    await fieldError(page, 'periodEnd').waitFor();
    expect(await fieldError(page, 'periodEnd').textContent()).toBe(
      '该期间尚未结束，请在期末盘点完成后再提交月报。',
    );
    expect(await page.getAttribute('.stock-report-form .error-box', 'data-code')).toBe('period_not_ended');
    expect(await page.locator('.stock-report-form .error-text').count()).toBe(1);
    expect(await page.textContent('.stock-report-form .error-box')).toContain('请修改上方标出的项目');
    await screenshot(page, 'stock-reports-error');
    // The page is still there, and still lists the one report; the server posted nothing.
    expect(await page.locator('[data-page=stock-reports] h1').textContent()).toBe('库存月报');
    expect(await page.locator('[data-testid=stock-reports] tbody tr').count()).toBe(1);
    expect((await api<{ items: unknown[] }>('GET', `/v1/stock-reports?itemId=${itemId}`)).items).toHaveLength(
      1,
    );
    expect(await unlabelledControls(page)).toEqual([]);

    await page.click('[data-testid=lang-toggle]');
    await page.waitForSelector('[data-page=stock-reports] h1:has-text("Stock reports")');
    const en = await page.textContent('[data-page=stock-reports]');
    for (const word of [
      'Enter a stock report',
      'Period from',
      'Period to',
      'Opening',
      'Received',
      'Issued',
      'Losses',
      'Reason for the losses',
      'Closing count',
      'Days out of stock',
      'Post report',
      'Posted reports',
      'Variance',
    ])
      expect(en).toContain(word);
    expect(en).not.toMatch(/[期损盘缺]/);
    expect(await fieldError(page, 'periodEnd').textContent()).toMatch(/^The period has not ended yet/);
    expect(await page.textContent('.stock-report-form .error-box')).toContain(
      'Correct the fields marked above',
    );
    expect(await unlabelledControls(page)).toEqual([]);
    await screenshot(page, 'stock-reports-en');
    await page.click('[data-testid=lang-toggle]');
    await page.waitForSelector('[data-page=stock-reports] h1:has-text("库存月报")');
    // Chromium logs the two refused requests themselves; nothing else may be logged or thrown.
    const refused = /Failed to load resource: the server responded with a status of (400|422)\b/;
    expect(errors.filter((e) => !refused.test(e))).toEqual([]);
    expect(errors.map((e) => e.match(refused)?.[1])).toEqual(['400', '422']);
  });
});
