import { inflateSync } from 'node:zlib';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recalculateItems } from '../../worker/src/engine/recalculate.ts';
import { pdfFont } from '../src/lib/pdf-font.ts';
import { purchaseOrderPdf } from '../src/routes/purchase-orders/purchase-order-pdf.ts';
import { insertDailyHistory, insertSupplierTerms } from './support/engine-fixtures.ts';
import { centralStore, insertItem } from './support/fixtures.ts';
import { type AddedMember, addMember } from './support/members.ts';
import { insertSupplier, tenantQuery } from './support/purchasing-fixtures.ts';
import { type SignedUp, signUp, startTestApp, type TestApp } from './support/test-app.ts';

type Headers = Record<string, string>;

let t: TestApp;
let owner: SignedUp;
let approver: AddedMember;
let purchaser: AddedMember;
let storekeeper: AddedMember;
let viewer: AddedMember;
/** A purchaser limited to site B: orders at site A do not exist for them. */
let purchaserB: AddedMember;
let siteA: string;
let locA: string;
let siteB: string;
let locB: string;
let supplier: string;
const SUPPLIER_EMAIL = 'orders@supplier-a.example';
let n = 0;

const newItem = () =>
  insertItem(t, owner.organizationId, {
    code: `PE-${n++}`,
    unitCost: 2,
    packUnits: [{ code: 'box', factor: 10 }],
  });
const inject = (method: 'GET' | 'POST' | 'PATCH', url: string, headers: Headers, payload?: unknown) =>
  t.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });
async function draft(lines: Record<string, unknown>[], headers: Headers = purchaser.headers, extra = {}) {
  const r = await inject('POST', '/v1/purchase-orders', headers, {
    supplierId: supplier,
    locationId: locA,
    lines,
    ...extra,
  });
  expect(r.statusCode, r.body).toBe(201);
  return r.json();
}
const getPo = async (id: string, headers: Headers = owner.headers) =>
  (await inject('GET', `/v1/purchase-orders/${id}`, headers)).json();
const approve = (id: string) => inject('POST', `/v1/purchase-orders/${id}/approve`, approver.headers, {});

/** The text a PDF draws, as its ToUnicode maps say: enough to tell that Chinese glyphs are in it. */
function pdfUnicode(pdf: Buffer): string {
  const raw = pdf.toString('latin1');
  let out = '';
  for (const m of raw.matchAll(/stream\r?\n([\s\S]*?)\r?\nendstream/g)) {
    try {
      const s = inflateSync(Buffer.from(m[1]!, 'latin1')).toString('latin1');
      // beginbfchar / beginbfrange entries: <glyph> <unicode hex>
      for (const u of s.matchAll(/<[0-9a-f]{4}>\s*<([0-9a-f]{4,})>/gi)) {
        const hex = u[1]!;
        for (let i = 0; i + 4 <= hex.length; i += 4)
          out += String.fromCharCode(Number.parseInt(hex.slice(i, i + 4), 16));
      }
      for (const u of s.matchAll(/\[((?:\s*<[0-9a-f]{4,}>)+)\s*\]/gi)) {
        for (const h of u[1]!.matchAll(/<([0-9a-f]{4,})>/gi))
          out += String.fromCharCode(Number.parseInt(h[1]!, 16));
      }
    } catch {
      // not a deflated stream (fonts are, images are not here)
    }
  }
  return out;
}

beforeAll(async () => {
  t = await startTestApp();
  owner = await signUp(t);
  ({ siteId: siteA, locationId: locA } = await centralStore(t, owner.headers));
  siteB = (await inject('POST', '/v1/sites', owner.headers, { code: 'PEB', name: 'Site B' })).json().id;
  ({ locationId: locB } = await centralStore(t, owner.headers, siteB));
  supplier = await insertSupplier(t, owner.organizationId, { code: 'PE-SUP' });
  await tenantQuery(
    t,
    owner.organizationId,
    sql`update suppliers set contact_email = ${SUPPLIER_EMAIL}, name = '国药器械（示例）' where id = ${supplier}`,
  );
  approver = await addMember(t, owner.headers, 'purchaser');
  purchaser = await addMember(t, owner.headers, 'purchaser');
  storekeeper = await addMember(t, owner.headers, 'storekeeper');
  viewer = await addMember(t, owner.headers, 'viewer');
  purchaserB = await addMember(t, owner.headers, 'purchaser', [siteB]);
});
afterAll(async () => t?.close());

