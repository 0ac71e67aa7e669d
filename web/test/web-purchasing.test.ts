import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertDailyHistory, insertSupplierTerms } from '../../api/test/support/engine-fixtures.ts';
import { centralStore, insertItem } from '../../api/test/support/fixtures.ts';
import { type AddedMember, addMember } from '../../api/test/support/members.ts';
import { tenantQuery } from '../../api/test/support/purchasing-fixtures.ts';
import { signUp } from '../../api/test/support/test-app.ts';
import { recalculateItems } from '../../worker/src/engine/recalculate.ts';
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
 * A purchaser's day in Chromium, once in 简体中文 and once in English: the purchase suggestion
 * (edited: more packs), drafted into a purchase order, the draft edited (quantity and price),
 * approved by a second purchaser (four eyes), the approver shown, the PDF downloaded, the order
 * e-mailed to the supplier (the message and its PDF read back from the test's SMTP server), then
 * received. A storekeeper sees "not allowed" instead of "nothing to buy"; the supplier-performance
 * page shows what the receipts measured, with its definitions.
 */
let web: { dir: string; remove(): void };
let server: WebServer;
let browser: Browser;
let owner: Awaited<ReturnType<typeof signUp>>;
let approver: AddedMember;
let storekeeper: AddedMember;
let locationId: string;

const email = `buyer-${randomBytes(3).toString('hex')}@clinic.example.org`;
const password = 'purchasing-day-password-2026';
const STOREKEEPER_PASSWORD = 'correct-horse-battery';

const DAYS = {
  'zh-CN': {
    item: 'PD-GAUZE',
    supplier: 'PD-ZH',
    supplierName: '国药器械（青山）',
    mail: 'orders@guoyao.example',
  },
  en: {
    item: 'PD-TAPE',
    supplier: 'PD-EN',
    supplierName: 'Medline Supplies',
    mail: 'orders@medline.example',
  },
} as const;

async function login(page: Page, who: string, pw: string) {
  await page.goto('/login');
  await page.fill('input[name=email]', who);
  await page.fill('input[name=password]', pw);
  await page.click('form button[type=submit]');
  await page.waitForSelector('[data-page=dashboard]');
}

beforeAll(async () => {
  web = await buildWeb();
  server = await startWebServer(web.dir, { QUEUE_PREFIX: `pd${randomBytes(4).toString('hex')}` });
  browser = await launchChromium();
  owner = await signUp(server.t, { organizationName: '青山社区卫生服务中心', email, password });
  ({ locationId } = await centralStore(server.t, owner.headers));
  for (const day of Object.values(DAYS)) {
    const itemId = await insertItem(server.t, owner.organizationId, { code: day.item, unitCost: 2 });
    const supplierId = await insertSupplierTerms(server.t, owner.organizationId, itemId, {
      code: day.supplier,
      packSize: 10,
      leadDays: 5,
    });
    await tenantQuery(
      server.t,
      owner.organizationId,
      sql`update suppliers set name = ${day.supplierName}, contact_email = ${day.mail} where id = ${supplierId}`,
    );
    await insertDailyHistory(server.t, owner.organizationId, itemId, locationId, 90, () => 10);
    const r = await server.t.app.inject({
      method: 'POST',
      url: '/v1/movements',
      headers: owner.headers,
      payload: {
        type: 'receipt',
        itemId,
        locationId,
        quantity: 20,
        lotNumber: `${day.item}-0`,
        expiryDate: '2031-06-30',
      },
    });
    expect(r.statusCode, r.body).toBe(201);
    await recalculateItems(server.t.deps.database, owner.organizationId, [{ itemId, locationId }]);
  }
  approver = await addMember(server.t, owner.headers, 'purchaser');
  storekeeper = await addMember(server.t, owner.headers, 'storekeeper');
}, 240_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
  web?.remove();
});

