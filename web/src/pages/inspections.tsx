import { useState } from 'preact/hooks';
import { api, call, idempotencyKey, type Json } from '../api/client';
import { can } from '../api/session';
import { ConfirmDialog } from '../components/confirm-dialog';
import { SiteFilter } from '../components/site-filter';
import { Card, Empty, ErrorBox, Loading, PageHeader, SelectField, Tabs } from '../components/ui';
import { type MessageKey, useI18n } from '../i18n/i18n';
import { locationLabel, useSites } from '../lib/sites';
import { unitWord } from '../lib/units';
import { useApi } from '../lib/use-api';

type Inspection = Json<'/v1/inspections', 'get'>['items'][number];
type Status = 'pending' | 'released' | 'rejected';
type Disposition = 'return' | 'write_off';

/**
 * Goods awaiting inspection (待验收): receipts held in quarantine — on hand, not issuable — until a
 * storekeeper releases them or rejects them (back to the supplier, or written off), with who and
 * when shown for every decision.
 */
export default function InspectionsPage() {
  const { t, num, dateTime, date, name, locale } = useI18n();
  const sites = useSites();
  const [status, setStatus] = useState<Status>('pending');
  const [siteId, setSiteId] = useState('');
  const [deciding, setDeciding] = useState<{ n: Inspection; decision: 'release' | 'reject' } | null>(null);
  const [disposition, setDisposition] = useState<Disposition>('return');
  const list = useApi(
    () => call(api.GET('/v1/inspections', { params: { query: { status, ...(siteId ? { siteId } : {}) } } })),
    [status, siteId],
  );
  const words = (n: Inspection) => ({
    item: `${n.itemCode} ${name({ nameZh: n.itemNameZh, nameEn: n.itemNameEn })}`,
    lot: n.lotNumber,
    quantity: num(n.quantity),
    unit: n.baseUnit,
  });
  return (
    <div class="page" data-page="inspections">
      <PageHeader title={t('inspections.title')} />
      <Card>
        <p class="muted">{t('inspections.intro')}</p>
        <div class="filters">
          <Tabs
            label={t('inspections.title')}
            value={status}
            onValue={setStatus}
            tabs={(['pending', 'released', 'rejected'] as const).map((s) => ({
              value: s,
              label: t(`inspections.status.${s}` as MessageKey),
            }))}
          />
          <SiteFilter value={siteId} onValue={setSiteId} />
        </div>
        <ErrorBox error={list.error} />
        {list.loading && !list.data && <Loading />}
        {list.data && list.data.items.length === 0 && <Empty>{t('inspections.empty')}</Empty>}
        {list.data && list.data.items.length > 0 && (
          <div class="table-wrap">
            <table data-testid="inspections">
              <thead>
                <tr>
                  <th>{t('item.name')}</th>
                  <th>{t('field.lot')}</th>
                  <th>{t('field.expiry')}</th>
                  <th class="num">{t('movement.quantity')}</th>
                  <th>{t('field.location')}</th>
                  <th>{t('receiving.supplier')}</th>
                  <th>{t('inspections.documents')}</th>
                  <th>{t('inspections.received')}</th>
                  {status === 'pending' ? can('stock:write') && <th /> : <th>{t('inspections.decided')}</th>}
                </tr>
              </thead>
              <tbody>
                {list.data.items.map((n) => (
                  <tr key={n.id} data-inspection={n.id}>
                    <td>{words(n).item}</td>
                    <td>{n.lotNumber}</td>
                    <td>{date(n.expiryDate)}</td>
                    <td class="num">
                      {num(n.quantity)} <small>{unitWord(n.baseUnit, locale)}</small>
                    </td>
                    <td>{locationLabel(sites.data, n.locationId)}</td>
                    <td>{n.supplierName ?? ''}</td>
                    <td>
                      {[
                        n.purchaseOrderNumber,
                        n.invoiceNumber && `${t('receiving.invoiceNumber')} ${n.invoiceNumber}`,
                        n.deliveryNoteNumber &&
                          `${t('receiving.deliveryNoteNumber')} ${n.deliveryNoteNumber}`,
                      ]
                        .filter(Boolean)
                        .join(' · ')}
                    </td>
                    <td>
                      {dateTime(n.receivedAt)}
                      {n.receivedByName && (
                        <small class="muted"> {t('inspections.by', { name: n.receivedByName })}</small>
                      )}
                    </td>
                    {status === 'pending' ? (
                      can('stock:write') && (
                        <td class="actions-row">
                          <button
                            type="button"
                            class="primary"
                            onClick={() => setDeciding({ n, decision: 'release' })}
                          >
                            {t('inspections.release')}
                          </button>
                          <button
                            type="button"
                            class="danger"
                            onClick={() => setDeciding({ n, decision: 'reject' })}
                          >
                            {t('inspections.reject')}
                          </button>
                        </td>
                      )
                    ) : (
                      <td>
                        {dateTime(n.decidedAt)}
                        {n.decidedByName && (
                          <small class="muted"> {t('inspections.by', { name: n.decidedByName })}</small>
                        )}
                        {n.decisionReason && <div>{n.decisionReason}</div>}
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
      {deciding?.decision === 'release' && (
        <ConfirmDialog
          title={t('inspections.releaseTitle')}
          message={t('inspections.releaseMessage', words(deciding.n))}
          confirmLabel={t('inspections.release')}
          reasonLabel={t('inspections.releaseNote')}
          onConfirm={async (reason) => {
            await call(
              api.POST('/v1/inspections/{id}/release', {
                params: { path: { id: deciding.n.id } },
                body: { reason },
                headers: { 'Idempotency-Key': idempotencyKey() },
              }),
            );
            list.reload();
          }}
          onClose={() => setDeciding(null)}
        />
      )}
      {deciding?.decision === 'reject' && (
        <div data-testid="reject-disposition">
          <ConfirmDialog
            title={t('inspections.rejectTitle')}
            message={t('inspections.rejectMessage', {
              ...words(deciding.n),
              disposition: t(`inspections.disposition.${disposition}` as MessageKey),
            })}
            confirmLabel={t('inspections.reject')}
            reasonLabel={t('inspections.rejectReason')}
            onConfirm={async (reason) => {
              await call(
                api.POST('/v1/inspections/{id}/reject', {
                  params: { path: { id: deciding.n.id } },
                  body: { reason, disposition },
                  headers: { 'Idempotency-Key': idempotencyKey() },
                }),
              );
              list.reload();
            }}
            onClose={() => setDeciding(null)}
          >
            <SelectField
              label={t('inspections.disposition')}
              name="disposition"
              value={disposition}
              onValue={setDisposition}
              options={(['return', 'write_off'] as const).map((d) => ({
                value: d,
                label: t(`inspections.disposition.${d}` as MessageKey),
              }))}
            />
          </ConfirmDialog>
        </div>
      )}
    </div>
  );
}
