import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { centralStore, insertItem } from '../../api/test/support/fixtures.ts';
import { tenantQuery } from '../../api/test/support/purchasing-fixtures.ts';
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
 * A storekeeper's day with ward requisitions in Chromium, in 简体中文 and then English (issue 11):
 * a ward's requisition entered, approved, picked first expiry first and issued to the ward; an
 * opened fixed pack scanned for its replenishment; a supplier's recall of a lot quarantining it,
 * its traceability report naming the ward it went to, then its release with a reason.
 */
let web: { dir: string; remove(): void };
let server: WebServer;
let browser: Browser;
let owner: Awaited<ReturnType<typeof signUp>>;
let store: string;
let siteId: string;
let ward: string;

const email = `requisitions-${randomBytes(3).toString('hex')}@clinic.example.org`;
const password = 'requisitions-password-2026';

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
const sqlRows = <T extends Record<string, unknown>>(q: ReturnType<typeof sql>) =>
  tenantQuery<T>(server.t, owner.organizationId, q);

beforeAll(async () => {
  web = await buildWeb();
  server = await startWebServer(web.dir, { QUEUE_PREFIX: `rq${randomBytes(4).toString('hex')}` });
  browser = await launchChromium();
  owner = await signUp(server.t, { organizationName: '青山社区卫生服务中心', email, password });
  ({ siteId, locationId: store } = await centralStore(server.t, owner.headers));
  ward = (
    await api<{ id: string }>('POST', '/v1/departments', {
      siteId,
      code: 'W3',
      name: '三病区 Ward 3',
      costCentre: 'CC-3010',
    })
  ).id;
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
  web?.remove();
});

const WORDS = {
  'zh-CN': {
    title: '科室申领',
    approve: '批准',
    issue: '发放到科室',
    issued: '已发放',
    recallTitle: '批号召回',
    recallButton: '在所有院区隔离该批号',
    quarantined: '隔离中',
    release: '解除隔离',
    released: '已解除',
    scanned: '补货申领',
    addPack: '添加定数包',
  },
  en: {
    title: 'Ward requisitions',
    approve: 'Approve',
    issue: 'Issue to the ward',
    issued: 'Issued',
    recallTitle: 'Lot recalls',
    recallButton: 'Quarantine this lot everywhere',
    quarantined: 'In quarantine',
    release: 'Release from quarantine',
    released: 'Released',
    scanned: 'Replenishment',
    addPack: 'Add fixed pack',
  },
} as const;

async function pickItem(page: Page, code: string) {
  await page.fill('input[name=item]', code);
  await page.click(`.picker-list button:has-text("${code}")`);
}

