import { randomBytes } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type RunningWorker, startWorker } from '../../worker/src/index.ts';
import {
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
 * Issue 11, a new clinic's first hour in Chromium, in both languages: the landing page leads to
 * sign-up; the dashboard shows a first-run checklist that starts with a receipt or a count, no
 * chain wording for a single site, KPIs with their definitions and empty trends that say so; par
 * levels are set on the stock page; a scanned box counts boxes (2 盒 = 200 支); and the item's
 * shelf reaching 0 raises an explained alert with its inputs in words.
 */
let web: { dir: string; remove(): void };
let server: WebServer;
let browser: Browser;
let worker: RunningWorker;
const errors: string[][] = [];

beforeAll(async () => {
  web = await buildWeb();
  server = await startWebServer(web.dir, { QUEUE_PREFIX: `ob${randomBytes(4).toString('hex')}` });
  worker = await startWorker(server.t.config, { scheduleSyncMs: 60_000 });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await worker?.close();
  await server?.close();
  web?.remove();
});
afterEach(() => {
  for (const list of errors) expect(list).toEqual([]);
});

const WORDS = {
  'zh-CN': {
    org: '青山社区卫生服务中心',
    allSites: '全部院区',
    noData: '暂无数据',
    onTime: '供应商准时率',
    onTimeHelp: '不晚于预计到货日',
    packEquals: '2 盒 = 200 支',
    stockedOut: '已缺货',
    inputOnHand: '在库',
    ruleText: '已缺货（规则第',
    parTab: '基数（最低/最高库存）',
    eventOpened: '产生预警',
  },
  en: {
    org: 'Green Hill Community Health Centre',
    allSites: 'All sites',
    noData: 'No data yet',
    onTime: 'Supplier on-time rate',
    onTimeHelp: 'on or before their expected date',
    packEquals: '2 boxes = 200 pieces',
    stockedOut: 'out of stock',
    inputOnHand: 'On hand',
    ruleText: '(rule version',
    parTab: 'Par levels',
    eventOpened: 'Alert raised',
  },
} as const;

async function signUpThroughLanding(page: Page, locale: 'zh-CN' | 'en', email: string, password: string) {
  const w = WORDS[locale];
  await page.goto('/');
  await page.waitForSelector('[data-page=landing]');
  expect(await page.locator('[data-page=landing] a[href="/login"]').count()).toBe(1);
  expect(await page.locator('[data-page=landing] a[href="/password-reset"]').count()).toBe(1);
  await screenshot(page, `landing.${locale}`);
  await page.click('[data-testid=landing-signup]');
  await page.fill('input[name=organizationName]', w.org);
  await page.fill('input[name=name]', locale === 'en' ? 'Dr Chen' : '陈医生');
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', password);
  await page.check('input[name=catalogueTemplate][value=community-health-centre]');
  await page.click('form button[type=submit].primary');
  await page.waitForSelector('[data-testid=signup-sent]');
  const isConfirmation = (l: string) => l.includes('/signup/confirm?token=');
  const mail = await server.t.mail.waitFor(email, (m) => m.links.some(isConfirmation));
  await page.goto(mail.links.find(isConfirmation)!);
  await page.fill('input[name=password]', password);
  await page.click('form button[type=submit].primary');
  await page.waitForSelector('[data-page=dashboard][data-ready=true]');
}

const stepDone = (page: Page, step: string) =>
  page.getAttribute(`[data-testid=onboarding-checklist] li[data-step=${step}]`, 'data-done');

for (const locale of ['zh-CN', 'en'] as const) {
  describe(`a new clinic's first hour (${locale})`, { timeout: 240_000 }, () => {
    const w = WORDS[locale];
    let page: Page;
    const email = `first-${locale}-${randomBytes(3).toString('hex')}@clinic.example.org`;
    const password = 'correct-horse-battery';

    beforeAll(async () => {
      const p = await newPage(browser, server.base);
      page = p.page;
      errors.push(p.errors);
      if (locale === 'en') await p.context.addInitScript(() => localStorage.setItem('medstock.locale', 'en'));
    });

    it('landing → sign-up → a dashboard with the storekeeper’s checklist, KPIs defined, no chain wording', async () => {
      await signUpThroughLanding(page, locale, email, password);
      await page.waitForSelector('[data-testid=onboarding-checklist]');
      const steps = await page
        .locator('[data-testid=onboarding-checklist] li')
        .evaluateAll((els) => els.map((e) => e.getAttribute('data-step')));
      // What a storekeeper does first comes first; past usage comes last.
      expect(steps).toEqual(['firstStock', 'parLevels', 'invite', 'history']);
      expect(await stepDone(page, 'firstStock')).toBe('false');
      // One site: no site filter, no "all sites".
      expect(await page.locator('select[name=siteId]').count()).toBe(0);
      expect(await page.textContent('main')).not.toContain(w.allSites);
      // The purchasing KPIs with their definitions; empty trends say so.
      const kpis = await page.textContent('[data-testid=purchasing-kpis]');
      expect(kpis).toContain(w.onTime);
      expect(kpis).toContain(w.onTimeHelp);
      expect(await page.locator('[data-testid=chart-empty]').first().textContent()).toContain(w.noData);
      await screenshot(page, `dashboard-first-run.${locale}`);
    });

    it('sets a par level on the stock page', async () => {
      await page.goto('/stock?tab=par');
      await page.waitForSelector(`button[role=tab]:has-text("${w.parTab}")`);
      await page.fill('.inline-form input[name=item]', 'CHC-0001');
      await page.click('.picker-list button:has-text("CHC-0001")');
      await page.fill('input[name=minQty]', '50');
      await page.fill('input[name=maxQty]', '400');
      expect(await unlabelledControls(page)).toEqual([]);
      await page.click('.inline-form button[type=submit].primary');
      const row = page.locator('[data-testid=par-levels] tr', { hasText: 'CHC-0001' });
      await row.waitFor();
      expect(await row.textContent()).toMatch(/50/);
      expect(await row.textContent()).toMatch(/400/);
      await screenshot(page, `stock-par-levels.${locale}`);
    });

    it('scans a box and types 2: the form says 2 boxes = 200 pieces, and 200 are received', async () => {
      await page.goto('/movements?type=receipt');
      await page.waitForSelector('.movement-form');
      // The box's own GTIN (CHC-0001: 1 盒 = 100 支), with expiry and lot, as a scanner sends it.
      await page.type('#scan', '(01)16953001200010(17)280630(10)BOX-A');
      await page.press('#scan', 'Enter');
      await page.waitForSelector('[data-testid=scan-recognised]:has-text("CHC-0001")');
      await page.fill('#quantity', '2');
      expect(await page.textContent('[data-testid=pack-equals]')).toBe(w.packEquals);
      await screenshot(page, `movements-scan-box.${locale}`);
      await page.click('.movement-form button[type=submit]');
      await page.waitForSelector('[data-testid=movement-posted]:has-text("CHC-0001")');
      const row = page.locator('[data-testid=movement-history] tbody tr', { hasText: 'CHC-0001' }).first();
      expect((await row.locator('td.num').textContent())?.trim()).toBe('200');
    });

    it('issues the item to 0: an explained stock-out alert with its inputs in words; the checklist ticks', async () => {
      await page.goto('/movements?type=issue');
      await page.waitForSelector('.movement-form');
      await page.check('input[name=type][value=issue]');
      await page.fill('.movement-form input[name=item]', 'CHC-0001');
      await page.click('.picker-list button:has-text("CHC-0001")');
      await page.fill('#quantity', '200');
      await page.click('.movement-form button[type=submit]');
      await page.waitForSelector('[data-testid=movement-posted]:has-text("CHC-0001")');

      await page.goto('/alerts');
      const link = await eventually(
        async () => {
          await page.reload();
          await page.waitForSelector('[data-page=alerts]');
          const l = page.locator('a', { hasText: 'CHC-0001' }).first();
          return (await l.count()) > 0 ? l : null;
        },
        60_000,
        1_000,
      );
      await link.click();
      await page.waitForSelector('[data-testid=alert-explanation]');
      expect(await page.textContent('[data-testid=alert-explanation]')).toContain(w.stockedOut);
      expect(await page.textContent('.formula')).toContain(w.ruleText);
      await page.click('.formula + details summary, details summary');
      const inputs = await page.textContent('[data-testid=alert-inputs]');
      expect(inputs).toContain(w.inputOnHand);
      expect(inputs).not.toContain('onHand');
      if (locale === 'zh-CN') expect(await page.textContent('main')).not.toMatch(/piece/);
      await screenshot(page, `alert-detail-stocked-out.${locale}`);

      await page.goto('/');
      await page.waitForSelector('[data-page=dashboard][data-ready=true]');
      await page.waitForSelector(
        '[data-testid=onboarding-checklist] li[data-step=firstStock][data-done=true]',
      );
      expect(await stepDone(page, 'parLevels')).toBe('true');
      expect(await stepDone(page, 'invite')).toBe('false');
      await screenshot(page, `dashboard-checklist.${locale}`);
    });

    it('names webhook events in words, with their codes', async () => {
      await page.goto('/settings/webhooks');
      const label = page.locator('label.checkbox', { hasText: w.eventOpened });
      await label.waitFor();
      expect(await label.locator('code').textContent()).toBe('alert.opened');
      await screenshot(page, `settings-webhooks.${locale}`);
    });
  });
}