const W = {
  'zh-CN': {
    suggestionsTab: '采购建议',
    draft: '生成采购单草稿',
    draftStatus: '草稿',
    edit: '修改草稿',
    save: '保存草稿',
    approvedStatus: '已审批',
    approvedBy: '审批人',
    pdf: '下载 PDF',
    emailButton: '邮件发给供应商',
    send: '发送邮件',
    sentStatus: '已发送',
    receive: '收货',
    receivedStatus: '已到货',
    history: ['制单', '修改', '审批', '邮件发送', '发送', '收货'],
    subject: '采购订单',
    print: '打印预览',
    printTitle: '采购订单',
  },
  en: {
    suggestionsTab: 'Suggestions',
    draft: 'Create draft order',
    draftStatus: 'Draft',
    edit: 'Edit draft',
    save: 'Save draft',
    approvedStatus: 'Approved',
    approvedBy: 'Approved by',
    pdf: 'Download PDF',
    emailButton: 'E-mail to supplier',
    send: 'Send e-mail',
    sentStatus: 'Sent',
    receive: 'Receive',
    receivedStatus: 'Received',
    history: ['Created', 'Edited', 'Approved', 'E-mailed', 'Sent', 'Received'],
    subject: 'Purchase order',
    print: 'Print view',
    printTitle: 'Purchase order',
  },
} as const;

