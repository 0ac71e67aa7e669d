import { openPdf } from '../../lib/pdf-document.ts';
import type { PdfFont } from '../../lib/pdf-font.ts';
import type { ProblemLocale } from '../../lib/problem-messages/index.ts';
import type { PurchaseOrderView } from './purchase-order.service.ts';

/** What the printed order shows beyond the order itself. */
export interface PrintContext {
  organizationName: string;
  supplier: { code: string; name: string; contactEmail: string | null; contactPhone: string | null };
  siteName: string;
  locationName: string;
  /** The organisation's time zone: times print as the clinic's local time. */
  timeZone: string;
}

const WORDS = {
  'zh-CN': {
    title: '采购订单',
    number: '订单号',
    status: '状态',
    supplier: '供应商',
    contact: '联系方式',
    deliverTo: '收货地点',
    expected: '预计到货',
    created: '制单',
    approved: '审批',
    sent: '发送',
    notApproved: '未审批（草稿，不得据此发货）',
    code: '编码',
    item: '品名',
    quantity: '数量',
    unitPrice: '单价',
    amount: '金额',
    lineExpected: '到货日期',
    total: '合计',
    notes: '备注',
    generated: '打印时间',
    cancelled: '已取消',
    statuses: {
      draft: '草稿',
      approved: '已审批',
      sent: '已发送',
      partially_received: '部分到货',
      received: '已到货',
      cancelled: '已取消',
    },
  },
  en: {
    title: 'Purchase order',
    number: 'Number',
    status: 'Status',
    supplier: 'Supplier',
    contact: 'Contact',
    deliverTo: 'Deliver to',
    expected: 'Expected delivery',
    created: 'Created',
    approved: 'Approved',
    sent: 'Sent',
    notApproved: 'Not approved (draft: do not deliver against it)',
    code: 'Code',
    item: 'Item',
    quantity: 'Quantity',
    unitPrice: 'Unit price',
    amount: 'Amount',
    lineExpected: 'Delivery',
    total: 'Total',
    notes: 'Notes',
    generated: 'Printed',
    cancelled: 'CANCELLED',
    statuses: {
      draft: 'draft',
      approved: 'approved',
      sent: 'sent',
      partially_received: 'partially received',
      received: 'received',
      cancelled: 'cancelled',
    },
  },
} as const;

/** Drops what a font without Chinese glyphs would print as boxes (the fallback says why). */

/**
 * The purchase order as an A4 PDF the supplier can read: header, who created and approved it
 * and when, one row per line (code, name in the document's language, quantity in base units,
 * price per base unit, amount, the line's delivery date), the total and the notes.
 */
export function purchaseOrderPdf(
  po: PurchaseOrderView,
  ctx: PrintContext,
  locale: ProblemLocale,
  font: PdfFont,
): Promise<Buffer> {
  const w = WORDS[locale];
  // Chinese documents use the full-width colon (供应商：…).
  const colon = locale === 'zh-CN' ? '：' : ': ';
  const money = new Intl.NumberFormat(locale, { style: 'currency', currency: 'CNY' });
  const number = new Intl.NumberFormat(locale);
  const { doc, done, left, width, text, when } = openPdf({
    title: `${w.title} ${po.number}`,
    author: ctx.organizationName,
    font,
    locale,
    timeZone: ctx.timeZone,
    margin: 48,
  });
  doc.fontSize(18).text(text(`${ctx.organizationName} · ${w.title}`));
  doc
    .fontSize(11)
    .text(text(`${w.number}${colon}${po.number}    ${w.status}${colon}${w.statuses[po.status]}`))
    .moveDown(0.5);
  if (po.status === 'cancelled') {
    doc
      .fontSize(14)
      .fillColor('#b00020')
      .text(text(`${w.cancelled}${po.cancelReason ? ` — ${po.cancelReason}` : ''}`))
      .fillColor('black');
  }
  const contact = [ctx.supplier.contactEmail, ctx.supplier.contactPhone].filter(Boolean).join(' · ');
  const rows: [string, string][] = [
    [w.supplier, `${ctx.supplier.name} (${ctx.supplier.code})`],
    ...(contact ? [[w.contact, contact] as [string, string]] : []),
    [w.deliverTo, `${ctx.siteName} · ${ctx.locationName}`],
    [w.expected, po.expectedAt ?? '—'],
    [w.created, `${po.createdByName ?? '—'} · ${when(po.createdAt)}`],
    [w.approved, po.approvedAt ? `${po.approvedByName ?? '—'} · ${when(po.approvedAt)}` : w.notApproved],
    ...(po.sentAt ? [[w.sent, `${po.sentByName ?? '—'} · ${when(po.sentAt)}`] as [string, string]] : []),
  ];
  doc.fontSize(10);
  for (const [k, v] of rows) doc.text(text(`${k}${colon}${v}`));
  doc.moveDown();

  // Columns: code, item, quantity, unit price, amount, delivery date.
  const cols = [0.12, 0.33, 0.12, 0.12, 0.15, 0.16].map((f) => f * width);
  const xs = cols.map((_, i) => left + cols.slice(0, i).reduce((a, b) => a + b, 0));
  const row = (cells: string[], bold = false) => {
    const y = doc.y;
    if (y > doc.page.height - doc.page.margins.bottom - 40) doc.addPage();
    const top = doc.y;
    let bottom = top;
    cells.forEach((c, i) => {
      // Right-aligned figures keep a gap before the next column.
      doc.text(text(c), xs[i]!, top, {
        width: cols[i]! - (i >= 2 && i <= 4 ? 12 : 4),
        align: i >= 2 && i <= 4 ? 'right' : 'left',
      });
      bottom = Math.max(bottom, doc.y);
    });
    doc.x = left;
    doc.y = bottom + 4;
    if (bold)
      doc
        .moveTo(left, doc.y - 2)
        .lineTo(left + width, doc.y - 2)
        .stroke();
  };
  doc.fontSize(9);
  row([w.code, w.item, w.quantity, w.unitPrice, w.amount, w.lineExpected], true);
  for (const l of po.lines) {
    row([
      l.itemCode,
      locale === 'zh-CN' ? l.nameZh : l.nameEn,
      `${number.format(l.quantityOrdered)} ${locale === 'zh-CN' ? l.baseUnitName.zh : l.baseUnitName.en}`,
      money.format(l.unitPrice),
      money.format(l.value),
      l.expectedAt ?? po.expectedAt ?? '—',
    ]);
  }
  doc
    .moveTo(left, doc.y)
    .lineTo(left + width, doc.y)
    .stroke();
  doc.moveDown(0.3);
  doc.fontSize(11).text(text(`${w.total}${colon}${money.format(po.value)}`), left, doc.y, {
    width: width - cols[5]! - 12,
    align: 'right',
  });
  if (po.notes) {
    doc
      .moveDown()
      .fontSize(10)
      .text(text(`${w.notes}${colon}${po.notes}`), left, doc.y, { width });
  }
  doc
    .moveDown(2)
    .fontSize(8)
    .fillColor('#555555')
    .text(text(`${w.generated}${colon}${when(new Date().toISOString())}`), left, doc.y, { width });
  doc.end();
  return done;
}
