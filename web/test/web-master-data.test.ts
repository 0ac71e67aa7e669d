import { randomBytes } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { centralStore, insertItem } from '../../api/test/support/fixtures.ts';
import { addMember } from '../../api/test/support/members.ts';
import { signUp } from '../../api/test/support/test-app.ts';
import { CATALOGUES, type Locale, type MessageKey } from '../src/i18n/i18n.tsx';
import {
  apiLogin,
  buildWeb,
  launchChromium,
  newPage,
  screenshot,
  startWebServer,
  unlabelledControls,
  type WebServer,
} from './support/harness.ts';

/**
 * Master data in Chromium, in 简体中文 and in English: an item created with its 医保耗材编码 (a
 * wrong one refused under the field in the reader's language) and edited; an unknown scanned
 * barcode linked to an item from the movement form, after which the scan finds it; a location
 * renamed and deactivated with a confirmation (one that still holds stock refused, saying so); a
 * member removed with a reason; the item stock card with its lots, chart and movements; the audit
 * log showing those changes. Each page is saved as a screenshot in both languages.
 */
let web: { dir: string; remove(): void };
let server: WebServer;
let browser: Browser;
let owner: Awaited<ReturnType<typeof signUp>>;
let siteId: string;
let storeId: string;

const email = `md-${randomBytes(3).toString('hex')}@clinic.example.org`;
const password = 'master-data-password-2026';
const LOCALES: Locale[] = ['zh-CN', 'en'];
const T = (l: Locale, k: MessageKey, vars: Record<string, string | number> = {}) =>
  CATALOGUES[l][k].replace(/\{(\w+)\}/g, (m, v: string) => (v in vars ? String(vars[v]) : m));

/** A GTIN-14 with its GS1 check digit, from 13 digits. */
function gtin14(body13: string): string {
  const sum = [...body13].reduce((a, d, i) => a + Number(d) * (i % 2 === 0 ? 3 : 1), 0);
  return `${body13}${(10 - (sum % 10)) % 10}`;
}

async function api<T>(method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown): Promise<T> {
  const r = await server.t.app.inject({
    method,
    url,
    headers: owner.headers,
    ...(payload ? { payload } : {}),
  });
  expect(r.statusCode, r.body).toBeLessThan(300);
  return r.json() as T;
}

async function signIn(page: Page, locale: Locale) {
  await page.goto('/login');
  await page.evaluate((l) => localStorage.setItem('medstock.locale', l), locale);
  await page.reload();
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', password);
  await page.click('form button[type=submit]');
  await page.waitForSelector('[data-page=dashboard]');
}

beforeAll(async () => {
  web = await buildWeb();
  server = await startWebServer(web.dir, { QUEUE_PREFIX: `md${randomBytes(4).toString('hex')}` });
  browser = await launchChromium();
  owner = await signUp(server.t, { organizationName: '青山社区卫生服务中心', email, password });
  ({ siteId, locationId: storeId } = await centralStore(server.t, owner.headers));
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
  web?.remove();
});