async function purchaserDay(page: Page, locale: 'zh-CN' | 'en') {
  const day = DAYS[locale];
  const w = W[locale];
  await page.click('nav a[href="/purchasing"]');
  await page.click(`[role=tab]:has-text("${w.suggestionsTab}")`);
  const group = page.locator('.supplier-group', { hasText: day.supplierName });
  await group.waitFor();
  // The suggestion, edited: two packs more than the engine proposed.
  const packs = group.locator(`input[name="packs-${day.item}"]`);
  const suggested = Number(await packs.inputValue());
  expect(suggested).toBeGreaterThan(0);
  await packs.fill(String(suggested + 2));
  expect(await unlabelledControls(page)).toEqual([]);
  await screenshot(page, `purchasing-suggestions.${locale}`);
  await group.locator(`button:has-text("${w.draft}")`).click();
  await page.waitForSelector(`[data-testid=po-status]:has-text("${w.draftStatus}")`);
  const poId = new URL(page.url()).searchParams.get('po')!;
  const drafted = (
    await server.t.app.inject({ method: 'GET', url: `/v1/purchase-orders/${poId}`, headers: owner.headers })
  ).json();
  expect(drafted.lines).toHaveLength(1);
  expect(drafted.lines[0].quantityOrdered).toBe((suggested + 2) * 10);

  // The draft, edited: 10 more pieces at a negotiated price.
  await page.click(`button:has-text("${w.edit}")`);
  const editor = page.locator('[data-testid=po-editor]');
  await editor.waitFor();
  await editor.locator('input[name=qty-0]').fill(String((suggested + 3) * 10));
  await editor.locator('input[name=price-0]').fill('0.85');
  expect(await unlabelledControls(page)).toEqual([]);
  await screenshot(page, `purchasing-edit.${locale}`);
  await editor.locator(`button[type=submit]:has-text("${w.save}")`).click();
  await editor.waitFor({ state: 'detached' });
  const edited = (
    await server.t.app.inject({ method: 'GET', url: `/v1/purchase-orders/${poId}`, headers: owner.headers })
  ).json();
  expect(edited.lines[0]).toMatchObject({ quantityOrdered: (suggested + 3) * 10, unitPrice: 0.85 });
  expect(edited.editedBy).toEqual([owner.userId]);

  // Four eyes: the owner drafted and edited it, a second purchaser approves.
  const approved = await server.t.app.inject({
    method: 'POST',
    url: `/v1/purchase-orders/${poId}/approve`,
    headers: approver.headers,
    payload: {},
  });
  expect(approved.statusCode, approved.body).toBe(200);
  await page.reload();
  await page.waitForSelector(`[data-testid=po-status]:has-text("${w.approvedStatus}")`);
  expect(await page.textContent('[data-testid=po-people]')).toContain(w.approvedBy);
  expect(await page.textContent('[data-testid=po-approver]')).toContain(approver.email);

  // The PDF, as the browser downloads it.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.click(`button:has-text("${w.pdf}")`),
  ]);
  expect(download.suggestedFilename()).toBe(`${edited.number}.pdf`);
  const pdf = readFileSync((await download.path())!);
  expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');

  // The print view.
  await page.click(`a:has-text("${w.print}")`);
  await page.waitForSelector(`[data-page=purchase-order-print] h1:has-text("${w.printTitle}")`);
  expect(await page.textContent('[data-page=purchase-order-print]')).toContain(day.supplierName);
  await screenshot(page, `purchase-order-print.${locale}`);
  await page.goBack();
  await page.waitForSelector(`[data-testid=po-status]:has-text("${w.approvedStatus}")`);

  // E-mail to the supplier, read back from the local SMTP server.
  await page.click(`button:has-text("${w.emailButton}")`);
  const dialog = page.locator('[data-testid=po-email]');
  await dialog.waitFor();
  expect(await unlabelledControls(page)).toEqual([]);
  await screenshot(page, `purchasing-email.${locale}`);
  await dialog.locator(`button[type=submit]:has-text("${w.send}")`).click();
  await page.waitForSelector('[data-testid=po-mailed]');
  expect(await page.textContent('[data-testid=po-mailed]')).toContain(day.mail);
  await page.waitForSelector(`[data-testid=po-status]:has-text("${w.sentStatus}")`);
  const mail = await server.t.mail.waitFor(day.mail, (m) => m.subject.includes(edited.number));
  expect(mail.subject).toContain(w.subject);
  expect(mail.attachments.map((a) => [a.filename, a.contentType])).toEqual([
    [`${edited.number}.pdf`, 'application/pdf'],
  ]);
  expect(mail.attachments[0]!.content.subarray(0, 5).toString()).toBe('%PDF-');

  // The goods arrive: received in full with their lot.
  const ordered = (suggested + 3) * 10;
  await page.fill(`input[name="receive-${day.item}"]`, String(ordered));
  const row = page.locator('tr', { has: page.locator(`input[name="receive-${day.item}"]`) });
  await row.locator('input[type=date]').fill('2031-12-31');
  await row.locator('input:not([type=number]):not([type=date])').first().fill(`${day.item}-LOT1`);
  await page.click(`button[type=submit]:has-text("${w.receive}")`);
  await page.waitForSelector('[data-testid=po-status] .po-received');
  expect(await page.textContent('[data-testid=po-status] .badge')).toBe(w.receivedStatus);
  const history = await page.locator('[data-testid=po-history] li strong').allTextContents();
  expect(history).toEqual(w.history);
  await screenshot(page, `purchasing-order.${locale}`);
}

