import { useState } from 'preact/hooks';
import { api, call } from '../api/client';
import { can } from '../api/session';
import { type Item, ItemPicker } from '../components/item-picker';
import { SupplierField, useSupplierOptions } from '../components/receiving-fields';
import { SiteFilter } from '../components/site-filter';
import { Card, Empty, ErrorBox, Loading, PageHeader, SelectField, TextField } from '../components/ui';
import { useI18n } from '../i18n/i18n';
import { locationLabel, useSites } from '../lib/sites';
import { unitWord } from '../lib/units';
import { useAction, useApi } from '../lib/use-api';

const thisMonth = () => new Date().toISOString().slice(0, 7);

/**
 * Consignment (寄售): vendor-owned stock on hand, valued at the supplier's price, and the monthly
 * usage statement per supplier that the supplier invoices after use (用后结算), as CSV too.
 */
export default function ConsignmentPage() {
  const { t, num, money, date, name, locale } = useI18n();
  const sites = useSites();
  const suppliers = useSupplierOptions();
  const [siteId, setSiteId] = useState('');
  const [supplierId, setSupplierId] = useState('');
  const [month, setMonth] = useState(thisMonth());
  const scope = { ...(siteId ? { siteId } : {}), ...(supplierId ? { supplierId } : {}) };
  const stock = useApi(
    () => call(api.GET('/v1/consignment/stock', { params: { query: scope } })),
    [siteId, supplierId],
  );
  const validMonth = /^\d{4}-(0[1-9]|1[0-2])$/.test(month);
  const statement = useApi(
    () =>
      supplierId && validMonth
        ? call(
            api.GET('/v1/consignment/statement', {
              params: { query: { supplierId, month, ...(siteId ? { siteId } : {}) } },
            }),
          )
        : Promise.resolve(undefined),
    [supplierId, month, siteId],
  );
  const s = statement.data && typeof statement.data === 'object' ? statement.data : undefined;
  // The CSV through the same typed client, saved as the file the server names.
  const download = useAction(async () => {
    // As bytes: text() would drop the BOM that lets Excel on Chinese Windows read it as UTF-8.
    const blob = await call(
      api.GET('/v1/consignment/statement', {
        params: { query: { supplierId, month, format: 'csv', ...(siteId ? { siteId } : {}) } },
        headers: { 'Accept-Language': locale },
        parseAs: 'blob',
      }),
    );
    const url = URL.createObjectURL(blob as unknown as Blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = `consignment-${month}.csv`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  });
  return (
    <div class="page" data-page="consignment">
      <PageHeader title={t('consignment.title')} />
      <Card>
        <p class="muted">{t('consignment.intro')}</p>
        <div class="filters">
          <SiteFilter value={siteId} onValue={setSiteId} />
          <SelectField
            label={t('consignment.supplier')}
            name="filterSupplierId"
            value={supplierId}
            onValue={setSupplierId}
            options={[{ value: '', label: t('consignment.chooseSupplier') }, ...(suppliers.data ?? [])]}
          />
        </div>
      </Card>
      <ConsignmentTerms supplierId={supplierId} />
      <Card title={t('consignment.stock')}>
        <ErrorBox error={stock.error} />
        {stock.loading && !stock.data && <Loading />}
        {stock.data && stock.data.items.length === 0 && <Empty>{t('consignment.stockEmpty')}</Empty>}
        {stock.data && stock.data.items.length > 0 && (
          <>
            <div class="table-wrap">
              <table data-testid="consignment-stock">
                <thead>
                  <tr>
                    <th>{t('consignment.supplier')}</th>
                    <th>{t('item.name')}</th>
                    <th>{t('field.location')}</th>
                    <th>{t('field.lot')}</th>
                    <th>{t('field.expiry')}</th>
                    <th class="num">{t('movement.quantity')}</th>
                    <th class="num">{t('consignment.unitPrice')}</th>
                    <th class="num">{t('consignment.value')}</th>
                  </tr>
                </thead>
                <tbody>
                  {stock.data.items.map((x) => (
                    <tr key={`${x.locationId}-${x.lotNumber}-${x.itemId}`}>
                      <td>{x.supplierName}</td>
                      <td>
                        {x.itemCode} {name({ nameZh: x.itemNameZh, nameEn: x.itemNameEn })}
                      </td>
                      <td>{locationLabel(sites.data, x.locationId)}</td>
                      <td>{x.lotNumber}</td>
                      <td>{date(x.expiryDate)}</td>
                      <td class="num">
                        {num(x.onHand)} <small>{unitWord(x.baseUnit, locale)}</small>
                      </td>
                      <td class="num">{money(x.unitPrice)}</td>
                      <td class="num">{money(x.value)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <p class="meta">{t('consignment.totalValue', { value: money(stock.data.totalValue) })}</p>
          </>
        )}
      </Card>
      <Card title={t('consignment.statement')}>
        <div class="filters">
          <TextField
            label={t('consignment.month')}
            type="month"
            name="month"
            value={month}
            onValue={setMonth}
          />
        </div>
        {!supplierId && <p class="muted">{t('consignment.chooseSupplier')}</p>}
        <ErrorBox error={statement.error ?? download.error} />
        {supplierId && statement.loading && !s && <Loading />}
        {s && s.lines.length === 0 && <Empty>{t('consignment.statementEmpty')}</Empty>}
        {s && s.lines.length > 0 && (
          <>
            <div class="table-wrap">
              <table data-testid="consignment-statement">
                <thead>
                  <tr>
                    <th>{t('item.name')}</th>
                    <th class="num">{t('consignment.used')}</th>
                    <th class="num">{t('consignment.unitPrice')}</th>
                    <th class="num">{t('consignment.amount')}</th>
                  </tr>
                </thead>
                <tbody>
                  {s.items.map((i) => (
                    <tr key={i.itemId}>
                      <td>
                        {i.itemCode} {name({ nameZh: i.itemNameZh, nameEn: i.itemNameEn })}
                      </td>
                      <td class="num">
                        {num(i.quantity)} <small>{unitWord(i.baseUnit, locale)}</small>
                      </td>
                      <td class="num">{money(i.unitPrice)}</td>
                      <td class="num">{money(i.amount)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <div class="table-wrap">
              <table data-testid="consignment-lines">
                <thead>
                  <tr>
                    <th>{t('movements.when')}</th>
                    <th>{t('item.code')}</th>
                    <th>{t('field.lot')}</th>
                    <th>{t('field.location')}</th>
                    <th>{t('consignment.department')}</th>
                    <th class="num">{t('consignment.used')}</th>
                    <th class="num">{t('consignment.amount')}</th>
                    <th>{t('movement.reference')}</th>
                  </tr>
                </thead>
                <tbody>
                  {s.lines.map((l) => (
                    <tr key={l.movementId}>
                      <td>{date(l.day)}</td>
                      <td>{l.itemCode}</td>
                      <td>{l.lotNumber}</td>
                      <td>{l.locationName}</td>
                      <td>{l.departmentName ?? ''}</td>
                      <td class="num">{num(l.quantity)}</td>
                      <td class="num">{money(l.amount)}</td>
                      <td>{l.reference ?? ''}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <p class="meta" data-testid="consignment-total">
              {t('consignment.total', { amount: money(s.totalAmount) })}
            </p>
          </>
        )}
        {s && (
          <button type="button" disabled={download.busy} onClick={() => void download.run()}>
            {t('consignment.downloadCsv')}
          </button>
        )}
      </Card>
    </div>
  );
}

/**
 * Which items each supplier delivers on consignment: marked here (purchasers, admins) on an
 * existing item–supplier term; receipts from that supplier are then vendor-owned.
 */
function ConsignmentTerms({ supplierId }: { supplierId: string }) {
  const { t, name, money } = useI18n();
  const terms = useApi(
    () => call(api.GET('/v1/consignment/terms', { params: { query: supplierId ? { supplierId } : {} } })),
    [supplierId],
  );
  const [item, setItem] = useState<Item | null>(null);
  const [termSupplier, setTermSupplier] = useState('');
  const mark = useAction(async (itemId: string, supplier: string, consignment: boolean) => {
    await call(
      api.PUT('/v1/items/{id}/suppliers/{supplierId}/consignment', {
        params: { path: { id: itemId, supplierId: supplier } },
        body: { consignment },
      }),
    );
    setItem(null);
    terms.reload();
  });
  const editable = can('purchasing') || can('admin');
  return (
    <Card title={t('consignment.terms')}>
      <ErrorBox error={terms.error ?? mark.error} />
      {terms.data && terms.data.items.length === 0 && <Empty>{t('consignment.termsEmpty')}</Empty>}
      {terms.data && terms.data.items.length > 0 && (
        <div class="table-wrap">
          <table data-testid="consignment-terms">
            <thead>
              <tr>
                <th>{t('consignment.supplier')}</th>
                <th>{t('item.name')}</th>
                <th class="num">{t('consignment.unitPrice')}</th>
                {editable && <th />}
              </tr>
            </thead>
            <tbody>
              {terms.data.items.map((x) => (
                <tr key={`${x.supplierId}-${x.itemId}`}>
                  <td>{x.supplierName}</td>
                  <td>
                    {x.itemCode} {name({ nameZh: x.itemNameZh, nameEn: x.itemNameEn })}
                  </td>
                  <td class="num">{money(x.unitPrice)}</td>
                  {editable && (
                    <td>
                      <button
                        type="button"
                        disabled={mark.busy}
                        onClick={() => void mark.run(x.itemId, x.supplierId, false)}
                      >
                        {t('consignment.unmark')}
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {editable && (
        <form
          class="grid-2"
          aria-label={t('consignment.markItem')}
          onSubmit={(e) => {
            e.preventDefault();
            if (item && termSupplier) void mark.run(item.id, termSupplier, true);
          }}
        >
          <ItemPicker label={t('movement.item')} value={item} onValue={setItem} />
          <SupplierField
            label={t('consignment.supplier')}
            value={termSupplier}
            onValue={setTermSupplier}
            required
          />
          <p class="hint">{t('consignment.termsHint')}</p>
          <div class="actions-row">
            <button type="submit" class="primary" disabled={mark.busy || !item || !termSupplier}>
              {t('consignment.markItem')}
            </button>
          </div>
        </form>
      )}
    </Card>
  );
}
