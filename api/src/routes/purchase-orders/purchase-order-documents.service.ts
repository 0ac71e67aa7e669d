import { organizationTimeZone, type Tx, withTenantDb } from '@medstock/db';
import { sql } from 'drizzle-orm';
import type { AppDeps } from '../../deps.ts';
import { pdfFont } from '../../lib/pdf-font.ts';
import { notFound, ProblemError } from '../../lib/problem.ts';
import type { ProblemLocale } from '../../lib/problem-messages/index.ts';
import { type AuthContext, noteSiteTouched } from '../../plugins/access.ts';
import {
  emitStatusChange,
  invalidTransition,
  loadPurchaseOrder,
  lockPurchaseOrder,
  type PurchaseOrderView,
} from './purchase-order.service.ts';
import { type PrintContext, purchaseOrderPdf } from './purchase-order-pdf.ts';

async function printContext(tx: Tx, auth: AuthContext, po: PurchaseOrderView): Promise<PrintContext> {
  const r = await tx.execute<{
    organization_name: string;
    supplier_code: string;
    supplier_name: string;
    contact_email: string | null;
    phone: string | null;
    site_name: string;
    location_name: string;
  }>(sql`
    select (select name from control.organizations where id = ${auth.organizationId}) as organization_name,
           su.code as supplier_code, su.name as supplier_name, su.contact_email, su.phone,
           s.name as site_name, l.name as location_name
      from suppliers su, locations l join sites s on s.id = l.site_id
     where su.id = ${po.supplierId} and l.id = ${po.locationId}`);
  const x = r.rows[0]!;
  return {
    organizationName: x.organization_name,
    supplier: {
      code: x.supplier_code,
      name: x.supplier_name,
      contactEmail: x.contact_email,
      contactPhone: x.phone,
    },
    siteName: x.site_name,
    locationName: x.location_name,
    timeZone: await organizationTimeZone(tx),
  };
}

async function render(
  deps: AppDeps,
  tx: Tx,
  auth: AuthContext,
  po: PurchaseOrderView,
  locale: ProblemLocale,
) {
  const ctx = await printContext(tx, auth, po);
  const font = pdfFont(deps.config.PDF_FONT);
  const pdf = await purchaseOrderPdf(po, ctx, locale, font);
  return { pdf, ctx, cjkFont: font.cjk, filename: `${po.number.replace(/[^A-Za-z0-9_.-]/g, '_')}.pdf` };
}

/** The order as a PDF, in `locale`. Any status: a draft prints marked as not approved. */
export async function purchaseOrderDocument(
  deps: AppDeps,
  auth: AuthContext,
  id: string,
  locale: ProblemLocale,
) {
  return withTenantDb(deps.database.db, auth, async (tx) => {
    const po = await loadPurchaseOrder(tx, id);
    if (po) noteSiteTouched(auth, po.siteId);
    if (!po || (auth.siteIds !== null && !auth.siteIds.includes(po.siteId)))
      throw notFound('The purchase order');
    return render(deps, tx, auth, po, locale);
  });
}

export interface EmailInput {
  to?: string;
  locale?: ProblemLocale;
  message?: string;
  markSent?: boolean;
}

const EMAILABLE = ['approved', 'sent', 'partially_received'] as const;

function mailText(po: PurchaseOrderView, ctx: PrintContext, locale: ProblemLocale, message?: string) {
  const note = message?.trim() ? `\n\n${message.trim()}\n` : '';
  if (locale === 'zh-CN') {
    return {
      subject: `采购订单 ${po.number}（${ctx.organizationName}）`,
      text: `${ctx.supplier.name}：\n\n您好！附件为${ctx.organizationName}的采购订单 ${po.number}（PDF），共 ${po.lines.length} 项，送货地点：${ctx.siteName}·${ctx.locationName}${po.expectedAt ? `，预计到货日期：${po.expectedAt}` : ''}。请按订单备货，随货附送货单（随货同行单），并回复确认交期。${note}\n\n${ctx.organizationName}\n`,
    };
  }
  return {
    subject: `Purchase order ${po.number} (${ctx.organizationName})`,
    text: `Dear ${ctx.supplier.name},\n\nPlease find attached purchase order ${po.number} from ${ctx.organizationName} (PDF, ${po.lines.length} line${po.lines.length === 1 ? '' : 's'}), to be delivered to ${ctx.siteName} · ${ctx.locationName}${po.expectedAt ? ` by ${po.expectedAt}` : ''}. Please include a delivery note with the goods and reply to confirm the delivery date.${note}\n\n${ctx.organizationName}\n`,
  };
}

/**
 * E-mails the order's PDF to the supplier (its contact e-mail, or `to`) and records it. Only an
 * approved order leaves the house: a draft is refused. Sending an approved order by e-mail marks
 * it sent (the lead time runs from now) unless `markSent` is false. The message is handed to the
 * mailer inside the transaction, so a mail server that refuses it leaves no record and no
 * status change (503 mail_unavailable, retry).
 */
export async function emailPurchaseOrder(deps: AppDeps, auth: AuthContext, id: string, input: EmailInput) {
  return withTenantDb(deps.database.db, auth, async (tx) => {
    const locked = await lockPurchaseOrder(tx, auth, id);
    if (locked.status === 'draft') {
      throw new ProblemError(
        409,
        'po_not_approved',
        'Conflict',
        `Purchase order ${locked.number} is not approved yet; only an approved order can go to the supplier.`,
        undefined,
        { currentStatus: locked.status, params: { number: locked.number } },
      );
    }
    if (!(EMAILABLE as readonly string[]).includes(locked.status))
      throw invalidTransition(locked, 'e-mailed');
    const locale = input.locale ?? 'zh-CN';
    const po = (await loadPurchaseOrder(tx, id))!;
    const { pdf, ctx, filename } = await render(deps, tx, auth, po, locale);
    const to = input.to?.trim() || ctx.supplier.contactEmail?.trim();
    if (!to) {
      throw new ProblemError(
        422,
        'supplier_email_missing',
        'Unprocessable',
        `Supplier ${ctx.supplier.name} has no e-mail address; add one to the supplier or give "to".`,
        [{ field: 'body:/to', message: 'required: the supplier has no e-mail address', code: 'required' }],
        { params: { supplier: ctx.supplier.name } },
      );
    }
    const actor = { type: auth.kind, id: (auth.userId ?? auth.apiKeyId) as string };
    await tx.execute(sql`
      insert into purchase_order_emails (purchase_order_id, recipient, locale, sent_by_type, sent_by)
      values (${id}, ${to}, ${locale}, ${actor.type}, ${actor.id})`);
    let deliveryIds: string[] = [];
    if (locked.status === 'approved' && input.markSent !== false) {
      await tx.execute(sql`
        update purchase_orders set status = 'sent', sent_at = now(), sent_by = ${actor.id}, updated_at = now() where id = ${id}`);
      deliveryIds = (await emitStatusChange(tx, auth, locked, 'approved', 'sent')).deliveryIds;
    }
    const words = mailText(po, ctx, locale, input.message);
    await deps.mailer.send({
      to,
      subject: words.subject,
      text: words.text,
      attachments: [{ filename, content: pdf, contentType: 'application/pdf' }],
    });
    // Reloaded: the answer shows this e-mail (and the sending) in the history.
    return { purchaseOrder: (await loadPurchaseOrder(tx, id))!, recipient: to, deliveryIds };
  });
}