describe('a purchaser’s day in Chromium', { timeout: 240_000 }, () => {
  it('suggestion → edit → PO → PDF → e-mail → receipt, in Chinese then in English', async () => {
    const { page, errors } = await newPage(browser, server.base);
    await login(page, email, password);
    await purchaserDay(page, 'zh-CN');

    await page.click('[data-testid=lang-toggle]');
    await page.waitForSelector('nav a[href="/purchasing"]:has-text("Purchasing")');
    await purchaserDay(page, 'en');

    // Supplier performance, in English, then in Chinese.
    await page.click('nav a[href="/supplier-performance"]');
    await page.waitForSelector('[data-page=supplier-performance] h1:has-text("Suppliers & lead times")');
    const en = page.locator('[data-testid=sp-table] tr[data-supplier=PD-EN]');
    await en.waitFor();
    expect(await page.textContent('[data-testid=sp-definitions]')).toContain('90th percentile');
    await screenshot(page, 'supplier-performance.en');
    await page.click('[data-testid=lang-toggle]');
    await page.waitForSelector('[data-page=supplier-performance] h1:has-text("供应商与交期")');
    const zhRow = page.locator('[data-testid=sp-table] tr[data-supplier=PD-ZH]');
    await zhRow.waitFor();
    // Received today, due in 5 days: on time.
    expect(await zhRow.textContent()).toContain('100%');
    expect(await page.textContent('[data-testid=sp-definitions]')).toContain('准时到货率');
    await screenshot(page, 'supplier-performance.zh-CN');
    expect(errors).toEqual([]);
  });

  it('cancelling an order asks for a confirmation and a reason, in both languages', async () => {
    const { page, errors } = await newPage(browser, server.base);
    await login(page, email, password);
    const itemId = await insertItem(server.t, owner.organizationId, { code: 'PD-CANCEL', unitCost: 1 });
    const supplierId = (
      await tenantQuery<{ id: string }>(
        server.t,
        owner.organizationId,
        sql`select id from suppliers where code = ${DAYS['zh-CN'].supplier}`,
      )
    )[0]!.id;
    const words = {
      'zh-CN': { button: '取消采购单', confirm: '确认取消采购单', reason: '供应商停产', action: '取消' },
      en: {
        button: 'Cancel order',
        confirm: 'Cancel the order',
        reason: 'Supplier discontinued it',
        action: 'Cancelled',
      },
    } as const;
    for (const locale of ['zh-CN', 'en'] as const) {
      const w = words[locale];
      const po = (
        await server.t.app.inject({
          method: 'POST',
          url: '/v1/purchase-orders',
          headers: owner.headers,
          payload: { supplierId, locationId, lines: [{ itemId, quantity: 5 }] },
        })
      ).json();
      await page.goto(`/purchasing?po=${po.id}`);
      await page.waitForSelector('[data-testid=po-status] .po-draft');
      await page.click(`.po-actions button:has-text("${w.button}")`);
      const dialog = page.locator('[data-testid=confirm-dialog]');
      await dialog.waitFor();
      const confirm = dialog.locator(`button[type=submit]:has-text("${w.confirm}")`);
      // No reason, no cancellation.
      expect(await confirm.isDisabled()).toBe(true);
      await dialog.locator('textarea[name=reason]').fill(w.reason);
      expect(await unlabelledControls(page)).toEqual([]);
      await screenshot(page, `purchasing-cancel.${locale}`);
      await confirm.click();
      await page.waitForSelector('[data-testid=po-status] .po-cancelled');
      expect(await page.textContent('[data-testid=po-people]')).toContain(w.reason);
      const last = page.locator('[data-testid=po-history] li').last();
      expect(await last.locator('strong').textContent()).toBe(w.action);
      expect(await last.textContent()).toContain(w.reason);
      expect(await last.textContent()).toContain(email);
      const after = (
        await server.t.app.inject({
          method: 'GET',
          url: `/v1/purchase-orders/${po.id}`,
          headers: owner.headers,
        })
      ).json();
      expect(after).toMatchObject({ status: 'cancelled', cancelReason: w.reason, cancelledBy: owner.userId });
      if (locale === 'zh-CN') await page.click('[data-testid=lang-toggle]');
    }
    expect(errors).toEqual([]);
  });

  it('a storekeeper is told they may not purchase, in both languages', async () => {
    const { page, errors } = await newPage(browser, server.base);
    await login(page, storekeeper.email, STOREKEEPER_PASSWORD);
    await page.click('nav a[href="/purchasing"]');
    const notice = page.locator('[data-testid=purchasing-not-allowed]');
    await notice.waitFor();
    expect(await notice.textContent()).toContain('无采购权限，请联系采购员');
    expect(await page.locator('.empty').count()).toBe(0);
    await screenshot(page, 'purchasing-not-allowed.zh-CN');
    await page.click('[data-testid=lang-toggle]');
    await page.waitForSelector('[data-testid=purchasing-not-allowed]:has-text("not allowed to purchase")');
    await screenshot(page, 'purchasing-not-allowed.en');
    expect(errors).toEqual([]);
  });
});
