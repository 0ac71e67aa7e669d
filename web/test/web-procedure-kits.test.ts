import { randomBytes } from 'node:crypto';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertItem } from '../../api/test/support/fixtures.ts';
import { addMember } from '../../api/test/support/members.ts';
import { PASSWORD, signUp } from '../../api/test/support/test-app.ts';
import { CATALOGUES, type Locale, type MessageKey } from '../src/i18n/i18n.tsx';
import {
  buildWeb,
  launchChromium,
  newPage,
  startWebServer,
  unlabelledControls,
  type WebServer,
} from './support/harness.ts';

/**
 * Procedure kits (手术包) in Chromium, in 简体中文 and in English: a procedure type created with
 * its kit on the page, then its kit edited (a quantity changed, an item added, items removed) and
 * saved whole, asking first because lines go; a line whose item was deactivated meanwhile is
 * refused beside the line in the reader's language and nothing is saved; what the API keeps
 * afterwards is exactly the kit saved. A purchaser (no stock:write) sees the kit but no way to
 * edit it, and the API refuses the purchaser's and a viewer's PUT.
 */
let web: { dir: string; remove(): void };
let server: WebServer;
let browser: Browser;
let owner: Awaited<ReturnType<typeof signUp>>;

const email = `kits-${randomBytes(3).toString('hex')}@clinic.example.org`;
const password = 'procedure-kits-password-2026';
const LOCALES: Locale[] = ['zh-CN', 'en'];
const T = (l: Locale, k: MessageKey, vars: Record<string, string | number> = {}) =>
  CATALOGUES[l][k].replace(/\{(\w+)\}/g, (m, v: string) => (v in vars ? String(vars[v]) : m));

interface KitLineJson {
  itemId: string;
  itemCode: string;
  quantity: number;
}
interface ProcedureTypeJson {
  id: string;
  code: string;
  kit: KitLineJson[];
}

async function api<R>(
  method: 'GET' | 'POST' | 'PATCH' | 'PUT',
  url: string,
  payload?: unknown,
  headers: Record<string, string> = owner.headers,
): Promise<{ status: number; body: R }> {
  const r = await server.t.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
  return { status: r.statusCode, body: r.json() as R };
}

const kitOf = async (id: string) => {
  const r = await api<ProcedureTypeJson>('GET', `/v1/procedure-types/${id}`);
  expect(r.status).toBe(200);
  return r.body.kit.map((k) => ({ itemCode: k.itemCode, quantity: k.quantity }));
};

async function signIn(page: Page, locale: Locale, who = email, pass = password) {
  await page.goto('/login');
  await page.evaluate((l) => localStorage.setItem('medstock.locale', l), locale);
  await page.reload();
  await page.fill('input[name=email]', who);
  await page.fill('input[name=password]', pass);
  await page.click('form button[type=submit]');
  await page.waitForSelector('[data-page=dashboard]');
}

/** Picks an item in a kit editor the way a person does: types its code, clicks the match. */
async function addLine(editor: Locator, code: string, quantity: number, locale: Locale) {
  await editor.locator('input[name=item]').fill(code);
  await editor.locator(`.picker-list button:has-text("${code}")`).click();
  // The quantity is in the item's base unit, and the field says which (支 / piece).
  const unit = locale === 'zh-CN' ? '支' : 'piece';
  await editor.locator(`label:has-text("${T(locale, 'proc.kitQtyIn', { unit })}")`).waitFor();
  await editor.locator('input[name=kitQty]').fill(String(quantity));
  await editor.locator(`button:has-text("${T(locale, 'proc.addKitLine')}")`).click();
  await editor.locator(`li[data-item="${code}"]`).waitFor();
}

beforeAll(async () => {
  web = await buildWeb();
  server = await startWebServer(web.dir, { QUEUE_PREFIX: `pk${randomBytes(4).toString('hex')}` });
  browser = await launchChromium();
  owner = await signUp(server.t, { organizationName: '青山社区卫生服务中心', email, password });
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
  web?.remove();
});

