import { Link } from 'wouter-preact';
import { api, call } from '../api/client';
import { ErrorBox, Loading } from '../components/ui';
import { type MessageKey, useI18n } from '../i18n/i18n';
import { locationLabel, useSites } from '../lib/sites';
import { useApi } from '../lib/use-api';

/**
 * The purchase order laid out for paper (the browser's print, A4): the same content as the PDF,
 * in the user's language. The screen-only controls are hidden when printing (styles.css).
 */
export default function PurchaseOrderPrintPage({ id }: { id: string }) {
  const { t, name, num, money, date, dateTime, pick } = useI18n();
  const sites = useSites();
  const po = useApi(() => call(api.GET('/v1/purchase-orders/{id}', { params: { path: { id } } })), [id]);
  if (po.loading && !po.data) return <Loading />;
  if (po.error) return <ErrorBox error={po.error} />;
  const p = po.data;
  if (!p) return null;
  return (
    <div class="page po-print" data-page="purchase-order-print">
      <div class="no-print actions-row">
        <Link href={`/purchasing?po=${p.id}`}>{t('poDay.print.back')}</Link>
        <button type="button" class="primary" onClick={() => window.print()}>
          {t('poDay.print.now')}
        </button>
      </div>
      <h1>
        {t('poDay.print.title')} {p.number}
      </h1>
      {p.status === 'cancelled' && (
        <p class="po-print-cancelled">
          {t('poDay.print.cancelled')} — {p.cancelReason}
        </p>
      )}
      <dl class="po-print-head">
        <dt>{t('po.status')}</dt>
        <dd>{t(`poStatus.${p.status}` as MessageKey)}</dd>
        <dt>{t('po.supplier')}</dt>
        <dd>
          {p.supplierName} ({p.supplierCode})
        </dd>
        <dt>{t('po.deliverTo')}</dt>
        <dd>{locationLabel(sites.data, p.locationId)}</dd>
        <dt>{t('poDay.expectedAt')}</dt>
        <dd>{date(p.expectedAt)}</dd>
        <dt>{t('poDay.createdBy')}</dt>
        <dd>
          {p.createdByName ?? t('poDay.someone')} · {dateTime(p.createdAt)}
        </dd>
        <dt>{t('poDay.approvedBy')}</dt>
        <dd>
          {p.approvedAt
            ? `${p.approvedByName ?? t('poDay.someone')} · ${dateTime(p.approvedAt)}`
            : t('poDay.print.notApproved')}
        </dd>
      </dl>
      <table class="po-print-lines">
        <thead>
          <tr>
            <th>{t('poDay.print.code')}</th>
            <th>{t('item.name')}</th>
            <th class="num">{t('po.ordered')}</th>
            <th class="num">{t('poDay.edit.unitPrice')}</th>
            <th class="num">{t('poDay.print.amount')}</th>
            <th>{t('poDay.lineExpectedAt')}</th>
          </tr>
        </thead>
        <tbody>
          {p.lines.map((l) => (
            <tr key={l.id}>
              <td>{l.itemCode}</td>
              <td>{name(l)}</td>
              <td class="num">
                {num(l.quantityOrdered)} {pick(l.baseUnitName)}
              </td>
              <td class="num">{money(l.unitPrice)}</td>
              <td class="num">{money(l.value)}</td>
              <td>{date(l.expectedAt ?? p.expectedAt)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <td colSpan={4}>{t('poDay.print.total')}</td>
            <td class="num">{money(p.value)}</td>
            <td />
          </tr>
        </tfoot>
      </table>
      {p.notes && (
        <p>
          {t('poDay.notes')}: {p.notes}
        </p>
      )}
    </div>
  );
}