async function storekeeperDay(page: Page, lang: 'zh-CN' | 'en', n: number) {
  const w = WORDS[lang];
  const code = `GAUZE-${n}`;
  const itemId = await insertItem(server.t, owner.organizationId, { code });
  for (const [lot, qty, expiry] of [
    [`LATE-${n}`, 30, '2030-06-30'],
    [`SOON-${n}`, 8, '2028-03-31'],
  ] as const) {
    await api('POST', '/v1/movements', {
      type: 'receipt',
      itemId,
      locationId: store,
      quantity: qty,
      lotNumber: lot,
      expiryDate: expiry,
    });
  }
  const pack = `W3-${code}`;

  // 1. The ward's requisition: 12 pieces of gauze from the central store.
  await page.click('nav a[href="/requisitions"]');
  await page.waitForSelector(`[data-page=requisitions] h1:has-text("${w.title}")`);
  await page.selectOption('select[name=departmentId]', ward);
  await page.selectOption('select[name=sourceLocationId]', store);
  await pickItem(page, code);
  await page.fill('input[name=quantity-0]', '12');
  expect(await unlabelledControls(page)).toEqual([]);
  await screenshot(page, `requisitions-new.${lang}`);
  await page.click('.req-form button[type=submit]');
  await page.waitForSelector('[data-testid=req-notice]');
  const [req] = await sqlRows<{ id: string; number: string }>(
    sql`select r.id, r.number::text from requisitions r join requisition_lines x on x.requisition_id = r.id
         where x.item_id = ${itemId}`,
  );
  expect(req).toBeDefined();

  // 2. The store approves it as asked.
  const approve = page.locator('[data-testid=req-approve]');
  await approve.waitFor();
  expect(await page.locator(`input[name=approve-${code}]`).inputValue()).toBe('12');
  await screenshot(page, `requisitions-approve.${lang}`);
  await approve.locator(`button[type=submit]:has-text("${w.approve}")`).click();

  // 3. The pick list: the lot that expires first comes first.
  const pick = page.locator('[data-testid=pick-list]');
  await pick.waitFor();
  const rows = await pick
    .locator('tbody tr[data-pick]')
    .evaluateAll((trs) => trs.map((tr) => (tr as HTMLElement).dataset.pick));
  expect(rows).toEqual([`${code}|SOON-${n}`, `${code}|LATE-${n}`]);
  expect(await page.locator(`input[name="take-${code}-SOON-${n}"]`).inputValue()).toBe('8');
  expect(await page.locator(`input[name="take-${code}-LATE-${n}"]`).inputValue()).toBe('4');
  expect(await unlabelledControls(page)).toEqual([]);
  await screenshot(page, `requisitions-pick-list.${lang}`);

  // 4. Issue to the ward.
  await page.click(`[data-testid=req-pick] button[type=submit]:has-text("${w.issue}")`);
  await page.waitForSelector(`[data-testid=req-status]:has-text("${w.issued}")`);
  const issued = await sqlRows<{
    lot: string;
    quantity: string;
    department_id: string;
    cost_centre: string;
  }>(sql`
    select lo.lot_number as lot, m.quantity::text, m.department_id, m.cost_centre
      from movements m join lots lo on lo.id = m.lot_id
     where m.requisition_id = ${req!.id} order by m.id`);
  expect(issued).toEqual([
    { lot: `SOON-${n}`, quantity: '-8', department_id: ward, cost_centre: 'CC-3010' },
    { lot: `LATE-${n}`, quantity: '-4', department_id: ward, cost_centre: 'CC-3010' },
  ]);
  expect(await page.locator('[data-testid=req-history] li').count()).toBeGreaterThanOrEqual(3);
  await screenshot(page, `requisitions.${lang}`);

  // 4b. A high-value issue at the counter, to the ward and a patient (first expiry first: lot LATE).
  await page.click('nav a[href="/movements"]');
  await page.waitForSelector('.movement-form');
  await page.check('input[name=type][value=issue]');
  await page.fill('input[name=item]', '');
  await pickItem(page, code);
  await page.fill('#quantity', '2');
  await page.selectOption('.movement-form select[name=departmentId]', ward);
  await page.fill('.movement-form input[name=patientRef]', `MRN-${n}0042`);
  expect(await unlabelledControls(page)).toEqual([]);
  await page.click('.movement-form button[type=submit]');
  await page.waitForSelector(`[data-testid=movement-posted]:has-text("${code}")`);
  const counter = await sqlRows<{ department_id: string; patient_ref: string; cost_centre: string }>(sql`
    select department_id, patient_ref, cost_centre from movements
     where item_id = ${itemId} and type = 'issue' and requisition_id is null`);
  expect(counter).toEqual([{ department_id: ward, patient_ref: `MRN-${n}0042`, cost_centre: 'CC-3010' }]);
  await page.click('nav a[href="/requisitions"]');
  await page.waitForSelector(`[data-page=requisitions] h1:has-text("${w.title}")`);

  // 5. A fixed pack defined for the ward, then an opened copy scanned: its replenishment is asked for.
  const setup = page.locator('[data-testid=req-setup]');
  if (!(await setup.evaluate((d) => (d as HTMLDetailsElement).open))) await setup.locator('summary').click();
  await setup.locator('input[name=packCode]').fill(pack);
  await setup.locator('input[name=item]').fill(code);
  await setup.locator(`.picker-list button:has-text("${code}")`).click();
  await setup.locator('input[name=packQuantity]').fill('5');
  await setup.locator('select[name=packDepartment]').selectOption(ward);
  await setup.locator('select[name=packStore]').selectOption(store);
  expect(await unlabelledControls(page)).toEqual([]);
  await setup.locator(`button[type=submit]:has-text("${w.addPack}")`).click();
  await page.waitForSelector(`[data-testid=fixed-packs] td:has-text("MSPK:${pack}")`);
  await setup.locator('[data-testid=fixed-packs] tr', { hasText: pack }).locator('button').click();
  await page.waitForSelector('[data-testid=pack-label] svg');
  await screenshot(page, `requisitions-setup.${lang}`);
  await page.fill('input[name=packLabel]', `MSPK:${pack}`);
  await page.press('input[name=packLabel]', 'Enter');
  await page.waitForSelector(`[data-testid=req-notice]:has-text("${pack}")`);
  const packReq = await sqlRows<{ n: number }>(sql`
    select count(*)::int as n from requisitions r join fixed_packs p on p.id = r.fixed_pack_id
     where p.code = ${pack} and r.status = 'submitted'`);
  expect(packReq[0]!.n).toBe(1);

  // 6. The supplier recalls lot LATE: quarantined everywhere, traced to the ward, then released.
  await page.click('nav a[href="/recalls"]');
  await page.waitForSelector(`[data-page=recalls] h1:has-text("${w.recallTitle}")`);
  await pickItem(page, code);
  await page.fill('input[name=lotNumber]', `LATE-${n}`);
  await page.fill(
    'input[name=recallReason]',
    lang === 'zh-CN' ? '厂家召回：灭菌不合格' : 'maker recall: sterility',
  );
  await page.fill('input[name=supplierReference]', `RC-${n}`);
  expect(await unlabelledControls(page)).toEqual([]);
  await page.click(`.recall-form button[type=submit]:has-text("${w.recallButton}")`);
  const dialog = page.locator('[data-testid=confirm-dialog]');
  await dialog.waitFor();
  expect(await dialog.textContent()).toContain(`LATE-${n}`);
  await dialog.locator('button[type=submit]').click();
  await page.waitForSelector(`[data-testid=recall-status]:has-text("${w.quarantined}")`);
  const held = await sqlRows<{ held: string }>(sql`
    select sum(least(s.quarantined, s.on_hand))::text as held from stock s join lots lo on lo.id = s.lot_id
     where lo.lot_number = ${`LATE-${n}`}`);
  expect(held[0]!.held).toBe('24');
  expect(await page.locator('[data-testid=recall-patients]').textContent()).toContain(`MRN-${n}0042`);
  expect(await page.locator('[data-testid=recall-departments]').textContent()).toContain('三病区 Ward 3');
  expect(await page.locator('[data-testid=recall-locations]').textContent()).toContain('24');
  await screenshot(page, `recalls.${lang}`);
  // The stock list shows the held units beside on-hand.
  await page.click('nav a[href="/stock"]');
  const heldNote = page.locator('[data-testid=stock-held]').first();
  await heldNote.waitFor();
  expect(await heldNote.textContent()).toContain('24');
  await page.click('nav a[href="/recalls"]');
  await page.click(`[data-testid=recalls] button:has-text("LATE-${n}")`);
  await page.waitForSelector(`[data-testid=recall-status]:has-text("${w.quarantined}")`);
  await page.click(`button:has-text("${w.release}")`);
  await dialog.waitFor();
  await dialog
    .locator('textarea[name=reason]')
    .fill(lang === 'zh-CN' ? '厂家确认本批次不受影响' : 'maker confirms this lot is not affected');
  await dialog.locator('button[type=submit]').click();
  await page.waitForSelector(`[data-testid=recall-status]:has-text("${w.released}")`);
  const after = await sqlRows<{ held: string }>(sql`
    select sum(least(s.quarantined, s.on_hand))::text as held from stock s join lots lo on lo.id = s.lot_id
     where lo.lot_number = ${`LATE-${n}`}`);
  expect(after[0]!.held).toBe('0');
  await screenshot(page, `recalls-released.${lang}`);
}

describe('ward requisitions and recalls in Chromium', { timeout: 240_000 }, () => {
  it('requisition → approve → FEFO pick → issue, a fixed pack scanned, a lot recalled and released — in Chinese, then English', async () => {
    const { page, errors } = await newPage(browser, server.base);
    await page.goto('/login');
    await page.fill('input[name=email]', email);
    await page.fill('input[name=password]', password);
    await page.click('form button[type=submit]');
    await page.waitForSelector('[data-page=dashboard]');
    await storekeeperDay(page, 'zh-CN', 1);
    await page.click('[data-testid=lang-toggle]');
    await page.waitForSelector('nav a[href="/requisitions"]:has-text("Ward requisitions")');
    await storekeeperDay(page, 'en', 2);
    expect(errors).toEqual([]);
  });
});