describe('procedure kits in Chromium', { timeout: 240_000 }, () => {
  for (const locale of LOCALES) {
    it(`creates a kit, then edits and saves it whole, asking before lines go (${locale})`, async () => {
      const code = (x: string) => `KIT-${x}-${locale}`;
      const ids: Record<string, string> = {};
      for (const x of ['A', 'B', 'C', 'D'])
        ids[x] = await insertItem(server.t, owner.organizationId, { code: code(x) });
      const typeCode = `LC-${locale}`;
      const { page, errors } = await newPage(browser, server.base);
      await signIn(page, locale);
      await page.click('nav a[href="/procedures"]');
      await page.waitForSelector('[data-page=procedures]');

      // Created on the page, through the same kit editor.
      const create = page.locator(`form[aria-label="${T(locale, 'proc.newKit')}"]`);
      await create.locator('input[name=code]').fill(typeCode);
      await create.locator('input[name=nameZh]').fill('腹腔镜胆囊切除术');
      await create.locator('input[name=nameEn]').fill('Laparoscopic cholecystectomy');
      const createEditor = create.locator('[data-testid=kit-editor]');
      await addLine(createEditor, code('A'), 2, locale);
      await addLine(createEditor, code('B'), 3, locale);
      await addLine(createEditor, code('C'), 1, locale);
      await create.locator(`button:has-text("${T(locale, 'proc.createKit')}")`).click();
      const kit = page.locator(`details[data-code="${typeCode}"]`);
      await kit.waitFor();
      const list = await api<{ items: ProcedureTypeJson[] }>('GET', '/v1/procedure-types?limit=200');
      const type = list.body.items.find((p) => p.code === typeCode)!;
      expect(await kitOf(type.id)).toEqual([
        { itemCode: code('A'), quantity: 2 },
        { itemCode: code('B'), quantity: 3 },
        { itemCode: code('C'), quantity: 1 },
      ]);
      const typeLabel = `${typeCode} ${locale === 'zh-CN' ? '腹腔镜胆囊切除术' : 'Laparoscopic cholecystectomy'}`;

      // Edit: A 2 → 5, B removed, D × 4 added.
      await kit.locator('summary').click();
      await kit.locator(`button:has-text("${T(locale, 'proc.kitEdit')}")`).click();
      const form = kit.locator('[data-testid=kit-edit-form]');
      expect(await form.getAttribute('aria-label')).toBe(T(locale, 'proc.kitEditTitle', { type: typeLabel }));
      expect(await form.locator('input[name=kitLineQty]').count()).toBe(3);
      expect(await unlabelledControls(page)).toEqual([]);
      await form.locator(`li[data-item="${code('A')}"] input[name=kitLineQty]`).fill('5');
      await form
        .locator(`li[data-item="${code('B')}"] button:has-text("${T(locale, 'proc.kitRemoveLine')}")`)
        .click();
      expect(await form.locator(`li[data-item="${code('B')}"]`).count()).toBe(0);
      await addLine(form, code('D'), 4, locale);

      // C is deactivated meanwhile: the save is refused beside C's line, in the reader's language.
      const off = await api('PATCH', `/v1/items/${ids.C}`, { active: false });
      expect(off.status).toBe(200);
      await form.locator(`button:has-text("${T(locale, 'proc.kitSave')}")`).click();
      const dialog = page.locator('[data-testid=confirm-dialog]');
      await dialog.waitFor();
      expect(await dialog.locator('h2').textContent()).toBe(T(locale, 'proc.kitRemoveTitle'));
      const bName = locale === 'zh-CN' ? `耗材 ${code('B')}` : `Item ${code('B')}`;
      expect(await dialog.locator('p').textContent()).toBe(
        T(locale, 'proc.kitRemoveConfirm', { type: typeLabel, items: `${code('B')} ${bName}` }),
      );
      await dialog.locator(`button:has-text("${T(locale, 'proc.kitRemoveSubmit')}")`).click();
      const cError = form.locator(`li[data-item="${code('C')}"] .error-text`);
      await cError.waitFor();
      expect(await cError.textContent()).toBe(locale === 'zh-CN' ? '该耗材已停用' : 'the item is inactive');
      expect(await form.locator('.error-box strong').textContent()).toBe(
        locale === 'zh-CN' ? '有的明细填写有误，均未保存。' : 'Some lines are not valid; nothing was saved.',
      );
      expect(await dialog.count()).toBe(0);
      expect(await kitOf(type.id)).toEqual([
        { itemCode: code('A'), quantity: 2 },
        { itemCode: code('B'), quantity: 3 },
        { itemCode: code('C'), quantity: 1 },
      ]);

      // C goes too; the confirmation names both lines that go, and the kit is saved.
      await form
        .locator(`li[data-item="${code('C')}"] button:has-text("${T(locale, 'proc.kitRemoveLine')}")`)
        .click();
      await form.locator(`button:has-text("${T(locale, 'proc.kitSave')}")`).click();
      await dialog.waitFor();
      expect(await dialog.locator('p').textContent()).toContain(code('C'));
      await dialog.locator(`button:has-text("${T(locale, 'proc.kitRemoveSubmit')}")`).click();
      const saved = kit.locator('[data-testid=kit-saved]');
      await saved.waitFor();
      expect(await saved.textContent()).toBe(T(locale, 'proc.kitSaved', { type: typeLabel }));
      expect(await form.count()).toBe(0);
      expect(await kitOf(type.id)).toEqual([
        { itemCode: code('A'), quantity: 5 },
        { itemCode: code('D'), quantity: 4 },
      ]);
      await kit.locator(`summary:has-text("${T(locale, 'proc.kitLines', { n: 2 })}")`).waitFor();
      expect(await kit.locator('ul li').allTextContents()).toEqual([
        `${code('A')} ${locale === 'zh-CN' ? '耗材' : 'Item'} ${code('A')} × 5 ${locale === 'zh-CN' ? '支' : 'piece'}`,
        `${code('D')} ${locale === 'zh-CN' ? '耗材' : 'Item'} ${code('D')} × 4 ${locale === 'zh-CN' ? '支' : 'piece'}`,
      ]);

      // Only a quantity changes: nothing goes, so no question is asked.
      await kit.locator(`button:has-text("${T(locale, 'proc.kitEdit')}")`).click();
      await form.locator(`li[data-item="${code('D')}"] input[name=kitLineQty]`).fill('6');
      await form.locator(`button:has-text("${T(locale, 'proc.kitSave')}")`).click();
      await saved.waitFor();
      expect(await dialog.count()).toBe(0);
      expect(await kitOf(type.id)).toEqual([
        { itemCode: code('A'), quantity: 5 },
        { itemCode: code('D'), quantity: 6 },
      ]);
      // The refused save above is the one failed request.
      expect(errors.filter((e) => !e.includes('status of 422'))).toEqual([]);
      expect(errors.filter((e) => e.includes('status of 422'))).toHaveLength(1);
      await page.context().close();
    });
  }

  it('a purchaser sees the kit but cannot edit it; the API refuses a purchaser and a viewer', async () => {
    const itemId = await insertItem(server.t, owner.organizationId, { code: 'KIT-RO' });
    const created = await api<ProcedureTypeJson>('POST', '/v1/procedure-types', {
      code: 'RO-KIT',
      nameZh: '清创缝合术',
      nameEn: 'Debridement and suture',
      kit: [{ itemId, quantity: 2 }],
    });
    expect(created.status).toBe(201);
    // The item's own word for its base unit comes with the kit line (支, not the code's 个).
    expect(created.body.kit).toMatchObject([
      { itemCode: 'KIT-RO', baseUnit: 'piece', baseUnitName: { zh: '支', en: 'piece' }, quantity: 2 },
    ]);
    const purchaser = await addMember(server.t, owner.headers, 'purchaser');
    const viewer = await addMember(server.t, owner.headers, 'viewer');

    const { page, errors } = await newPage(browser, server.base);
    await signIn(page, 'zh-CN', purchaser.email, PASSWORD);
    await page.goto('/procedures');
    const kit = page.locator('details[data-code="RO-KIT"]');
    await kit.waitFor();
    await kit.locator('summary').click();
    expect(await kit.locator('ul li').allTextContents()).toEqual(['KIT-RO 耗材 KIT-RO × 2 支']);
    expect(await kit.locator('[data-testid=kit-edit]').count()).toBe(0);
    expect(await page.locator(`button:has-text("${T('zh-CN', 'proc.kitEdit')}")`).count()).toBe(0);
    expect(await page.locator('[data-testid=kit-editor]').count()).toBe(0);
    expect(await page.locator(`form[aria-label="${T('zh-CN', 'proc.newKit')}"]`).count()).toBe(0);
    expect(errors).toEqual([]);
    await page.context().close();

    // An owner's session on the same page does see the control (the check above can fail).
    const ownerPage = await newPage(browser, server.base);
    await signIn(ownerPage.page, 'zh-CN');
    await ownerPage.page.goto('/procedures');
    const ownerKit = ownerPage.page.locator('details[data-code="RO-KIT"]');
    await ownerKit.waitFor();
    await ownerKit.locator('summary').click();
    expect(await ownerKit.locator('[data-testid=kit-edit]').count()).toBe(1);
    await ownerPage.context.close();

    for (const who of [purchaser, viewer]) {
      const put = await api<{ code: string }>(
        'PUT',
        `/v1/procedure-types/${created.body.id}/kit`,
        { items: [] },
        who.headers,
      );
      expect(put.status).toBe(403);
    }
    expect(await kitOf(created.body.id)).toEqual([{ itemCode: 'KIT-RO', quantity: 2 }]);
  });
});
