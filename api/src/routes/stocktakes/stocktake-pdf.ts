import { organizationTimeZone, type Tx, withTenantDb } from '@medstock/db';
import { sql } from 'drizzle-orm';
import type { AppDeps } from '../../deps.ts';
import { openPdf } from '../../lib/pdf-document.ts';
import { type PdfFont, pdfFont } from '../../lib/pdf-font.ts';
import { unprocessable } from '../../lib/problem.ts';
import type { ProblemLocale } from '../../lib/problem-messages/index.ts';
import type { AuthContext } from '../../plugins/access.ts';
import { getStocktakeIn, type StocktakeStatus, type StocktakeView } from './stocktake.service.ts';

const WORDS = {
  'zh-CN': {
    title: '盘点表',
    number: '盘点单号',
    status: '状态',
    where: '盘点位置',
    allLocations: '全部库位',
    blind: '盲盘：账面数不打印，请如实填写实盘数。',
    cycle: '循环盘点',
    created: '创建',
    approved: '审核',
    posted: '过账',
    location: '库位',
    code: '编码',
    item: '品名 / 规格',
    lot: '批号',
    expiry: '效期',
    book: '账面数',
    counted: '实盘数',
    variance: '差异',
    wholeItem: '整盘（全部批号）',
    noLot: '无批号',
    summary: '已盘 {counted} / {lines} 行；差异金额 {value}',
    signature: '盘点人：____________    复核人：____________    日期：____________',
    printed: '打印时间',
    statuses: {
      counting: '盘点中',
      submitted: '待审核',
      approved: '已审核',
      posted: '已过账',
      cancelled: '已作废',
    },
  },
  en: {
    title: 'Count sheet',
    number: 'Session',
    status: 'Status',
    where: 'Counted at',
    allLocations: 'every location',
    blind: 'Blind count: the book is not printed; write down what you count.',
    cycle: 'Cycle count',
    created: 'Created',
    approved: 'Approved',
    posted: 'Posted',
    location: 'Location',
    code: 'Code',
    item: 'Item / specification',
    lot: 'Lot',
    expiry: 'Expiry',
    book: 'Book',
    counted: 'Counted',
    variance: 'Variance',
    wholeItem: 'whole item (all lots)',
    noLot: 'no lot',
    summary: '{counted} of {lines} lines counted; value of the variance {value}',
    signature: 'Counted by: ____________    Checked by: ____________    Date: ____________',
    printed: 'Printed',
    statuses: {
      counting: 'counting',
      submitted: 'awaiting approval',
      approved: 'approved',
      posted: 'posted',
      cancelled: 'cancelled',
    },
  },
} satisfies Record<ProblemLocale, { statuses: Record<StocktakeStatus, string> } & Record<string, unknown>>;

/** Drops what a font without Chinese glyphs would print as boxes (the hint at the top says why). */

interface SheetContext {
  organizationName: string;
  siteName: string;
  locationNames: Map<string, string>;
  timeZone: string;
}

/**
 * The count sheet as an A4 PDF to count on paper: one row per location × item × lot with the book
 * (left empty on a blind count while counting) and an empty box for the count, or the count, the
 * variance and the summary once counted; signature lines for the counter and the checker.
 */
