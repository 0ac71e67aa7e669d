import { useEffect, useState } from 'preact/hooks';
import { Link } from 'wouter-preact';
import { api, call, type Json } from '../api/client';
import { ALERT_STATUS_FILTERS, ALERT_TYPES, SEVERITIES } from '../api/enums';
import { SiteFilter } from '../components/site-filter';
import {
  Empty,
  ErrorBox,
  Loading,
  PageHeader,
  SelectField,
  SeverityBadge,
  StatusBadge,
} from '../components/ui';
import { type MessageKey, useI18n } from '../i18n/i18n';
import { useQueryParam } from '../lib/query-string';
import { siteName, useSites } from '../lib/sites';
import { useApi } from '../lib/use-api';

type AlertList = Json<'/v1/alerts', 'get'>;
type Query = NonNullable<
  NonNullable<import('../api/client').Paths['/v1/alerts']['get']['parameters']['query']>
>;

export default function AlertsPage() {
  const { t, name, dateTime, pick } = useI18n();
  const sites = useSites();
  const [type, setType] = useState('');
  const [severity, setSeverity] = useState(useQueryParam('severity'));
  // By default every live alert: open ones first, then those in progress (acknowledged or snoozed),
  // so an acknowledged alert never drops out of sight and the list agrees with the dashboard's counts.
  const [status, setStatus] = useState<string>('');
  const [siteId, setSiteId] = useState('');
  const [items, setItems] = useState<AlertList['items']>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const query: Query = {
    limit: 50,
    ...(type ? { type: type as Query['type'] } : {}),
    ...(severity ? { severity: severity as Query['severity'] } : {}),
    ...(status ? { status: status as Query['status'] } : {}),
    ...(siteId ? { siteId } : {}),
  };
  const first = useApi(
    () => call(api.GET('/v1/alerts', { params: { query } })),
    [type, severity, status, siteId],
  );
  useEffect(() => {
    if (first.data) {
      setItems(first.data.items);
      setCursor(first.data.nextCursor);
    }
  }, [first.data]);
  const more = async () => {
    if (!cursor) return;
    const page = await call(api.GET('/v1/alerts', { params: { query: { ...query, cursor } } }));
    setItems((x) => [...x, ...page.items]);
    setCursor(page.nextCursor);
  };

  return (
    <div class="page" data-page="alerts">
      <PageHeader title={t('alerts.title')} />
      <form class="filters" onSubmit={(e) => e.preventDefault()} aria-label={t('common.filters')}>
        <SelectField
          label={t('alerts.type')}
          value={type}
          onValue={setType}
          options={[
            { value: '', label: t('common.all') },
            ...ALERT_TYPES.map((x) => ({ value: x, label: t(`alertType.${x}` as MessageKey) })),
          ]}
        />
        <SelectField
          label={t('alerts.severity')}
          value={severity}
          onValue={setSeverity}
          options={[
            { value: '', label: t('common.all') },
            ...SEVERITIES.map((x) => ({ value: x, label: t(`severity.${x}` as MessageKey) })),
          ]}
        />
        <SelectField
          label={t('alerts.status')}
          value={status}
          onValue={setStatus}
          options={[
            { value: '', label: t('alerts.status.live') },
            ...ALERT_STATUS_FILTERS.map((x) => ({ value: x, label: t(`status.${x}` as MessageKey) })),
          ]}
        />
        <SiteFilter value={siteId} onValue={setSiteId} />
      </form>
      <ErrorBox error={first.error} />
      {first.loading && items.length === 0 && <Loading />}
      {!first.loading && items.length === 0 && <Empty>{t('alerts.none')}</Empty>}
      {items.length > 0 && (
        <div class="table-wrap">
          <table class="alerts-table">
            <thead>
              <tr>
                <th>{t('alerts.severity')}</th>
                <th>{t('item.name')}</th>
                <th>{t('alerts.type')}</th>
                <th>{t('alerts.why')}</th>
                <th>{t('field.site')}</th>
                <th>{t('alerts.status')}</th>
                <th>{t('alerts.openedAt')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((a) => (
                <tr key={a.id}>
                  <td>
                    <SeverityBadge severity={a.severity} />
                  </td>
                  <td>
                    <Link href={`/alerts/${a.id}`}>
                      <strong>{a.itemCode}</strong> {name(a)}
                    </Link>
                  </td>
                  <td>{t(`alertType.${a.type}` as MessageKey)}</td>
                  <td class="why">{pick(a.explanation.text)}</td>
                  <td>{siteName(sites.data, a.siteId)}</td>
                  <td>
                    <StatusBadge status={a.status} />
                  </td>
                  <td>{dateTime(a.openedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {cursor && (
        <button type="button" onClick={() => void more()}>
          {t('common.loadMore')}
        </button>
      )}
    </div>
  );
}
