import { useState } from 'preact/hooks';
import { api, call } from '../api/client';
import { SiteFilter } from '../components/site-filter';
import { Card, Empty, ErrorBox, Loading, PageHeader, TextField } from '../components/ui';
import { useI18n } from '../i18n/i18n';
import { useApi } from '../lib/use-api';

/**
 * Lead times and supplier performance: per supplier the on-time rate, the measured lead time
 * (mean and 90th percentile beside the stated one) and the orders still open, each with its
 * definition, over a window the purchaser chooses.
 */
export default function SupplierPerformancePage() {
  const { t, num, pct, money, date } = useI18n();
  const [siteId, setSiteId] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const data = useApi(
    () =>
      call(
        api.GET('/v1/supplier-performance', {
          params: {
            query: { ...(siteId ? { siteId } : {}), ...(from ? { from } : {}), ...(to ? { to } : {}) },
          },
        }),
      ),
    [siteId, from, to],
  );
  const days = (n: number | null) => (n === null ? '—' : t('sp.days', { n: num(n, 1) }));
  return (
    <div class="page" data-page="supplier-performance">
      <PageHeader title={t('sp.title')} />
      <Card>
        <div class="filters">
          <SiteFilter value={siteId} onValue={setSiteId} />
          <TextField label={t('sp.from')} type="date" value={from} onValue={setFrom} />
          <TextField label={t('sp.to')} type="date" value={to} onValue={setTo} />
        </div>
        {data.data && (
          <p class="muted" data-testid="sp-window">
            {t('sp.window', { from: date(data.data.from), to: date(data.data.to) })}
          </p>
        )}
        <ErrorBox error={data.error} />
        {data.loading && !data.data && <Loading />}
        {data.data && data.data.items.length === 0 && <Empty>{t('sp.none')}</Empty>}
        {data.data && data.data.items.length > 0 && (
          <div class="table-wrap">
            <table data-testid="sp-table">
              <thead>
                <tr>
                  <th>{t('po.supplier')}</th>
                  <th class="num" title={t('sp.def.onTime')}>
                    {t('sp.onTime')}
                  </th>
                  <th class="num">{t('sp.receipts')}</th>
                  <th class="num" title={t('sp.def.leadTime')}>
                    {t('sp.meanLead')}
                  </th>
                  <th class="num" title={t('sp.def.p90')}>
                    {t('sp.p90Lead')}
                  </th>
                  <th class="num">{t('sp.nominal')}</th>
                  <th class="num" title={t('sp.def.open')}>
                    {t('sp.open')}
                  </th>
                  <th class="num" title={t('sp.def.overdue')}>
                    {t('sp.overdue')}
                  </th>
                  <th>{t('sp.next')}</th>
                </tr>
              </thead>
              <tbody>
                {data.data.items.map((s) => (
                  <tr key={s.supplierId} data-supplier={s.supplierCode}>
                    <td>
                      {s.supplierName} <small class="muted">{s.supplierCode}</small>
                    </td>
                    <td class="num">{s.onTimeRate === null ? t('sp.noData') : pct(s.onTimeRate)}</td>
                    <td class="num">
                      {t('sp.receiptsOf', { onTime: num(s.receiptsOnTime), total: num(s.receipts) })}
                    </td>
                    <td class="num">{days(s.leadTime.meanDays)}</td>
                    <td class="num">{days(s.leadTime.p90Days)}</td>
                    <td class="num">{days(s.leadTime.nominalDays)}</td>
                    <td class="num">
                      {num(s.openOrders)} <small class="muted">{money(s.openValue)}</small>
                    </td>
                    <td class={`num${s.overdueOrders > 0 ? ' tone-high' : ''}`}>{num(s.overdueOrders)}</td>
                    <td>{s.nextExpectedAt ? date(s.nextExpectedAt) : '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
      <Card title={t('sp.definitions')}>
        <dl class="definitions" data-testid="sp-definitions">
          <dt>{t('sp.onTime')}</dt>
          <dd>{t('sp.def.onTime')}</dd>
          <dt>{t('sp.meanLead')}</dt>
          <dd>{t('sp.def.leadTime')}</dd>
          <dt>{t('sp.p90Lead')}</dt>
          <dd>{t('sp.def.p90')}</dd>
          <dt>{t('sp.open')}</dt>
          <dd>{t('sp.def.open')}</dd>
          <dt>{t('sp.overdue')}</dt>
          <dd>{t('sp.def.overdue')}</dd>
        </dl>
      </Card>
    </div>
  );
}
