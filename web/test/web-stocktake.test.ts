import { randomBytes } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertItem } from '../../api/test/support/fixtures.ts';
import { addMember } from '../../api/test/support/members.ts';
import { PASSWORD, signUp } from '../../api/test/support/test-app.ts';
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
 * The stocktake page (盘点) in Chromium, in 简体中文 and in English: a storekeeper makes a blind
 * count sheet for Ward 3, counts one item as a whole without a lot (14 where the book has 15 of
 * DEMO-11 and 10 of DEMO-12), scans a lot the sheet did not list, types a lot count on the
 * sheet, and submits; the review shows the variance and where it lands; the storekeeper's own
 * approval is refused; a second storekeeper approves and posts, each after a confirmation; the
 * ledger then holds what was counted. The sheet is printed (print media) too.
 */
let web: { dir: string; remove(): void };
let server: WebServer;
let browser: Browser;
let owner: Awaited<ReturnType<typeof signUp>>;
let approver: { email: string };
let wardId: string;
let n = 0;

const ownerEmail = `stocktake-${randomBytes(3).toString('hex')}@clinic.example.org`;
const ownerPassword = 'stocktake-password-2026';

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

/** A GS1 GTIN-14 with its check digit, unique per call. */
function gtin(): string {
  const body = `0950600${String(10000 + n++).padStart(6, '0')}`;
  const sum = [...body].reverse().reduce((s, d, i) => s + Number(d) * (i % 2 === 0 ? 3 : 1), 0);
  return `${body}${(10 - (sum % 10)) % 10}`;
}

async function login(page: Page, email: string, password: string) {
  await page.goto('/login');
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', password);
  await page.click('form button[type=submit]');
  await page.waitForSelector('[data-page=dashboard]');
}

const WORDS = {
  'zh-CN': {
    title: '盘点',
    counting: '盘点中',
    submitted: '待审核',
    approved: '已审核',
    posted: '已过账',
    hidden: '不显示',
    wholeItem: '按品种整盘（全部批号）',
    recorded: '已登记盘点数。',
    approvedBy: '审核通过',
    postedBy: '过账',
    confirmApprove: '审核通过这些差异？',
    confirmPost: '过账到库存？',
    lands: '差异落在：',
    sheetWords: ['盘点表', '账面数', '实盘数', '盘盈盘亏', '差异金额'],
  },
  en: {
    title: 'Stocktake',
    counting: 'Counting',
    submitted: 'Awaiting approval',
    approved: 'Approved',
    posted: 'Posted',
    hidden: 'hidden',
    wholeItem: 'whole item (all lots)',
    recorded: 'Count recorded.',
    approvedBy: 'Approved by',
    postedBy: 'Posted by',
    confirmApprove: 'Approve this variance?',
    confirmPost: 'Post to stock?',
    lands: 'Lands on:',
    sheetWords: ['Count sheet', 'Book', 'Counted', 'Variance', 'Value'],
  },
} as const;

beforeAll(async () => {
  web = await buildWeb();
  server = await startWebServer(web.dir, { QUEUE_PREFIX: `st${randomBytes(4).toString('hex')}` });
  browser = await launchChromium();
  owner = await signUp(server.t, {
    organizationName: '青山社区卫生服务中心',
    email: ownerEmail,
    password: ownerPassword,
  });
  const site = (await api<{ items: { id: string }[] }>('GET', '/v1/sites')).items[0]!.id;
  wardId = (
    await api<{ id: string }>('POST', `/v1/sites/${site}/locations`, {
      code: 'W3',
      name: '三病区 Ward 3',
      kind: 'ward',
    })
  ).id;
  approver = await addMember(server.t, owner.headers, 'storekeeper');
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
  web?.remove();
});