describe('editing a draft purchase order', () => {
  it('changes quantities and prices, adds and removes lines, sets per-line delivery dates; the editor is recorded', async () => {
    const [a, b, c] = [await newItem(), await newItem(), await newItem()];
    const po = await draft([
      { itemId: a, quantity: 2, unit: 'box', unitPrice: 30 },
      { itemId: b, quantity: 5 },
    ]);
    const edited = await inject('PATCH', `/v1/purchase-orders/${po.id}`, owner.headers, {
      expectedAt: '2026-12-20',
      notes: '请周一上午送货',
      lines: [
        { itemId: a, quantity: 3, unit: 'box', unitPrice: 28, expectedAt: '2026-12-28' },
        { itemId: c, quantity: 7, unitPrice: 1.5 },
      ],
    });
    expect(edited.statusCode, edited.body).toBe(200);
    const body = edited.json();
    expect(body.lines.map((l: { itemId: string }) => l.itemId).sort()).toEqual([a, c].sort());
    const la = body.lines.find((l: { itemId: string }) => l.itemId === a);
    expect(la).toMatchObject({ quantityOrdered: 30, unitPrice: 2.8, value: 84, expectedAt: '2026-12-28' });
    expect(la.baseUnitName).toEqual({ zh: '支', en: 'piece' });
    expect(body.lines.find((l: { itemId: string }) => l.itemId === c)).toMatchObject({
      quantityOrdered: 7,
      unitPrice: 1.5,
      expectedAt: null,
    });
    expect(body).toMatchObject({
      expectedAt: '2026-12-20',
      notes: '请周一上午送货',
      editedBy: [owner.userId],
    });
    expect(body.createdBy).toBe(purchaser.id);
    expect(body.createdByName).toBe(purchaser.email);
    expect(body.history.map((h: { action: string }) => h.action)).toEqual(['created', 'edited']);
    expect(body.history[1]).toMatchObject({ actorId: owner.userId, actorName: owner.email });
    expect(body.history[1].detail.fields).toEqual(['expectedAt', 'lines', 'notes']);
  });

  it('refuses storekeepers and viewers (403), site-limited purchasers see no order at another site (404)', async () => {
    const a = await newItem();
    const po = await draft([{ itemId: a, quantity: 1 }]);
    for (const who of [storekeeper, viewer]) {
      const r = await inject('PATCH', `/v1/purchase-orders/${po.id}`, who.headers, { notes: 'x' });
      expect(r.statusCode).toBe(403);
    }
    const other = await inject('PATCH', `/v1/purchase-orders/${po.id}`, purchaserB.headers, { notes: 'x' });
    expect(other.statusCode).toBe(404);
    expect((await inject('GET', `/v1/purchase-orders/${po.id}/pdf`, purchaserB.headers)).statusCode).toBe(
      404,
    );
    expect(
      (await inject('POST', `/v1/purchase-orders/${po.id}/email`, purchaserB.headers, {})).statusCode,
    ).toBe(404);
    expect((await getPo(po.id)).editedBy).toEqual([]);
  });

  it('an approved order can no longer be edited', async () => {
    const a = await newItem();
    const po = await draft([{ itemId: a, quantity: 1 }]);
    expect((await approve(po.id)).statusCode).toBe(200);
    const r = await inject('PATCH', `/v1/purchase-orders/${po.id}`, owner.headers, {
      lines: [{ itemId: a, quantity: 99 }],
    });
    expect(r.statusCode).toBe(409);
    expect(r.json().code).toBe('not_draft');
  });
});