describe('master data in Chromium', { timeout: 240_000 }, () => {
  for (const locale of LOCALES) {
    it(`creates and edits an item with its 医保耗材编码 (${locale})`, async () => {
      const { page, errors } = await newPage(browser, server.base);
      await signIn(page, locale);
      await page.click('nav a[href="/master-data"]');
      await page.waitForSelector(
        `[data-page=master-data-items] h1:has-text("${T(locale, 'nav.masterData')}")`,
      );
      await page.click(`button:has-text("${T(locale, 'md.items.new')}")`);
      const form = page.locator('[data-testid=item-form]');
      const code = `SYR-${locale}`;
      await form.locator('input[name=code]').fill(code);
      await form.locator('input[name=nameZh]').fill('一次性使用无菌注射器 5ml');
      await form.locator('input[name=nameEn]').fill('Sterile syringe 5 ml');
      await form.locator('input[name=baseUnitZh]').fill('支');
      await form.locator('input[name=baseUnitEn]').fill('piece');
      await form.locator('input[name=nhsaCode]').fill('C12345');
      expect(await unlabelledControls(page)).toEqual([]);
      await form.locator('button[type=submit]').click();
      // The server's problem, in the reader's language, under the field.
      const nhsaError = form
        .locator('.field', { has: page.locator('[name=nhsaCode]') })
        .locator('.error-text');
      await nhsaError.waitFor();
      const box = await form.locator('.error-box').textContent();
      expect(box).toContain(locale === 'zh-CN' ? '医保' : 'NHSA');
      await form.locator('input[name=nhsaCode]').fill('c1401010770000010475');
      await form.locator('button[type=submit]').click();
      await page.waitForSelector(`h2:has-text("${T(locale, 'md.items.editTitle', { code })}")`);
      // A starter catalogue may list hundreds of items: find it the way a person would.
      await page.fill('input[name=q]', code);
      await page.press('input[name=q]', 'Enter');
      const row = page.locator('[data-testid=md-items-table] tr', { hasText: code });
      await row.waitFor();
      expect(await row.textContent()).toContain('C1401010770000010475');
      await screenshot(page, `master-data-items.${locale}`);

      // Edit: the full 27-character code and a UDI-DI.
      await form.locator('input[name=nhsaCode]').fill('C14010107700000104751234567');
      await form.locator('input[name=udiDi]').fill('06901234567892');
      await form.locator('button[type=submit]').click();
      await page.waitForSelector('[data-testid=md-items-table] tr:has-text("C14010107700000104751234567")');
      const items = await api<{ items: { code: string; nhsaCode: string; udiDi: string }[] }>(
        'GET',
        `/v1/items?q=${code}`,
      );
      expect(items.items[0]).toMatchObject({
        code,
        nhsaCode: 'C14010107700000104751234567',
        udiDi: '06901234567892',
      });

      await page.click('.side-nav a[href="/master-data/suppliers"]');
      await page.waitForSelector('[data-page=master-data-suppliers] [data-testid=supplier-form]');
      await page.fill('[data-testid=supplier-form] input[name=code]', `国药-${locale}`);
      await page.fill('[data-testid=supplier-form] input[name=name]', '国药控股');
      await page.click('[data-testid=supplier-form] button[type=submit]');
      await page.waitForSelector(`[data-testid=md-suppliers-table] tr:has-text("国药-${locale}")`);
      await screenshot(page, `master-data-suppliers.${locale}`);
      // The refused code above is the one failed request.
      expect(errors.filter((e) => !e.includes('status of 422'))).toEqual([]);
      await page.context().close();
    });

    it(`links an unknown scanned barcode to an item, then the scan finds it (${locale})`, async () => {
      const itemCode = `GLOVE-${locale}`;
      const itemId = await insertItem(server.t, owner.organizationId, {
        code: itemCode,
        packUnits: [{ code: 'box', factor: 100 }],
      });
      const gtin = gtin14(locale === 'zh-CN' ? '0690123400001' : '0690123400002');
      const { page, errors } = await newPage(browser, server.base);
      await signIn(page, locale);
      await page.click('nav a[href="/movements"]');
      await page.waitForSelector('input[name=scan]');
      await page.fill('input[name=scan]', `(01)${gtin}(10)LOT-${locale}(17)311231`);
      await page.press('input[name=scan]', 'Tab');
      const link = page.locator('[data-testid=link-gtin]');
      await link.waitFor();
      expect(await link.textContent()).toContain(T(locale, 'linkGtin.unknown', { gtin }));
      await link.locator('input[name=item]').fill(itemCode);
      await link.locator(`.picker-list button:has-text("${itemCode}")`).click();
      await link.locator('select[name=linkGtinUnit]').selectOption('box');
      await screenshot(page, `movements-link-gtin.${locale}`);
      await link.locator(`button:has-text("${T(locale, 'linkGtin.link')}")`).click();
      await page.waitForSelector('[data-testid=scan-recognised]');
      expect(await page.locator('[data-testid=scan-recognised]').textContent()).toContain(itemCode);
      expect(await link.count()).toBe(0);
      const item = await api<{ gtins: { gtin: string; unitCode: string }[] }>('GET', `/v1/items/${itemId}`);
      expect(item.gtins).toEqual([{ gtin, unitCode: 'box' }]);
      expect(errors).toEqual([]);
      await page.context().close();
    });

    it(`renames and deactivates a location with a confirmation, refusing one with stock (${locale})`, async () => {
      const ward = await api<{ id: string }>('POST', `/v1/sites/${siteId}/locations`, {
        code: `W-${locale}`,
        name: `Ward ${locale}`,
        kind: 'ward',
      });
      const full = await api<{ id: string }>('POST', `/v1/sites/${siteId}/locations`, {
        code: `F-${locale}`,
        name: `Full ${locale}`,
        kind: 'ward',
      });
      const item = await insertItem(server.t, owner.organizationId, { code: `GAUZE-${locale}` });
      await api('POST', '/v1/movements', {
        type: 'receipt',
        itemId: item,
        locationId: full.id,
        quantity: 3,
        lotNumber: 'G1',
        expiryDate: '2031-12-31',
      });
      const { page, errors } = await newPage(browser, server.base);
      await signIn(page, locale);
      await page.goto('/settings/sites');
      const row = page.locator('tr', { hasText: `W-${locale}` });
      await row.waitFor();
      await row.locator(`button:has-text("${T(locale, 'sites.rename')}")`).click();
      const newName = locale === 'zh-CN' ? '内科三病区' : 'Medical ward 3';
      await row.locator('input[name=rename]').fill(newName);
      await row.locator('button[type=submit]').click();
      await page.waitForSelector(`tr:has-text("${newName}")`);
      const renamed = page.locator('tr', { hasText: newName });
      await renamed.locator(`button:has-text("${T(locale, 'sites.deactivate')}")`).click();
      const dialog = page.locator('[data-testid=confirm-dialog]');
      await dialog.waitFor();
      expect(await dialog.textContent()).toContain(T(locale, 'sites.deactivateLocationTitle'));
      await screenshot(page, `settings-sites-deactivate.${locale}`);
      await dialog.locator('button[type=submit]').click();
      await renamed.locator(`.badge:has-text("${T(locale, 'md.inactive')}")`).waitFor();
      const locations = await api<{ items: { id: string; name: string; active: boolean }[] }>(
        'GET',
        `/v1/sites/${siteId}/locations`,
      );
      expect(locations.items.find((l) => l.id === ward.id)).toMatchObject({ name: newName, active: false });

      // One that holds stock is refused; the dialog says why, in the reader's language.
      const fullRow = page.locator('tr', { hasText: `F-${locale}` });
      await fullRow.locator(`button:has-text("${T(locale, 'sites.deactivate')}")`).click();
      await dialog.locator('button[type=submit]').click();
      const refusal = dialog.locator('.error-box');
      await refusal.waitFor();
      expect(await refusal.textContent()).toContain(locale === 'zh-CN' ? '库存' : 'stock');
      await dialog.locator(`button:has-text("${T(locale, 'confirm.back')}")`).click();
      expect(await dialog.count()).toBe(0);
      await screenshot(page, `settings-sites.${locale}`);
      expect(errors.filter((e) => !e.includes('status of 409'))).toEqual([]);
      await page.context().close();
    });

    it(`removes a member with a reason, shown with who and when (${locale})`, async () => {
      const leaver = await addMember(server.t, owner.headers, 'nurse');
      const { page, errors } = await newPage(browser, server.base);
      await signIn(page, locale);
      await page.goto('/settings/users');
      const row = page.locator('[data-testid=users-table] tr', { hasText: leaver.email });
      await row.waitFor();
      await row.locator(`button:has-text("${T(locale, 'users.remove')}")`).click();
      const dialog = page.locator('[data-testid=confirm-dialog]');
      await dialog.waitFor();
      // No reason, no removal.
      expect(await dialog.locator('button[type=submit]').isDisabled()).toBe(true);
      const reason = locale === 'zh-CN' ? '调往其他院区' : 'Moved to another clinic';
      await dialog.locator('textarea[name=reason]').fill(reason);
      await dialog.locator('button[type=submit]').click();
      const removals = page.locator('[data-testid=removals-table]');
      await removals.locator('tr', { hasText: leaver.email }).waitFor();
      expect(await removals.textContent()).toContain(reason);
      expect(await page.locator('[data-testid=users-table] tr', { hasText: leaver.email }).count()).toBe(0);
      await screenshot(page, `settings-users.${locale}`);
      expect(errors).toEqual([]);
      await page.context().close();
    });

    it(`shows an item's stock card: lots, chart, movements with who (${locale})`, async () => {
      const item = await insertItem(server.t, owner.organizationId, { code: `CARD-${locale}` });
      for (const [lot, qty] of [
        ['CA1', 10],
        ['CA2', 4],
      ] as const)
        await api('POST', '/v1/movements', {
          type: 'receipt',
          itemId: item,
          locationId: storeId,
          quantity: qty,
          lotNumber: lot,
          expiryDate: '2031-12-31',
        });
      await api('POST', '/v1/movements', {
        type: 'issue',
        itemId: item,
        locationId: storeId,
        quantity: 3,
        lotNumber: 'CA1',
        reference: 'REQ-7',
      });
      const empty = await insertItem(server.t, owner.organizationId, { code: `NONE-${locale}` });
      const { page, errors } = await newPage(browser, server.base);
      await signIn(page, locale);
      await page.goto('/stock?tab=catalogue');
      await page.click(`[data-testid=catalogue-table] a:has-text("CARD-${locale}")`);
      await page.waitForSelector('[data-page=stock-card] [data-testid=stock-card-lots]');
      expect(await page.locator('[data-testid=stock-card-on-hand]').textContent()).toContain('11');
      const lots = await page.locator('[data-testid=stock-card-lots] tbody tr').allTextContents();
      expect(lots).toHaveLength(2);
      expect(lots.join('|')).toMatch(/CA1.*7/);
      await page.waitForSelector('[data-page=stock-card] .chart canvas');
      const moves = page.locator('[data-testid=stock-card-movements] tbody tr');
      await moves.first().waitFor();
      expect(await moves.count()).toBe(3);
      const first = await moves.first().textContent();
      expect(first).toContain(T(locale, 'movementType.issue'));
      expect(first).toContain('REQ-7');
      expect(first).toContain('11');
      expect(first).not.toContain(T(locale, 'stockCard.system'));
      await screenshot(page, `stock-card.${locale}`);

      await page.goto(`/items/${empty}`);
      await page.waitForSelector(
        `[data-page=stock-card] .empty:has-text("${T(locale, 'stockCard.noData')}")`,
      );
      expect(errors).toEqual([]);
      await page.context().close();
    });

    it(`ends another sign-in session with a confirmation; schedules and cancels a procedure (${locale})`, async () => {
      const other = await apiLogin(server.base, email, password);
      const { page, errors } = await newPage(browser, server.base);
      await signIn(page, locale);
      await page.goto('/settings/sessions');
      const rows = page.locator('[data-testid=sessions-table] tbody tr');
      await rows.first().waitFor();
      const before = await rows.count();
      expect(before).toBeGreaterThanOrEqual(2);
      expect(
        await page
          .locator(`[data-testid=sessions-table] .badge:has-text("${T(locale, 'sessions.current')}")`)
          .count(),
      ).toBe(1);
      await page
        .locator(`[data-testid=sessions-table] button:has-text("${T(locale, 'sessions.revoke')}")`)
        .first()
        .click();
      const dialog = page.locator('[data-testid=confirm-dialog]');
      await dialog.waitFor();
      expect(await dialog.textContent()).toContain(T(locale, 'sessions.revokeTitle'));
      await dialog.locator('button[type=submit]').click();
      await page.waitForFunction(
        (n) => document.querySelectorAll('[data-testid=sessions-table] tbody tr').length === n - 1,
        before,
      );
      // Sessions are revoked newest first here: keep revoking until the API login's is gone.
      for (
        let i = 0;
        i < before && (await fetch(`${server.base}/v1/me`, { headers: other.headers })).ok;
        i++
      ) {
        await page
          .locator(`[data-testid=sessions-table] button:has-text("${T(locale, 'sessions.revoke')}")`)
          .first()
          .click();
        await dialog.locator('button[type=submit]').click();
        await dialog.waitFor({ state: 'detached' });
      }
      expect((await fetch(`${server.base}/v1/me`, { headers: other.headers })).status).toBe(401);

      const kitItem = await insertItem(server.t, owner.organizationId, { code: `KIT-${locale}` });
      await api('POST', '/v1/procedure-types', {
        code: `PT-${locale}`,
        nameZh: '白内障手术',
        nameEn: 'Cataract surgery',
        kit: [{ itemId: kitItem, quantity: 2 }],
      });
      await page.click('nav a[href="/procedures"]');
      const form = page.locator('[data-testid=schedule-form]');
      await form.waitFor();
      await form
        .locator('select[name=procedureTypeId]')
        .selectOption({ label: `PT-${locale} ${locale === 'zh-CN' ? '白内障手术' : 'Cataract surgery'}` });
      await form.locator('select[name=locationId]').selectOption(storeId);
      await form.locator('input[name=scheduledFor]').fill('2031-03-01');
      await form.locator('button[type=submit]').click();
      const row = page.locator('[data-testid=procedures-table] tr', { hasText: `PT-${locale}` });
      await row.waitFor();
      await row.locator(`button:has-text("${T(locale, 'proc.cancel')}")`).click();
      await dialog.waitFor();
      await dialog.locator('button[type=submit]').click();
      await row.waitFor({ state: 'detached' });
      await page.selectOption('select[name=status]', 'cancelled');
      await page.locator('[data-testid=procedures-table] tr', { hasText: `PT-${locale}` }).waitFor();
      await screenshot(page, `procedures.${locale}`);
      expect(errors).toEqual([]);
      await page.context().close();
    });

    it(`changes a member's role and sites, the organisation, an item's supplier terms; applies a starter catalogue (${locale})`, async () => {
      const member = await addMember(server.t, owner.headers, 'storekeeper');
      const { page, errors } = await newPage(browser, server.base);
      await signIn(page, locale);
      await page.goto('/settings/users');
      const row = page.locator('[data-testid=users-table] tr', { hasText: member.email });
      await row.locator(`button:has-text("${T(locale, 'users.edit')}")`).click();
      const form = page.locator('[data-testid=member-form]');
      await form.locator('select[name=memberRole]').selectOption('purchaser');
      await form.locator('input[name=allSites]').uncheck();
      await form.locator('input[type=checkbox]').nth(1).check();
      await form.locator('button[type=submit]').click();
      await form.waitFor({ state: 'detached' });
      const users = await api<{ items: { id: string; role: string; siteIds: string[] | null }[] }>(
        'GET',
        '/v1/users',
      );
      expect(users.items.find((u) => u.id === member.id)).toMatchObject({
        role: 'purchaser',
        siteIds: [siteId],
      });

      await page.goto('/settings/organization');
      const org = page.locator('[data-testid=organization-form]');
      await org.waitFor();
      await org.locator('input[name=name]').fill(`青山社区卫生服务中心 ${locale}`);
      await org.locator('select[name=timezone]').selectOption('Asia/Urumqi');
      await org.locator('button[type=submit]').click();
      await org.locator('.success').waitFor();
      // The header follows the new name.
      await page.waitForSelector(`.who:has-text("青山社区卫生服务中心 ${locale}")`);
      expect(await api('GET', '/v1/organization')).toMatchObject({ timezone: 'Asia/Urumqi' });
      await api('PATCH', '/v1/organization', { timezone: 'Asia/Shanghai' });

      await page.goto('/master-data/items');
      await page.fill('input[name=q]', `SYR-${locale}`);
      await page.press('input[name=q]', 'Enter');
      const itemRow = page.locator('[data-testid=md-items-table] tr', { hasText: `SYR-${locale}` });
      await itemRow.locator(`button:has-text("${T(locale, 'md.edit')}")`).click();
      const terms = page.locator(`form[aria-label="${T(locale, 'md.terms.set')}"]`);
      await terms.waitFor();
      await terms.locator('select[name=termSupplier]').selectOption({ label: `国药-${locale} 国药控股` });
      await terms.locator('input[name=packPrice]').fill('12.5');
      await terms.locator('input[name=preferred]').check();
      await terms.locator('button[type=submit]').click();
      const termRow = page.locator('[data-testid=terms-table] tr', { hasText: '国药控股' });
      await termRow.waitFor();
      expect(await termRow.textContent()).toContain(T(locale, 'md.terms.preferred'));

      const template = page.locator('select[name=template]');
      await template.selectOption({ index: 1 });
      await page.click(`button:has-text("${T(locale, 'md.template.apply')}")`);
      await page.locator('[data-testid=template-result]').waitFor();
      const result = await page.locator('[data-testid=template-result]').textContent();
      // Applied once (the first language) it adds items; again, it adds none and changes nothing.
      if (locale === 'zh-CN') expect(result).toMatch(/^新增 \d+ 种耗材；\d+ 种已存在/);
      else expect(result).toMatch(/^0 items added/);
      expect(errors).toEqual([]);
      await page.context().close();
    });

    it(`lists the changes in the audit log, in words (${locale})`, async () => {
      const { page, errors } = await newPage(browser, server.base);
      await signIn(page, locale);
      await page.click('nav a[href="/audit"]');
      await page.waitForSelector('[data-page=audit] [data-testid=audit-table] tbody tr');
      const text = await page.locator('[data-testid=audit-table]').textContent();
      expect(text).toContain(`${T(locale, 'audit.method.PATCH')} · ${T(locale, 'audit.area.locations')}`);
      expect(text).toContain(`${T(locale, 'audit.method.DELETE')} · ${T(locale, 'audit.area.users')}`);
      expect(text).toContain(T(locale, 'audit.ok'));
      await screenshot(page, `audit.${locale}`);
      for (const [path, pageId] of [
        ['/anomalies', 'anomalies'],
        ['/settings/organization', 'settings-organization'],
        ['/settings/sessions', 'settings-sessions'],
      ] as const) {
        await page.goto(path);
        await page.waitForSelector(`[data-page=${pageId}]`);
        await page.waitForLoadState('networkidle');
        expect(await page.locator('.error-box').count(), path).toBe(0);
        await screenshot(page, `${pageId}.${locale}`);
      }
      await page.waitForSelector('[data-testid=sessions-table] tbody tr');
      expect(errors).toEqual([]);
      await page.context().close();
    });
  }
});