export function stocktakePdf(
  s: StocktakeView,
  ctx: SheetContext,
  locale: ProblemLocale,
  font: PdfFont,
): Promise<Buffer> {
  const w = WORDS[locale];
  const number = new Intl.NumberFormat(locale);
  const money = new Intl.NumberFormat(locale, { style: 'currency', currency: 'CNY' });
  const { doc, done, left, width, text, when } = openPdf({
    title: `${w.title} ${s.number}`,
    author: ctx.organizationName,
    font,
    locale,
    timeZone: ctx.timeZone,
    margin: 36,
    layout: 'landscape',
  });
  doc.fontSize(16).text(text(`${ctx.organizationName} · ${w.title}`));
  const where = s.locationId
    ? `${ctx.siteName} · ${ctx.locationNames.get(s.locationId) ?? ''}`
    : `${ctx.siteName} · ${w.allLocations}`;
  doc
    .fontSize(10)
    .text(text(`${w.number}: ${s.number}    ${w.status}: ${w.statuses[s.status]}    ${w.where}: ${where}`))
    .text(
      text(
        [
          `${w.created}: ${s.createdByName ?? '—'} · ${when(s.createdAt)}`,
          ...(s.approvedAt ? [`${w.approved}: ${s.approvedByName ?? '—'} · ${when(s.approvedAt)}`] : []),
          ...(s.postedAt ? [`${w.posted}: ${s.postedByName ?? '—'} · ${when(s.postedAt)}`] : []),
          ...(s.abcClasses ? [`${w.cycle}: ${s.abcClasses.join(', ')}`] : []),
        ].join('    '),
      ),
    );
  const hidden = s.blind && s.status === 'counting';
  if (hidden) doc.text(text(w.blind));
  doc.moveDown(0.5);

  const many = s.locationId === null;
  const fractions = many
    ? [0.12, 0.1, 0.26, 0.13, 0.09, 0.09, 0.11, 0.1]
    : [0.11, 0.33, 0.15, 0.1, 0.1, 0.11, 0.1];
  const cols = fractions.map((f) => f * width);
  const xs = cols.map((_, i) => left + cols.slice(0, i).reduce((a, b) => a + b, 0));
  const numeric = new Set(many ? [5, 6, 7] : [4, 5, 6]);
  const row = (cells: string[], header = false) => {
    if (doc.y > doc.page.height - doc.page.margins.bottom - 40) doc.addPage();
    const top = doc.y;
    let bottom = top;
    cells.forEach((c, i) => {
      doc.text(text(c), xs[i]! + 2, top + 3, {
        width: cols[i]! - 6,
        align: numeric.has(i) ? 'right' : 'left',
      });
      bottom = Math.max(bottom, doc.y);
    });
    // Ruled cells: the counted column is a box to write in.
    const h = bottom - top + 5;
    for (const [i] of cells.entries())
      doc.rect(xs[i]!, top, cols[i]!, h).stroke(header ? '#333333' : '#999999');
    doc.x = left;
    doc.y = top + h;
  };
  doc.fontSize(9);
  row([...(many ? [w.location] : []), w.code, w.item, w.lot, w.expiry, w.book, w.counted, w.variance], true);
  for (const l of s.lines) {
    const name = locale === 'zh-CN' ? l.nameZh : l.nameEn;
    row([
      ...(many ? [ctx.locationNames.get(l.locationId) ?? ''] : []),
      l.itemCode,
      l.specification ? `${name} / ${l.specification}` : name,
      l.wholeItem ? w.wholeItem : l.lotNumber || w.noLot,
      l.expiryDate ?? '',
      l.book === null ? '' : number.format(l.book),
      l.counted === null ? '' : number.format(l.counted),
      l.variance === null ? '' : number.format(l.variance),
    ]);
  }
  doc.moveDown(0.5);
  // Of the lines printed (one location's sheet counts only its own).
  const counted = s.lines.filter((l) => l.counted !== null).length;
  const value = s.lines.reduce((a, l) => a + (l.varianceValue ?? 0), 0);
  if (!hidden)
    doc.fontSize(10).text(
      text(
        w.summary
          .replace('{counted}', String(counted))
          .replace('{lines}', String(s.lines.length))
          .replace('{value}', money.format(Math.round(value * 100) / 100)),
      ),
      left,
      doc.y,
      { width },
    );
  doc.moveDown(1.5).fontSize(10).text(text(w.signature), left, doc.y, { width });
  doc
    .moveDown()
    .fontSize(8)
    .fillColor('#555555')
    .text(text(`${w.printed}: ${when(new Date().toISOString())}`), left, doc.y, { width });
  doc.end();
  return done;
}

async function sheetContext(tx: Tx, auth: AuthContext, s: StocktakeView): Promise<SheetContext> {
  const r = await tx.execute<{
    organization_name: string;
    site_name: string;
    locations: Record<string, string>;
  }>(sql`
    select (select name from control.organizations where id = ${auth.organizationId}) as organization_name,
           s.name as site_name,
           (select coalesce(json_object_agg(l.id, l.name), '{}') from locations l where l.site_id = s.id) as locations
      from sites s where s.id = ${s.siteId}`);
  const x = r.rows[0]!;
  return {
    organizationName: x.organization_name,
    siteName: x.site_name,
    locationNames: new Map(Object.entries(x.locations)),
    timeZone: await organizationTimeZone(tx),
  };
}

/** The session's count sheet as a PDF in `locale` (any status; the caller's site limits apply). */
export async function stocktakeDocument(
  deps: AppDeps,
  auth: AuthContext,
  id: string,
  locale: ProblemLocale,
  locationId?: string,
) {
  return withTenantDb(deps.database.db, auth, async (tx) => {
    const whole = await getStocktakeIn(tx, auth, id);
    const ctx = await sheetContext(tx, auth, whole);
    if (
      locationId &&
      (!ctx.locationNames.has(locationId) || (whole.locationId && whole.locationId !== locationId))
    )
      throw unprocessable(
        'stocktake_location_outside',
        'The location is not part of this stocktake session.',
        [
          {
            field: 'querystring:/locationId',
            message: 'not counted in this session',
            code: 'stocktake_location_outside',
          },
        ],
      );
    // One location's sheet of a site-wide session: what the person counting that room takes along.
    const s = locationId
      ? { ...whole, locationId, lines: whole.lines.filter((l) => l.locationId === locationId) }
      : whole;
    const font = pdfFont(deps.config.PDF_FONT);
    const pdf = await stocktakePdf(s, ctx, locale, font);
    const name = `${s.number}${locationId && !whole.locationId ? `-${locationId.slice(0, 8)}` : ''}`;
    return { pdf, cjkFont: font.cjk, filename: `${name.replace(/[^A-Za-z0-9_.-]/g, '_')}.pdf` };
  });
}