describe('approval, sending and cancellation show who and when', () => {
  it('names the creator, the approver and the sender with their times', async () => {
    const a = await newItem();
    const po = await draft([{ itemId: a, quantity: 4 }]);
    const ok = await approve(po.id);
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ approvedBy: approver.id, approvedByName: approver.email });
    const sent = (await inject('POST', `/v1/purchase-orders/${po.id}/send`, purchaser.headers, {})).json();
    expect(sent).toMatchObject({ status: 'sent', sentBy: purchaser.id, sentByName: purchaser.email });
    expect(sent.history.map((h: { action: string; actorId: string }) => [h.action, h.actorId])).toEqual([
      ['created', purchaser.id],
      ['approved', approver.id],
      ['sent', purchaser.id],
    ]);
    for (const h of sent.history) expect(Number.isNaN(Date.parse(h.at))).toBe(false);
  });

  it('cancelling needs a reason (in Chinese when asked), records who, and emits purchase_order.cancelled', async () => {
    const a = await newItem();
    const po = await draft([{ itemId: a, quantity: 4 }]);
    const none = await t.app.inject({
      method: 'POST',
      url: `/v1/purchase-orders/${po.id}/cancel`,
      headers: { ...purchaser.headers, 'accept-language': 'zh-CN' },
      payload: { reason: '   ' },
    });
    expect(none.statusCode).toBe(422);
    expect(none.json().code).toBe('cancel_reason_required');
    expect(none.json().title).toBe('请填写取消原因');
    expect(none.json().detail).toContain(po.number);
    expect((await getPo(po.id)).status).toBe('draft');

    const storekeeperTry = await inject('POST', `/v1/purchase-orders/${po.id}/cancel`, storekeeper.headers, {
      reason: 'x',
    });
    expect(storekeeperTry.statusCode).toBe(403);

    const done = await inject('POST', `/v1/purchase-orders/${po.id}/cancel`, purchaser.headers, {
      reason: '供应商停产，改从其他供应商采购',
    });
    expect(done.statusCode, done.body).toBe(200);
    expect(done.json()).toMatchObject({
      status: 'cancelled',
      cancelReason: '供应商停产，改从其他供应商采购',
      cancelledBy: purchaser.id,
      cancelledByName: purchaser.email,
    });
    const last = done.json().history.at(-1);
    expect(last).toMatchObject({
      action: 'cancelled',
      actorId: purchaser.id,
      detail: { reason: '供应商停产，改从其他供应商采购' },
    });
    // Audited: the cancellation (and the refused attempts) are in the audit log with who and the outcome.
    const audit = await inject(
      'GET',
      `/v1/audit-log?actorId=${purchaser.id}&action=${encodeURIComponent('POST /v1/purchase-orders/:id/cancel')}`,
      owner.headers,
    );
    expect(audit.statusCode, audit.body).toBe(200);
    const entries = audit
      .json()
      .items.filter((e: { path: string }) => e.path === `/v1/purchase-orders/${po.id}/cancel`);
    expect(entries.map((e: { statusCode: number }) => e.statusCode).sort()).toEqual([200, 422]);
    const events = await tenantQuery<{ payload: Record<string, unknown> }>(
      t,
      owner.organizationId,
      sql`select payload from events where type = 'purchase_order.cancelled' and payload->>'purchaseOrderId' = ${po.id}`,
    );
    expect(events).toHaveLength(1);
    expect(events[0]!.payload).toMatchObject({
      number: po.number,
      from: 'draft',
      reason: '供应商停产，改从其他供应商采购',
      siteId: siteA,
      actorId: purchaser.id,
    });
  });
});

