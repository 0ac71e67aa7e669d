import { randomBytes } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { centralStore, insertItem } from '../../api/test/support/fixtures.ts';
import { signUp } from '../../api/test/support/test-app.ts';
import { JOB_REGISTRY, type RunningWorker, startWorker } from '../../worker/src/index.ts';
import type { JobDefinition } from '../../worker/src/jobs/job-context.ts';
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
 * The backtest page in Chromium: a clinic with a year of monthly reports (receipts, month-end
 * issues, month-end counts) runs a monthly backtest from the form, and the page shows the summary
 * — the engine beside the months-of-stock rule and the naive / 3-period-mean forecasts — the
 * reliability chart and the rows with their codes, in Chinese and in English.
 */
let web: { dir: string; remove(): void };
let server: WebServer;
let browser: Browser;
let worker: RunningWorker;

const noop: JobDefinition = { description: 'not under test', handle: async () => undefined };
const now = new Date();
/** Month k of the history (1–12); month 12 is two months before the current one. */
const month = (k: number) =>
  new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 14 + k, 1)).toISOString().slice(0, 7);
const lastDay = (k: number) => {
  const [y, m] = month(k).split('-').map(Number) as [number, number];
  return `${month(k)}-${String(new Date(Date.UTC(y, m, 0)).getUTCDate()).padStart(2, '0')}`;
};
const REPORTS = [
  [100, 60, 40],
  [50, 70, 18],
  [0, 18, 0],
  [0, 0, 0],
  [120, 50, 70],
  [0, 45, 25],
  [60, 55, 30],
  [0, 30, 0],
  [100, 40, 60],
  [0, 35, 25],
  [50, 40, 35],
  [0, 30, 5],
] as const;

const email = `backtest-${randomBytes(3).toString('hex')}@clinic.example.org`;
const password = 'backtest-password-2026';

beforeAll(async () => {
  web = await buildWeb();
  server = await startWebServer(web.dir, { QUEUE_PREFIX: `bt${randomBytes(4).toString('hex')}` });
  worker = await startWorker(server.t.config, {
    registry: { ...JOB_REGISTRY, recalculate: noop, 'recalculate-drain': noop, housekeeping: noop },
  });
  browser = await launchChromium();
  const owner = await signUp(server.t, { organizationName: '青山社区卫生服务站', email, password });
  const { locationId } = await centralStore(server.t, owner.headers);
  const itemId = await insertItem(server.t, owner.organizationId, { code: 'GAUZE-10' });
  const post = async (payload: Record<string, unknown>) => {
    const r = await server.t.app.inject({
      method: 'POST',
      url: '/v1/movements',
      headers: owner.headers,
      payload: { itemId, locationId, ...payload },
    });
    expect(r.statusCode, r.body).toBe(201);
  };
  for (const [i, [received, issued, count]] of REPORTS.entries()) {
    const k = i + 1;
    const lot = { lotNumber: 'L1', expiryDate: '2035-12-31' };
    if (received) {
      await post({
        type: 'receipt',
        quantity: received,
        ...lot,
        occurredAt: `${month(k)}-05T10:00:00+08:00`,
      });
    }
    if (issued) await post({ type: 'issue', quantity: issued, occurredAt: `${lastDay(k)}T12:00:00+08:00` });
    await post({ type: 'stocktake', quantity: count, ...lot, occurredAt: `${lastDay(k)}T18:00:00+08:00` });
  }
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await worker?.close();
  await server?.close();
  web?.remove();
});

describe('backtest page in Chromium', { timeout: 180_000 }, () => {
  it('runs a monthly backtest from the form and shows the engine beside both baselines, the reliability chart and the rows, in both languages', async () => {
    const { page, errors } = await newPage(browser, server.base);
    await page.goto('/login');
    await page.fill('input[name=email]', email);
    await page.fill('input[name=password]', password);
    await page.click('form button[type=submit]');
    await page.waitForSelector('[data-page=dashboard]');
    await page.click('nav a[href="/backtest"]');
    await page.waitForSelector('[data-page=backtest] h1:has-text("回测")');
    await page.waitForSelector('[data-page=backtest] .empty:has-text("尚无回测记录")');

    await page.fill('input[name=from]', `${month(2)}-01`);
    await page.fill('input[name=to]', `${month(12)}-01`);
    await page.selectOption('select[name=step]', 'monthly');
    await page.fill('input[name=horizon]', '1');
    await page.selectOption('select[name=horizonUnit]', 'periods');
    expect(await unlabelledControls(page)).toEqual([]);
    await page.click('[data-testid=backtest-form] button[type=submit]');

    // The run appears, finishes in the worker, and its summary is shown.
    await page.waitForSelector('[data-testid=backtest-runs] tr:has-text("已完成")', { timeout: 120_000 });
    await page.waitForSelector('[data-testid=backtest-verdict]');
    const alerts = await page.textContent('[data-testid=backtest-alert-scores]');
    expect(alerts).toContain('medstock 预警引擎');
    expect(alerts).toContain('月库存量法');
    expect(alerts).toContain('平均精确率');
    expect(alerts).toContain('精确率 ≥ 25% 时的召回率');
    expect(alerts).toContain('Brier 分数');
    const forecast = await page.textContent('[data-testid=backtest-forecast-scores]');
    for (const word of ['朴素预测', '近 3 期平均', 'MASE', 'RMSSE', '分位数损失'])
      expect(forecast).toContain(word);
    // uPlot draws the reliability chart on a canvas, with its legend.
    await page.waitForSelector('[data-testid=backtest-reliability] canvas');
    expect(await page.textContent('[data-testid=backtest-reliability]')).toContain('完全校准');
    expect(await page.locator('[data-testid=backtest-calibration] tbody tr').count()).toBeGreaterThan(0);
    // The rows name the item and the location, and say which months ran out anew.
    await page.waitForSelector('[data-testid=backtest-rows] tr:has-text("GAUZE-10")');
    expect(await page.locator('[data-testid=backtest-rows] tbody tr').count()).toBe(11);
    await page.selectOption('select[name=outcome]', 'new_stockout');
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid=backtest-rows] tbody tr').length === 2,
    );
    expect(await page.textContent('[data-testid=backtest-rows]')).toContain('新发生缺货');
    expect(await unlabelledControls(page)).toEqual([]);
    await screenshot(page, 'backtest-zh');

    await page.click('[data-testid=lang-toggle]');
    await page.waitForSelector('[data-page=backtest] h1:has-text("Backtest")');
    const en = await page.textContent('[data-page=backtest]');
    for (const word of [
      'Months-of-stock rule',
      'medstock engine',
      'Naive (last period)',
      'Mean of last 3 periods',
      'Average precision',
      'Reliability',
      'New stock-out',
    ]) {
      expect(en).toContain(word);
    }
    await screenshot(page, 'backtest-en');
    await page.click('[data-testid=lang-toggle]');
    await page.waitForSelector('[data-page=backtest] h1:has-text("回测")');
    expect(errors).toEqual([]);
  });
});
