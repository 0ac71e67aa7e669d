import { useState } from 'preact/hooks';
import { Link } from 'wouter-preact';
import { api, call } from '../api/client';
import { can } from '../api/session';
import { MoreButton } from '../components/more';
import { SiteFilter } from '../components/site-filter';
import { Card, Empty, ErrorBox, Loading, PageHeader, Tabs } from '../components/ui';
import { useI18n } from '../i18n/i18n';
import { usePaged } from '../lib/paged';
import { unitWord } from '../lib/units';
import { useAction } from '../lib/use-api';

type Status = 'pending' | 'accepted' | 'rejected';

/**
 * Anomaly review (异常用量复核): days whose consumption the engine found far from usual. While
 * pending they are kept out of the forecast; a person accepts one as real use or rejects it as
 * not demand (a booking error, a one-off).
 */
export default function AnomaliesPage() {
  const { t, name, num, date, dateTime, locale } = useI18n();
  const [status, setStatus] = useState<Status>('pending');
  const [siteId, setSiteId] = useState('');
  const list = usePaged(
    (cursor) =>
      call(
        api.GET('/v1/anomalies', {
          params: {
            query: { limit: 50, status, ...(siteId ? { siteId } : {}), ...(cursor ? { cursor } : {}) },
          },
        }),
      ),
    [status, siteId],
  );
  const review = useAction(async (id: string, verdict: 'accept' | 'reject') => {
    const opts = { params: { path: { id } }, body: {} };
    if (verdict === 'accept') await call(api.POST('/v1/anomalies/{id}/accept', opts));
    else await call(api.POST('/v1/anomalies/{id}/reject', opts));
    list.reload();
  });
  const reviewer = can('stock:write') || can('purchasing');
  return (
    <div class="page" data-page="anomalies">
      <PageHeader title={t('anomalies.title')} />
      <p class="muted">{t('anomalies.intro')}</p>
      <Tabs
        label={t('anomalies.title')}
        value={status}
        onValue={setStatus}
        tabs={[
          { value: 'pending', label: t('anomalies.pending') },
          { value: 'accepted', label: t('anomalies.accepted') },
          { value: 'rejected', label: t('anomalies.rejected') },
        ]}
      />
      <Card>
        <div class="filters">
          <SiteFilter value={siteId} onValue={setSiteId} />
        </div>
        <ErrorBox error={list.error ?? review.error} />
        {list.loading && list.items.length === 0 && <Loading />}
        {!list.loading && list.items.length === 0 && <Empty>{t('anomalies.none')}</Empty>}
        {list.items.length > 0 && (
          <div class="table-wrap">
            <table data-testid="anomalies-table">
              <thead>
                <tr>
                  <th>{t('anomalies.day')}</th>
                  <th>{t('item.name')}</th>
                  <th>{t('field.location')}</th>
                  <th class="num">{t('anomalies.quantity')}</th>
                  <th class="num">{t('anomalies.expected')}</th>
                  <th class="num">{t('anomalies.score')}</th>
                  <th>{t('anomalies.reviewed')}</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {list.items.map((a) => (
                  <tr key={a.id}>
                    <td>{date(a.day)}</td>
                    <td>
                      <Link href={`/items/${a.itemId}`}>
                        {a.itemCode} {name(a)}
                      </Link>
                    </td>
                    <td>
                      {a.siteName} · {a.locationName}
                    </td>
                    <td class="num">
                      {num(a.quantity)} {unitWord(a.baseUnit, locale)}
                    </td>
                    <td class="num">{num(a.expected)}</td>
                    <td class="num">{num(a.score, 1)}</td>
                    <td>{a.reviewedAt ? dateTime(a.reviewedAt) : ''}</td>
                    <td class="actions">
                      {reviewer && a.status !== 'accepted' && (
                        <button
                          type="button"
                          class="link-button"
                          onClick={() => void review.run(a.id, 'accept')}
                        >
                          {t('anomalies.accept')}
                        </button>
                      )}{' '}
                      {reviewer && a.status !== 'rejected' && (
                        <button
                          type="button"
                          class="link-button danger"
                          onClick={() => void review.run(a.id, 'reject')}
                        >
                          {t('anomalies.reject')}
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <MoreButton hasMore={list.hasMore} more={list.more} />
      </Card>
    </div>
  );
}