describe('the purchase order as a PDF', () => {
  it('without a CJK font falls back to Helvetica and says which package to install', async () => {
    const a = await newItem();
    const po = await getPo((await draft([{ itemId: a, quantity: 1 }])).id);
    const ctx = {
      organizationName: '青山社区卫生服务中心',
      supplier: { code: 'S', name: '国药器械', contactEmail: null, contactPhone: null },
      siteName: 'Main',
      locationName: 'Central',
      timeZone: 'Asia/Shanghai',
    };
    const pdf = await purchaseOrderPdf(po, ctx, 'zh-CN', { file: 'Helvetica', cjk: false });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const raw = pdf.toString('latin1');
    expect(raw).toContain('/BaseFont /Helvetica');
    expect(raw).not.toMatch(/WenQuanYi|Noto/);
    // Helvetica is a standard font: its text is in the content stream, hex-encoded per byte.
    const text = [...raw.matchAll(/stream\r?\n([\s\S]*?)\r?\nendstream/g)]
      .map((m) => {
        try {
          return inflateSync(Buffer.from(m[1]!, 'latin1')).toString('latin1');
        } catch {
          return '';
        }
      })
      .join('');
    const shown = [...text.matchAll(/<([0-9a-f]+)>/gi)]
      .map((m) => Buffer.from(m[1]!, 'hex').toString('latin1'))
      .join('');
    expect(shown).toContain('fonts-wqy-zenhei');
    expect(shown).toContain(po.number);
    expect(shown).not.toMatch(/[\u4e00-\u9fff]/);
    // A configured font that is not there does not break the PDFs: the search finds the system's.
    expect(pdfFont('/nowhere/font.ttc#X')).toMatchObject({ cjk: true });
    expect(pdfFont('/nowhere/font.ttc#X').file).not.toBe('/nowhere/font.ttc');
  });

  it('renders in Chinese with an embedded CJK font, and in English; readable by storekeepers', async () => {
    const a = await newItem();
    const po = await draft([{ itemId: a, quantity: 3, unit: 'box', unitPrice: 20 }], purchaser.headers, {
      notes: '发票随货',
    });
    const zh = await inject('GET', `/v1/purchase-orders/${po.id}/pdf?locale=zh-CN`, storekeeper.headers);
    expect(zh.statusCode, zh.body).toBe(200);
    expect(zh.headers['content-type']).toBe('application/pdf');
    expect(zh.headers['x-pdf-font']).toBe('cjk');
    expect(zh.headers['content-disposition']).toContain(`${po.number}.pdf`);
    const pdf = zh.rawPayload;
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.toString('latin1')).toMatch(/\/BaseFont \/[A-Z]{6}\+\S*(WenQuanYi|Noto|CJK|Ming|Droid)/i);
    const text = pdfUnicode(pdf);
    for (const ch of '采购订单国药器械耗材支备注发票随货未审批') expect(text).toContain(ch);

    const en = await inject('GET', `/v1/purchase-orders/${po.id}/pdf`, {
      ...viewer.headers,
      'accept-language': 'en-GB,en;q=0.9',
    });
    expect(en.statusCode).toBe(200);
    expect(en.headers['content-language']).toBe('en');
    const enText = pdfUnicode(en.rawPayload);
    for (const ch of 'Purchase order') expect(enText).toContain(ch);
    expect(enText).not.toContain('采');
  });

  it('answers 404 for an unknown order', async () => {
    const r = await inject(
      'GET',
      '/v1/purchase-orders/00000000-0000-4000-8000-000000000000/pdf',
      owner.headers,
    );
    expect(r.statusCode).toBe(404);
  });
});

