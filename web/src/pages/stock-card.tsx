import { useMemo, useState } from 'preact/hooks';
import { Link } from 'wouter-preact';
import { api, call } from '../api/client';
import { Chart, type ChartSeries, toUnix } from '../components/chart';
import { MoreButton } from '../components/more';
import { SiteFilter } from '../components/site-filter';
import { Card, Empty, ErrorBox, Loading, PageHeader } from '../components/ui';
import { type MessageKey, useI18n } from '../i18n/i18n';
import { usePaged } from '../lib/paged';
import { useApi } from '../lib/use-api';

/** The item stock card (台账): stock by lot and location, on-hand over time, every movement. */
export default function StockCardPage({ id }: { id: string }) {
  const { t, name, num, date, pick } = useI18n();
  const [siteId, setSiteId] = useState('');
  const scope = siteId ? { siteId } : {};
  const card = useApi(
    () =>
      call(
        api.GET('/v1/items/{id}/stock-card', { params: { path: { id }, query: { ...scope, days: 180 } } }),
      ),
    [id, siteId],
  );
  const c = card.data;
  const unit = c ? pick(c.baseUnit) || c.baseUnit.code : '';
  return (
    <div class="page" data-page="stock-card">
      <PageHeader
        title={c ? t('stockCard.title', { code: c.itemCode, name: name(c) }) : t('stockCard.heading')}
      >
        <Link href="/master-data/items">{t('stockCard.backToItems')}</Link>
      </PageHeader>
      <div class="filters">
        <SiteFilter value={siteId} onValue={setSiteId} />
      </div>
      <ErrorBox error={card.error} />
      {card.loading && !c && <Loading />}
      {c && (
        <>
          <Card title={t('stockCard.byLot')}>
            <p class="tile-value" data-testid="stock-card-on-hand">
              {t('stockCard.onHand', { qty: num(c.onHand), unit })}
            </p>
            {c.lots.length === 0 ? (
              <Empty>{t('stockCard.noStock')}</Empty>
            ) : (
              <div class="table-wrap">
                <table data-testid="stock-card-lots">
                  <thead>
                    <tr>
                      <th>{t('field.location')}</th>
                      <th>{t('field.lot')}</th>
                      <th>{t('field.expiry')}</th>
                      <th class="num">{t('stockCard.qty', { unit })}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {c.lots.map((l) => (
                      <tr key={`${l.locationId}|${l.lotNumber}`}>
                        <td>
                          {l.siteName} · {l.locationName}
                          {!l.locationActive && <span class="badge">{t('md.inactive')}</span>}
                        </td>
                        <td>{l.lotNumber ?? t('stockCard.noLot')}</td>
                        <td>{date(l.expiryDate)}</td>
                        <td class="num">{num(l.onHand)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </Card>
          <Card title={t('stockCard.history')}>
            <History history={c.history} unit={unit} />
          </Card>
          <Movements itemId={id} siteId={siteId} unit={unit} />
        </>
      )}
    </div>
  );
}

function History({ history, unit }: { history: { day: string; onHand: number }[]; unit: string }) {
  const { t, num } = useI18n();
  const x = useMemo(() => history.map((p) => toUnix(p.day)), [history]);
  const series = useMemo<ChartSeries[]>(
    () => [
      {
        label: t('stockCard.onHandSeries', { unit }),
        values: history.map((p) => p.onHand),
        color: '#2563eb',
      },
    ],
    [history, unit, t],
  );
  if (history.length === 0) return <Empty>{t('stockCard.noData')}</Empty>;
  return <Chart title={t('stockCard.history')} x={x} series={series} height={220} yFormat={(v) => num(v)} />;
}

function Movements({ itemId, siteId, unit }: { itemId: string; siteId: string; unit: string }) {
  const { t, num, dateTime, date } = useI18n();
  const list = usePaged(
    (cursor) =>
      call(
        api.GET('/v1/items/{id}/stock-card/movements', {
          params: {
            path: { id: itemId },
            query: { limit: 50, ...(siteId ? { siteId } : {}), ...(cursor ? { cursor } : {}) },
          },
        }),
      ),
    [itemId, siteId],
  );
  return (
    <Card title={t('stockCard.movements')}>
      <ErrorBox error={list.error} />
      {list.loading && list.items.length === 0 && <Loading />}
      {!list.loading && list.items.length === 0 && <Empty>{t('stockCard.noMovements')}</Empty>}
      {list.items.length > 0 && (
        <div class="table-wrap">
          <table data-testid="stock-card-movements">
            <thead>
              <tr>
                <th>{t('stockCard.when')}</th>
                <th>{t('stockCard.type')}</th>
                <th>{t('field.location')}</th>
                <th>{t('field.lot')}</th>
                <th class="num">{t('stockCard.change', { unit })}</th>
                <th class="num">{t('stockCard.balance')}</th>
                <th>{t('stockCard.reference')}</th>
                <th>{t('stockCard.who')}</th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((m) => (
                <tr key={m.id}>
                  <td title={t('stockCard.recordedAt', { at: dateTime(m.recordedAt) })}>
                    {dateTime(m.occurredAt)}
                  </td>
                  <td>{t(`movementType.${m.type}` as MessageKey)}</td>
                  <td>
                    {m.siteName} · {m.locationName}
                  </td>
                  <td>
                    {m.lotNumber ?? ''}
                    {m.expiryDate && <small class="muted"> {date(m.expiryDate)}</small>}
                  </td>
                  <td class="num">{m.quantity > 0 ? `+${num(m.quantity)}` : num(m.quantity)}</td>
                  <td class="num">{num(m.balance)}</td>
                  <td>{[m.reference, m.reason].filter(Boolean).join(' · ')}</td>
                  <td>{m.actorName ?? t('stockCard.system')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <MoreButton hasMore={list.hasMore} more={list.more} />
    </Card>
  );
}
