import { randomBytes } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertDailyHistory } from '../../api/test/support/engine-fixtures.ts';
import { centralStore, insertItem } from '../../api/test/support/fixtures.ts';
import { type AddedMember, addMember } from '../../api/test/support/members.ts';
import { PASSWORD, type SignedUp, signUp } from '../../api/test/support/test-app.ts';
import { type RunningWorker, startWorker } from '../../worker/src/index.ts';
import {
  buildWeb,
  eventually,
  launchChromium,
  newPage,
  screenshot,
  startWebServer,
  type WebServer,
} from './support/harness.ts';

/**
 * Anomaly review (异常用量复核) in Chromium, in Chinese: three items with a steady four months of
 * use and one day of 200 ten days ago are counted through the API; the real worker recalculates
 * them and flags each spike. A storekeeper accepts one as real use and rejects another as not real
 * demand through the page; the API then shows each with its status and the storekeeper as the
 * reviewer, the page shows them under 已接受 / 已驳回, and the worker closes their alerts. A viewer
 * (read only: the API refuses a viewer's verdict) sees the queue without any action button.
 */
interface Anomaly {
  id: string;
  itemCode: string;
  status: string;
  reviewedBy: string | null;
  reviewedAt: string | null;
}

let web: { dir: string; remove(): void };
let server: WebServer;
let browser: Browser;
let worker: RunningWorker;
let owner: SignedUp;
let storekeeper: AddedMember;
let viewer: AddedMember;
const items: Record<string, string> = {};
const CODES = ['SPIKE-ACC', 'SPIKE-REJ', 'SPIKE-WAIT'] as const;

const get = async <T>(url: string, headers: Record<string, string> = owner.headers): Promise<T> => {
  const r = await server.t.app.inject({ method: 'GET', url, headers });
  expect(r.statusCode, r.body).toBe(200);
  return r.json() as T;
};
const anomaliesOf = async (status: string) =>
  (await get<{ items: Anomaly[] }>(`/v1/anomalies?status=${status}&limit=100`)).items;
const liveAnomalyAlerts = async (itemId: string) =>
  (await get<{ items: unknown[] }>(`/v1/alerts?itemId=${itemId}&type=consumption_anomaly`)).items.length;

beforeAll(async () => {
  web = await buildWeb();
  server = await startWebServer(web.dir, {
    QUEUE_PREFIX: `an${randomBytes(4).toString('hex')}`,
    RECALC_OUTBOX_POLL_MS: '500',
  });
  worker = await startWorker(server.t.config, { scheduleSyncMs: 3_600_000 });
  browser = await launchChromium();
  owner = await signUp(server.t, { organizationName: '青山社区卫生服务站' });
  const { locationId } = await centralStore(server.t, owner.headers);
  for (const code of CODES) {
    const itemId = await insertItem(server.t, owner.organizationId, { code });
    // 120 days of ~11 a day with one day of 200 ten days ago (as an import of past usage brings).
    await insertDailyHistory(server.t, owner.organizationId, itemId, locationId, 120, (i) =>
      i === 110 ? 200 : 10 + (i % 3),
    );
    // A count through the API: the movement's outbox row makes the worker recalculate the item.
    const count = await server.t.app.inject({
      method: 'POST',
      url: '/v1/movements',
      headers: owner.headers,
      payload: { type: 'stocktake', itemId, locationId, quantity: 500 },
    });
    expect(count.statusCode, count.body).toBe(201);
    items[code] = itemId;
  }
  const pending = await eventually(async () => {
    const rows = await anomaliesOf('pending');
    return CODES.every((c) => rows.some((a) => a.itemCode === c)) ? rows : null;
  }, 60_000);
  expect(pending).toHaveLength(CODES.length);
  for (const code of CODES) expect(await liveAnomalyAlerts(items[code]!)).toBe(1);
  storekeeper = await addMember(server.t, owner.headers, 'storekeeper');
  viewer = await addMember(server.t, owner.headers, 'viewer');
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await worker?.close();
  await server?.close();
  web?.remove();
});

async function signIn(page: Page, email: string) {
  await page.goto('/login');
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', PASSWORD);
  await page.click('form button[type=submit]');
  await page.waitForSelector('[data-page=dashboard]');
}

const row = (page: Page, code: string) =>
  page.locator('[data-testid=anomalies-table] tbody tr', { hasText: code });

/** Clicks a tab and waits for that tab's list to have been answered and drawn. */
async function openTab(page: Page, label: string, status: string) {
  await Promise.all([
    page.waitForResponse(
      (r) => r.url().includes('/v1/anomalies?') && r.url().includes(`status=${status}`) && r.ok(),
    ),
    page.click(`[data-page=anomalies] button[role=tab]:has-text("${label}")`),
  ]);
  await page.waitForSelector(
    `[data-page=anomalies] button[role=tab][aria-selected=true]:has-text("${label}")`,
  );
}

/** The item codes of the rows the table shows now (none when the page says the tab is empty). */
const codesShown = (page: Page) =>
  page.$$eval('[data-testid=anomalies-table] tbody tr', (trs) =>
    trs.map((tr) => /SPIKE-[A-Z]+/.exec(tr.textContent ?? '')?.[0] ?? '?').sort(),
  );