describe('e-mailing the purchase order to the supplier', () => {
  it('refuses a draft, sends an approved order with the PDF attached, marks it sent and records it', async () => {
    const a = await newItem();
    const po = await draft([{ itemId: a, quantity: 2, unit: 'box' }]);
    const early = await inject('POST', `/v1/purchase-orders/${po.id}/email`, purchaser.headers, {});
    expect(early.statusCode).toBe(409);
    expect(early.json().code).toBe('po_not_approved');
    expect(t.mail.to(SUPPLIER_EMAIL, (m) => m.subject.includes(po.number))).toHaveLength(0);

    await approve(po.id);
    expect(
      (await inject('POST', `/v1/purchase-orders/${po.id}/email`, storekeeper.headers, {})).statusCode,
    ).toBe(403);
    const sent = await inject('POST', `/v1/purchase-orders/${po.id}/email`, purchaser.headers, {
      message: '请于周五前送达。',
    });
    expect(sent.statusCode, sent.body).toBe(200);
    expect(sent.json().recipient).toBe(SUPPLIER_EMAIL);
    expect(sent.json().purchaseOrder.supplierEmail).toBe(SUPPLIER_EMAIL);
    expect(sent.json().purchaseOrder).toMatchObject({ status: 'sent', sentBy: purchaser.id });
    const mail = await t.mail.waitFor(SUPPLIER_EMAIL, (m) => m.subject.includes(po.number));
    expect(mail.subject).toContain('采购订单');
    expect(mail.text).toContain('国药器械（示例）');
    expect(mail.text).toContain('请于周五前送达。');
    expect(mail.attachments).toHaveLength(1);
    expect(mail.attachments[0]).toMatchObject({
      filename: `${po.number}.pdf`,
      contentType: 'application/pdf',
    });
    expect(mail.attachments[0]!.content.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdfUnicode(mail.attachments[0]!.content)).toContain('采');

    const history = sent.json().purchaseOrder.history;
    expect(history.map((h: { action: string }) => h.action)).toEqual([
      'created',
      'approved',
      'emailed',
      'sent',
    ]);
    expect(history[2]).toMatchObject({
      actorId: purchaser.id,
      detail: { recipient: SUPPLIER_EMAIL, locale: 'zh-CN' },
    });

    // Sent orders may go again (a lost e-mail), in English to another address, without a status change.
    const again = await inject('POST', `/v1/purchase-orders/${po.id}/email`, purchaser.headers, {
      to: 'buyer-desk@supplier-a.example',
      locale: 'en',
    });
    expect(again.statusCode, again.body).toBe(200);
    const m2 = await t.mail.waitFor('buyer-desk@supplier-a.example');
    expect(m2.subject).toBe(`Purchase order ${po.number} (Test clinic)`);
    expect(
      again.json().purchaseOrder.history.filter((h: { action: string }) => h.action === 'emailed'),
    ).toHaveLength(2);
  });

  it('says when the supplier has no e-mail address; markSent false keeps an approved order approved', async () => {
    const bare = await insertSupplier(t, owner.organizationId, { code: 'PE-NOMAIL' });
    const a = await newItem();
    const po = await draft([{ itemId: a, quantity: 1 }], purchaser.headers, { supplierId: bare });
    await approve(po.id);
    const r = await t.app.inject({
      method: 'POST',
      url: `/v1/purchase-orders/${po.id}/email`,
      headers: { ...purchaser.headers, 'accept-language': 'zh-CN' },
      payload: {},
    });
    expect(r.statusCode).toBe(422);
    expect(r.json().code).toBe('supplier_email_missing');
    expect(r.json().title).toBe('供应商没有邮箱');
    expect((await getPo(po.id)).history.map((h: { action: string }) => h.action)).toEqual([
      'created',
      'approved',
    ]);

    const kept = await inject('POST', `/v1/purchase-orders/${po.id}/email`, purchaser.headers, {
      to: 'sales@nomail.example',
      markSent: false,
    });
    expect(kept.statusCode, kept.body).toBe(200);
    expect(kept.json().purchaseOrder.status).toBe('approved');
    expect((await t.mail.waitFor('sales@nomail.example')).attachments).toHaveLength(1);
  });

  it('a retried e-mail with the same Idempotency-Key is sent once', async () => {
    const a = await newItem();
    const po = await draft([{ itemId: a, quantity: 1 }]);
    await approve(po.id);
    const headers = { ...purchaser.headers, 'idempotency-key': `email-${po.id}` };
    const payload = { to: 'retry@supplier-a.example', locale: 'en' };
    const first = await inject('POST', `/v1/purchase-orders/${po.id}/email`, headers, payload);
    const second = await inject('POST', `/v1/purchase-orders/${po.id}/email`, headers, payload);
    expect([first.statusCode, second.statusCode]).toEqual([200, 200]);
    await t.mail.waitFor('retry@supplier-a.example');
    expect(t.mail.to('retry@supplier-a.example')).toHaveLength(1);
    const emails = (await getPo(po.id)).history.filter((h: { action: string }) => h.action === 'emailed');
    expect(emails).toHaveLength(1);
  });

  it('refuses cancelled orders', async () => {
    const a = await newItem();
    const po = await draft([{ itemId: a, quantity: 1 }]);
    await inject('POST', `/v1/purchase-orders/${po.id}/cancel`, purchaser.headers, { reason: 'duplicate' });
    const r = await inject('POST', `/v1/purchase-orders/${po.id}/email`, purchaser.headers, {});
    expect(r.statusCode).toBe(409);
    expect(r.json().code).toBe('invalid_transition');
  });
});