describe('stocktake page in Chromium', { timeout: 240_000 }, () => {
  for (const locale of ['zh-CN', 'en'] as const) {
    it(`a stocktake session with variance approval (${locale})`, async () => {
      const w = WORDS[locale];
      const tag = locale === 'en' ? 'EN' : 'ZH';
      const gauzeGtin = gtin();
      const glovesGtin = gtin();
      const gauze = await insertItem(server.t, owner.organizationId, {
        code: `GZ-${tag}`,
        gtin: gauzeGtin,
        unitCost: 2.5,
      });
      const gloves = await insertItem(server.t, owner.organizationId, {
        code: `GL-${tag}`,
        gtin: glovesGtin,
        unitCost: 10,
      });
      for (const [itemId, quantity, lotNumber, expiryDate] of [
        [gauze, 15, 'DEMO-11', '2031-01-31'],
        [gauze, 10, 'DEMO-12', '2030-06-30'],
        [gloves, 8, 'G1', '2031-03-31'],
      ] as const)
        await api('POST', '/v1/movements', {
          type: 'receipt',
          itemId,
          locationId: wardId,
          quantity,
          lotNumber,
          expiryDate,
        });

      const { page, errors } = await newPage(browser, server.base);
      await login(page, ownerEmail, ownerPassword);
      if (locale === 'en') await page.click('[data-testid=lang-toggle]');
      await page.click('nav a[href="/stocktake"]');
      await page.waitForSelector(`[data-page=stocktake] h1:has-text("${w.title}")`);

      // A blind count sheet for Ward 3.
      await page.selectOption('.stocktake-new select[name=locationId]', wardId);
      await page.check('.stocktake-new input[name=blind]');
      expect(await unlabelledControls(page)).toEqual([]);
      await page.click('.stocktake-new button[type=submit]');
      await page.waitForSelector('[data-page=stocktake-session][data-status=counting]');
      const id = page.url().split('/').pop()!;
      const sheet = page.locator('[data-testid=count-sheet]');
      const row = (code: string, lot: string) => sheet.locator(`tr[data-line="${code}|${lot}"]`);
      await row(`GZ-${tag}`, 'DEMO-11').waitFor();
      // Blind: the book is not shown to the counter.
      expect((await row(`GZ-${tag}`, 'DEMO-11').locator('td.book').textContent())?.trim()).toBe(w.hidden);
      expect(await page.textContent('[data-page=stocktake-session]')).toContain(w.counting);

      // Gauze counted as a whole, typed: 14, no lot.
      const entry = page.locator('.stocktake-entry');
      await entry.locator('input[name=item]').fill(`GZ-${tag}`);
      await page.click(`.picker-list button:has-text("GZ-${tag}")`);
      await entry.locator('input[name=quantity]').fill('14');
      await entry.locator('button[type=submit]').click();
      await entry.locator(`[role=status]:has-text("${w.recorded}")`).waitFor();
      await row(`GZ-${tag}`, '*').waitFor();
      expect(await row(`GZ-${tag}`, '*').textContent()).toContain(w.wholeItem);
      expect(await row(`GZ-${tag}`, '*').locator('input').inputValue()).toBe('14');

      // Gloves: a lot nobody booked, scanned (GS1: GTIN, expiry, lot, count 2).
      await entry.locator('input[name=item]').fill('');
      await entry.locator('input[name=scan]').fill(`(01)${glovesGtin}(17)320131(10)G2(30)2`);
      await entry.locator('input[name=quantity]').fill('');
      await entry.locator('button[type=submit]').click();
      await row(`GL-${tag}`, 'G2').waitFor();
      expect(await row(`GL-${tag}`, 'G2').locator('input').inputValue()).toBe('2');
      // And G1 typed on the sheet: 9.
      await row(`GL-${tag}`, 'G1').locator('input').fill('9');
      await page.click('.stocktake-sheet button[type=submit]');
      await page.waitForSelector('.stocktake-sheet [role=status]');
      expect(await unlabelledControls(page)).toEqual([]);

      // Submit: the review shows the book, the variance and where the whole count lands.
      await page.click('.stocktake-review button.primary');
      await page.waitForSelector('[data-page=stocktake-session][data-status=submitted]');
      expect((await row(`GZ-${tag}`, '*').locator('td.book').textContent())?.trim()).toBe('25');
      const gz = (await row(`GZ-${tag}`, '*').locator('td.variance').textContent()) ?? '';
      expect(gz).toContain('-11');
      expect(gz).toContain(w.lands);
      expect(gz).toContain(locale === 'zh-CN' ? 'DEMO-12 -10、DEMO-11 -1' : 'DEMO-12 -10, DEMO-11 -1');
      expect((await page.textContent('[data-testid=variance-lines]'))?.trim()).toBe('3');
      expect((await page.textContent('[data-testid=variance-quantity]'))?.trim()).toBe('-8');
      for (const word of w.sheetWords)
        expect(await page.textContent('[data-page=stocktake-session]')).toContain(word);

      // The counter's own approval is refused, inside the confirmation.
      await page.click('.stocktake-review button.primary');
      const dialog = page.locator('[data-testid=confirm-dialog]');
      await dialog.waitFor();
      expect(await dialog.textContent()).toContain(w.confirmApprove);
      await dialog.locator('button[type=submit]').click();
      await dialog.locator('.error-box').waitFor();
      await dialog.locator('button[type=button]').click();
      expect(await page.getAttribute('[data-page=stocktake-session]', 'data-status')).toBe('submitted');
      await screenshot(page, `stocktake.${locale}`);

      // A second storekeeper approves, then posts — each after a confirmation.
      const second = await newPage(browser, server.base);
      await login(second.page, approver.email, PASSWORD);
      if (
        locale === 'en' &&
        (await second.page.textContent('[data-testid=lang-toggle]'))?.includes('English')
      )
        await second.page.click('[data-testid=lang-toggle]');
      await second.page.goto(`/stocktake/${id}`);
      await second.page.waitForSelector('[data-page=stocktake-session][data-status=submitted]');
      await second.page.click('.stocktake-review button.primary');
      await second.page.locator('[data-testid=confirm-dialog] button[type=submit]').click();
      await second.page.waitForSelector('[data-page=stocktake-session][data-status=approved]');
      expect(await second.page.textContent('[data-testid=stocktake-history]')).toContain(w.approvedBy);
      expect(await second.page.textContent('[data-testid=stocktake-history]')).toContain(approver.email);
      await second.page.click('.stocktake-review button.primary');
      const postDialog = second.page.locator('[data-testid=confirm-dialog]');
      expect(await postDialog.textContent()).toContain(w.confirmPost);
      await postDialog.locator('button[type=submit]').click();
      await second.page.waitForSelector('[data-page=stocktake-session][data-status=posted]');
      expect(await second.page.textContent('[data-page=stocktake-session]')).toContain(w.posted);
      expect(await second.page.textContent('[data-testid=stocktake-history]')).toContain(w.postedBy);
      // Posted: locked, no more count inputs nor actions.
      expect(await second.page.locator('.count-input').count()).toBe(0);
      expect(await second.page.locator('.stocktake-review button').count()).toBe(0);
      await screenshot(second.page, `stocktake-posted.${locale}`);

      // The printable sheet: no navigation, the signature line.
      await second.page.emulateMedia({ media: 'print' });
      expect(await second.page.locator('.app-header').isVisible()).toBe(false);
      expect(await second.page.locator('.signature').isVisible()).toBe(true);
      await screenshot(second.page, `stocktake-print.${locale}`);
      await second.page.emulateMedia({ media: 'screen' });
      // And as a PDF, in the page's language, named after the session.
      const [download] = await Promise.all([
        second.page.waitForEvent('download'),
        second.page.click('[data-testid=stocktake-pdf]'),
      ]);
      const sessionNumber = (await second.page.textContent('h1'))?.match(/ST-\d{4}-\d{4}/)?.[0];
      expect(download.suggestedFilename()).toBe(`${sessionNumber}.pdf`);

      // The ledger holds what was counted: gauze 14 (the shortfall taken from DEMO-12 first).
      const stock = await api<{ items: { itemId: string; lotNumber: string | null; onHand: number }[] }>(
        'GET',
        `/v1/stock?locationId=${wardId}&groupBy=lot&limit=500`,
      );
      const held = stock.items
        .filter((s) => [gauze, gloves].includes(s.itemId) && s.onHand !== 0)
        .map((s) => `${s.lotNumber}:${s.onHand}`)
        .sort();
      expect(held).toEqual(['DEMO-11:14', 'G1:9', 'G2:2']);

      // The list shows the session as posted.
      await page.goto('/stocktake');
      const listed = page.locator(`[data-testid=stocktakes] tr:has(a[href="/stocktake/${id}"])`);
      await listed.waitFor();
      expect(await listed.textContent()).toContain(w.posted);
      // Filtered to the sessions awaiting approval, the posted one is not listed.
      await page.selectOption('select[name=status]', 'submitted');
      await page.waitForSelector(`[data-testid=stocktakes] tr:has(a[href="/stocktake/${id}"])`, {
        state: 'detached',
      });
      await page.selectOption('select[name=status]', 'posted');
      await listed.waitFor();
      await screenshot(page, `stocktake-list.${locale}`);

      // A site-wide session: each location's own sheet, on screen and as a PDF.
      const siteWide = await api<{ id: string; number: string; siteId: string }>('POST', '/v1/stocktakes', {
        siteId: (await api<{ items: { id: string }[] }>('GET', '/v1/sites')).items[0]!.id,
      });
      await page.goto(`/stocktake/${siteWide.id}`);
      await page.waitForSelector('[data-page=stocktake-session] select[name=sheetLocation]');
      await page.selectOption('select[name=sheetLocation]', wardId);
      await row(`GZ-${tag}`, 'DEMO-11').waitFor();
      const wards = await sheet.locator('tbody tr td:first-child').allTextContents();
      expect(wards.length).toBeGreaterThan(0);
      expect(wards.every((x) => x.includes('Ward 3'))).toBe(true);
      const [wardSheet] = await Promise.all([
        page.waitForEvent('download'),
        page.click('[data-testid=stocktake-pdf]'),
      ]);
      expect(wardSheet.suggestedFilename()).toBe(`${siteWide.number}-${wardId.slice(0, 8)}.pdf`);
      await api('POST', `/v1/stocktakes/${siteWide.id}/cancel`, { reason: 'test' });

      const real = (list: string[]) => list.filter((e) => !/Failed to load resource/.test(e));
      expect(real(errors)).toEqual([]);
      expect(real(second.errors)).toEqual([]);
      await page.context().close();
      await second.context.close();
    });
  }
});