describe('anomaly review in Chromium', { timeout: 180_000 }, () => {
  it('a storekeeper accepts one flagged day and rejects another; the API and the page agree on the verdicts', async () => {
    const { page, errors } = await newPage(browser, server.base);
    await signIn(page, storekeeper.email);
    await page.goto('/anomalies');
    await page.waitForSelector('[data-page=anomalies] h1:has-text("异常用量复核")');
    await page.waitForSelector(
      '[data-page=anomalies] button[role=tab][aria-selected=true]:has-text("待复核")',
    );
    for (const code of CODES) await row(page, code).waitFor();
    expect(await codesShown(page)).toEqual([...CODES].sort());
    // Each pending row offers both verdicts, and shows the day's use against the usual.
    for (const code of CODES) {
      const r = row(page, code);
      expect(await r.locator('button:has-text("是真实用量")').count()).toBe(1);
      expect(await r.locator('button:has-text("不是真实需求")').count()).toBe(1);
      expect(await r.textContent()).toContain('200');
    }
    await screenshot(page, 'anomalies-pending');

    const answered = (verdict: string) =>
      page.waitForResponse(
        (r) => r.request().method() === 'POST' && r.url().includes(`/${verdict}`) && r.status() === 200,
      );
    await Promise.all([
      answered('accept'),
      row(page, 'SPIKE-ACC').locator('button:has-text("是真实用量")').click(),
    ]);
    // Reviewed rows leave the queue of what waits for review.
    await row(page, 'SPIKE-ACC').waitFor({ state: 'detached' });
    await Promise.all([
      answered('reject'),
      row(page, 'SPIKE-REJ').locator('button:has-text("不是真实需求")').click(),
    ]);
    await row(page, 'SPIKE-REJ').waitFor({ state: 'detached' });
    expect(await codesShown(page)).toEqual(['SPIKE-WAIT']);
    expect(await page.locator('[data-page=anomalies] [role=alert]').count()).toBe(0);

    // The API: each verdict recorded, by the storekeeper who gave it; the third still waits.
    const accepted = await anomaliesOf('accepted');
    const rejected = await anomaliesOf('rejected');
    const pending = await anomaliesOf('pending');
    expect(accepted.map((a) => a.itemCode)).toEqual(['SPIKE-ACC']);
    expect(rejected.map((a) => a.itemCode)).toEqual(['SPIKE-REJ']);
    expect(pending.map((a) => a.itemCode)).toEqual(['SPIKE-WAIT']);
    for (const a of [...accepted, ...rejected]) {
      expect(a.reviewedBy).toBe(storekeeper.id);
      expect(a.reviewedAt).toEqual(expect.any(String));
    }
    expect(pending[0]).toMatchObject({ reviewedBy: null, reviewedAt: null });

    // The page shows each under its new state, with the review time, offering only the other verdict.
    await openTab(page, '已接受', 'accepted');
    await row(page, 'SPIKE-ACC').waitFor();
    expect(await codesShown(page)).toEqual(['SPIKE-ACC']);
    const acc = row(page, 'SPIKE-ACC');
    expect(await acc.locator('button:has-text("是真实用量")').count()).toBe(0);
    expect(await acc.locator('button:has-text("不是真实需求")').count()).toBe(1);
    expect((await acc.locator('td').nth(6).textContent())?.trim()).not.toBe('');
    await screenshot(page, 'anomalies-accepted');

    await openTab(page, '已驳回', 'rejected');
    await row(page, 'SPIKE-REJ').waitFor();
    expect(await codesShown(page)).toEqual(['SPIKE-REJ']);
    const rej = row(page, 'SPIKE-REJ');
    expect(await rej.locator('button:has-text("不是真实需求")').count()).toBe(0);
    expect(await rej.locator('button:has-text("是真实用量")').count()).toBe(1);
    expect((await rej.locator('td').nth(6).textContent())?.trim()).not.toBe('');

    await openTab(page, '待复核', 'pending');
    await row(page, 'SPIKE-WAIT').waitFor();
    expect(await codesShown(page)).toEqual(['SPIKE-WAIT']);

    // The worker recalculates both reviewed item-locations: their anomaly alerts close, the
    // waiting one's stays.
    await eventually(
      async () =>
        (await liveAnomalyAlerts(items['SPIKE-ACC']!)) === 0 &&
        (await liveAnomalyAlerts(items['SPIKE-REJ']!)) === 0,
      60_000,
    );
    expect(await liveAnomalyAlerts(items['SPIKE-WAIT']!)).toBe(1);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('a viewer sees the queue and the verdicts but no action buttons (the API refuses a viewer)', async () => {
    const [waiting] = await anomaliesOf('pending');
    const refused = await server.t.app.inject({
      method: 'POST',
      url: `/v1/anomalies/${waiting!.id}/accept`,
      headers: viewer.headers,
      payload: {},
    });
    expect(refused.statusCode).toBe(403);

    const { page, errors } = await newPage(browser, server.base);
    await signIn(page, viewer.email);
    await page.goto('/anomalies');
    await row(page, 'SPIKE-WAIT').waitFor();
    expect(await codesShown(page)).toEqual(['SPIKE-WAIT']);
    expect(await page.locator('[data-testid=anomalies-table] button').count()).toBe(0);
    await openTab(page, '已接受', 'accepted');
    await row(page, 'SPIKE-ACC').waitFor();
    expect(await page.locator('[data-testid=anomalies-table] button').count()).toBe(0);
    await openTab(page, '已驳回', 'rejected');
    await row(page, 'SPIKE-REJ').waitFor();
    expect(await page.locator('[data-testid=anomalies-table] button').count()).toBe(0);
    expect((await anomaliesOf('pending')).map((a) => a.status)).toEqual(['pending']);
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