describe('editing purchase suggestions before drafting', () => {
  let gauze: string;
  let tape: string;
  let glove: string;
  let sup: string;
  beforeAll(async () => {
    const stock = async (
      code: string,
      locationId: string,
      perDay: number,
      onHand: number,
      packSize: number,
    ) => {
      const id = await insertItem(t, owner.organizationId, { code, unitCost: 2 });
      sup = await insertSupplierTerms(t, owner.organizationId, id, { code: 'PE-SUG', packSize });
      await insertDailyHistory(t, owner.organizationId, id, locationId, 90, () => perDay);
      const r = await inject('POST', '/v1/movements', owner.headers, {
        type: 'receipt',
        itemId: id,
        locationId,
        quantity: onHand,
        lotNumber: `${code}-L1`,
        expiryDate: '2031-01-01',
      });
      expect(r.statusCode, r.body).toBe(201);
      return id;
    };
    gauze = await stock('PE-GAUZE', locA, 10, 30, 10);
    tape = await stock('PE-TAPE', locA, 5, 20, 12);
    glove = await stock('PE-GLOVE', locB, 10, 20, 10);
    await recalculateItems(t.deps.database, owner.organizationId, [
      { itemId: gauze, locationId: locA },
      { itemId: tape, locationId: locA },
      { itemId: glove, locationId: locB },
    ]);
  });

  const suggestions = async (headers: Headers) => {
    const r = await inject('GET', '/v1/suggestions/purchases', headers);
    expect(r.statusCode, r.body).toBe(200);
    return r.json().items.find((g: { supplierId: string }) => g.supplierId === sup);
  };

  it('a storekeeper may not see purchase suggestions (403), a purchaser may', async () => {
    expect((await inject('GET', '/v1/suggestions/purchases', storekeeper.headers)).statusCode).toBe(403);
    const g = await suggestions(purchaser.headers);
    expect(g.lines.map((l: { itemCode: string }) => l.itemCode).sort()).toEqual([
      'PE-GAUZE',
      'PE-GLOVE',
      'PE-TAPE',
    ]);
  });

  it('refuses an edited line that is not on offer (site limits included) and drafts nothing', async () => {
    const r = await inject('POST', '/v1/suggestions/purchases/draft-orders', purchaserB.headers, {
      supplierIds: [sup],
      lines: [{ itemId: gauze, locationId: locA, packs: 2 }],
    });
    expect(r.statusCode).toBe(422);
    expect(r.json().code).toBe('unknown_suggestion');
    expect(r.json().errors[0].field).toBe('body:/lines/0');
    const drafts = await tenantQuery<{ n: number }>(
      t,
      owner.organizationId,
      sql`select count(*)::int as n from purchase_orders where source = 'suggestion' and supplier_id = ${sup}`,
    );
    expect(drafts[0]!.n).toBe(0);
  });

  it('drafts with the edited pack counts; 0 leaves a line out', async () => {
    const g = await suggestions(purchaser.headers);
    const gauzeLine = g.lines.find((l: { itemId: string }) => l.itemId === gauze);
    const r = await inject('POST', '/v1/suggestions/purchases/draft-orders', purchaser.headers, {
      supplierIds: [sup],
      lines: [
        { itemId: gauze, locationId: locA, packs: gauzeLine.packs + 3 },
        { itemId: tape, locationId: locA, packs: 0 },
      ],
    });
    expect(r.statusCode, r.body).toBe(201);
    const { created, skipped } = r.json();
    expect(skipped).toEqual([
      expect.objectContaining({ itemId: tape, locationId: locA, reason: 'excluded', supplierId: sup }),
    ]);
    const atA = created.find((c: { locationId: string }) => c.locationId === locA);
    expect(atA.lines).toEqual([
      expect.objectContaining({
        itemId: gauze,
        packs: gauzeLine.packs + 3,
        quantityOrdered: (gauzeLine.packs + 3) * 10,
      }),
    ]);
    // The unedited line at site B is drafted as suggested.
    const atB = created.find((c: { locationId: string }) => c.locationId === locB);
    expect(atB.lines.map((l: { itemId: string }) => l.itemId)).toEqual([glove]);
    const po = await getPo(atA.id);
    expect(po.quantityOrdered).toBe((gauzeLine.packs + 3) * 10);
    // Notes print on the supplier's PDF: a drafted order has none; its history says where it came from.
    expect(po.notes).toBeNull();
    expect(po.history[0]).toMatchObject({
      action: 'created',
      actorId: purchaser.id,
      detail: { source: 'suggestion' },
    });
  });
});

describe('supplier performance', () => {
  it('per supplier: on-time rate, mean and p90 lead time, open and overdue orders; site limits apply', async () => {
    const s = await insertSupplier(t, owner.organizationId, { code: 'PE-PERF' });
    const a = await newItem();
    const late = await newItem();
    // Order 1 at site A: expected in the future, received today → on time; lead time ≈ 0 days.
    const po1 = await draft([{ itemId: a, quantity: 5 }], purchaser.headers, {
      supplierId: s,
      expectedAt: '2099-01-01',
    });
    await approve(po1.id);
    await inject('POST', `/v1/purchase-orders/${po1.id}/send`, purchaser.headers, {});
    await tenantQuery(
      t,
      owner.organizationId,
      sql`update purchase_orders set sent_at = now() - interval '4 days' where id = ${po1.id}`,
    );
    const line1 = (await getPo(po1.id)).lines[0].id;
    const rec = await inject('POST', `/v1/purchase-orders/${po1.id}/receipts`, owner.headers, {
      lines: [{ lineId: line1, quantity: 5, lotNumber: 'PERF-1', expiryDate: '2031-01-01' }],
    });
    expect(rec.statusCode, rec.body).toBe(201);
    // Order 2 at site A: its line was due in the past, partly received today → late; still open and overdue.
    const po2 = await draft(
      [{ itemId: late, quantity: 10, expectedAt: '2020-01-01', unitPrice: 3 }],
      purchaser.headers,
      {
        supplierId: s,
      },
    );
    await approve(po2.id);
    await tenantQuery(
      t,
      owner.organizationId,
      sql`update purchase_orders set approved_at = now() - interval '10 days' where id = ${po2.id}`,
    );
    const line2 = (await getPo(po2.id)).lines[0].id;
    await inject('POST', `/v1/purchase-orders/${po2.id}/receipts`, owner.headers, {
      lines: [{ lineId: line2, quantity: 4, lotNumber: 'PERF-2', expiryDate: '2031-01-01' }],
    });
    // A draft at site B.
    const po3 = await inject('POST', '/v1/purchase-orders', purchaserB.headers, {
      supplierId: s,
      locationId: locB,
      lines: [{ itemId: a, quantity: 1 }],
    });
    expect(po3.statusCode, po3.body).toBe(201);

    const all = await inject('GET', '/v1/supplier-performance', viewer.headers);
    expect(all.statusCode, all.body).toBe(200);
    const row = all.json().items.find((x: { supplierId: string }) => x.supplierId === s);
    expect(row).toMatchObject({
      supplierCode: 'PE-PERF',
      receipts: 2,
      receiptsOnTime: 1,
      onTimeRate: 0.5,
      openOrders: 1,
      openValue: 18,
      overdueOrders: 1,
      nextExpectedAt: '2020-01-01',
      draftOrders: 1,
    });
    expect(row.leadTime.observations).toBe(2);
    expect(row.leadTime.minDays).toBeGreaterThanOrEqual(3.9);
    expect(row.leadTime.maxDays).toBeGreaterThanOrEqual(9.9);
    expect(row.leadTime.meanDays).toBeCloseTo((row.leadTime.minDays + row.leadTime.maxDays) / 2, 1);
    // p90 of two observations interpolates 90% of the way from the shorter to the longer.
    expect(row.leadTime.p90Days).toBeCloseTo(
      row.leadTime.minDays + 0.9 * (row.leadTime.maxDays - row.leadTime.minDays),
      1,
    );

    const onlyB = await inject('GET', '/v1/supplier-performance', purchaserB.headers);
    expect(onlyB.statusCode).toBe(200);
    const rowB = onlyB.json().items.find((x: { supplierId: string }) => x.supplierId === s);
    expect(rowB).toMatchObject({ receipts: 0, openOrders: 0, draftOrders: 1, onTimeRate: null });
    expect(rowB.leadTime.observations).toBe(0);
    expect(
      (await inject('GET', `/v1/supplier-performance?siteId=${siteA}`, purchaserB.headers)).statusCode,
    ).toBe(404);
    const bad = await inject('GET', '/v1/supplier-performance?from=2026-05-01&to=2026-04-01', owner.headers);
    expect(bad.statusCode).toBe(422);

    // The dashboard's KPI counts the same receipts: a line's own expected date makes the second late.
    const kpis = await inject('GET', '/v1/kpis', owner.headers);
    expect(kpis.statusCode, kpis.body).toBe(200);
    expect(kpis.json().total.suppliers.find((x: { supplierId: string }) => x.supplierId === s)).toMatchObject(
      {
        receipts: 2,
        receiptsOnTime: 1,
        onTimeRate: 0.5,
      },
    );
  });
});
