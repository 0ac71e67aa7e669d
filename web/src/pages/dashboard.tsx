import { useMemo, useState } from 'preact/hooks';
import { Link } from 'wouter-preact';
import { api, call } from '../api/client';
import { can } from '../api/session';
import { Chart, type ChartSeries, toUnix } from '../components/chart';
import { SiteFilter } from '../components/site-filter';
import { Card, Empty, ErrorBox, Loading, PageHeader, SeverityBadge, Tile } from '../components/ui';
import { type MessageKey, useI18n } from '../i18n/i18n';
import { useApi } from '../lib/use-api';

const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
const BUCKETS = ['expired', '0-30', '31-60', '61-90'] as const;
const q = (siteId: string) => (siteId ? { siteId } : {});

export default function DashboardPage() {
  const i = useI18n();
  const { t, num, money, pct, name } = i;
  const [siteId, setSiteId] = useState('');
  const summary = useApi(
    () => call(api.GET('/v1/alerts/summary', { params: { query: q(siteId) } })),
    [siteId],
  );
  const atRisk = useApi(
    // The same alerts the tiles count: open first, then those in progress.
    () => call(api.GET('/v1/alerts', { params: { query: { limit: 8, ...q(siteId) } } })),
    [siteId],
  );
  const valuation = useApi(
    () => call(api.GET('/v1/stock/valuation', { params: { query: q(siteId) } })),
    [siteId],
  );
  const expiry = useApi(
    () => call(api.GET('/v1/stock/expiry', { params: { query: { withinDays: 90, ...q(siteId) } } })),
    [siteId],
  );
  const kpis = useApi(
    () => call(api.GET('/v1/kpis', { params: { query: { granularity: 'week', ...q(siteId) } } })),
    [siteId],
  );

  const periods = kpis.data?.total.periods ?? [];
  const last = periods[periods.length - 1];
  const x = useMemo(() => periods.map((p) => toUnix(p.start)), [periods]);
  const charts = useMemo(() => {
    const line = (label: string, values: (number | null)[], color: string): ChartSeries[] => [
      { label, values, color },
    ];
    return [
      {
        key: 'kpi.stockoutRate' as MessageKey,
        series: line(
          t('kpi.stockoutRate'),
          periods.map((p) => p.stockout.rate),
          '#c0392b',
        ),
        fmt: (v: number) => pct(v),
      },
      {
        key: 'kpi.turnoverDays' as MessageKey,
        series: line(
          t('kpi.turnoverDays'),
          periods.map((p) => p.turnover.days),
          '#2e86de',
        ),
        fmt: (v: number) => num(v, 0),
      },
      {
        key: 'kpi.inventoryValue' as MessageKey,
        series: line(
          t('kpi.inventoryValue'),
          periods.map((p) => p.inventory.endValue),
          '#27ae60',
        ),
        fmt: (v: number) => num(v, 0),
      },
      {
        key: 'kpi.alertPrecision' as MessageKey,
        series: line(
          t('kpi.alertPrecision'),
          periods.map((p) => p.alerts.precision),
          '#8e44ad',
        ),
        fmt: (v: number) => pct(v),
      },
    ];
  }, [periods, t, pct, num]);

  return (
    <div
      class="page"
      data-page="dashboard"
      data-ready={
        !summary.loading && !atRisk.loading && !valuation.loading && !expiry.loading && !kpis.loading
          ? 'true'
          : 'false'
      }
    >
      <PageHeader title={t('dashboard.title')}>
        <SiteFilter value={siteId} onValue={setSiteId} />
      </PageHeader>

      <Onboarding />

      <div class="tiles">
        {SEVERITIES.map((s) => (
          <Link key={s} href={`/alerts?severity=${s}`} class="tile-link">
            <Tile
              label={t(`dashboard.openAlerts.${s}` as MessageKey)}
              value={summary.data ? num(summary.data.bySeverity[s] ?? 0) : '…'}
              tone={s}
            />
          </Link>
        ))}
        <Tile label={t('kpi.inventoryValue')} value={valuation.data ? money(valuation.data.total) : '…'} />
        <Tile
          label={t('kpi.stockoutRate')}
          value={last ? pct(last.stockout.rate) : '…'}
          sub={t('dashboard.lastWeek')}
        />
        <Tile
          label={t('kpi.turnoverDays')}
          value={last ? num(last.turnover.days, 0) : '…'}
          sub={t('dashboard.lastWeek')}
        />
        <Tile
          label={t('kpi.alertPrecision')}
          value={last ? pct(last.alerts.precision) : '…'}
          sub={t('dashboard.lastWeek')}
        />
      </div>

      <div class="grid-2">
        <Card title={t('dashboard.itemsAtRisk')}>
          <ErrorBox error={atRisk.error} />
          {atRisk.loading && !atRisk.data && <Loading />}
          {atRisk.data && atRisk.data.items.length === 0 && <Empty>{t('dashboard.noOpenAlerts')}</Empty>}
          {atRisk.data && atRisk.data.items.length > 0 && (
            <ul class="risk-list">
              {atRisk.data.items.map((a) => (
                <li key={a.id}>
                  <SeverityBadge severity={a.severity} />
                  <Link href={`/alerts/${a.id}`}>
                    <strong>{a.itemCode}</strong> {name(a)}
                  </Link>
                  <small class="muted">{t(`alertType.${a.type}` as MessageKey)}</small>
                </li>
              ))}
            </ul>
          )}
          <Link href="/alerts">{t('dashboard.allAlerts')}</Link>
        </Card>

        <Card title={t('dashboard.nearExpiry')}>
          <ErrorBox error={expiry.error} />
          {expiry.data && (
            <div class="buckets">
              {BUCKETS.map((b) => {
                const v = expiry.data?.buckets[b];
                return (
                  <div key={b} class={`bucket bucket-${b}`}>
                    <div class="bucket-label">{t(`expiry.bucket.${b}` as MessageKey)}</div>
                    <div class="bucket-value">{num(v?.onHand ?? 0)}</div>
                    <small>
                      {t('expiry.lots', { n: v?.lots ?? 0 })} · {money(v?.value ?? 0)}
                    </small>
                  </div>
                );
              })}
            </div>
          )}
          <Link href="/stock?tab=expiry">{t('dashboard.viewExpiry')}</Link>
        </Card>
      </div>

      <Card title={t('dashboard.trends')}>
        <ErrorBox error={kpis.error} />
        {kpis.loading && !kpis.data && <Loading />}
        {kpis.data && periods.length > 0 && (
          <div class="charts">
            {charts.map((c) => (
              <figure key={c.key}>
                <figcaption>{t(c.key)}</figcaption>
                <Chart title={t(c.key)} x={x} series={c.series} height={160} yFormat={c.fmt} />
              </figure>
            ))}
          </div>
        )}
        {kpis.data && !siteId && kpis.data.sites.length > 1 && (
          <div class="table-wrap">
            <table>
              <caption>{t('dashboard.perSite')}</caption>
              <thead>
                <tr>
                  <th>{t('field.site')}</th>
                  <th class="num">{t('kpi.stockoutRate')}</th>
                  <th class="num">{t('kpi.turnoverDays')}</th>
                  <th class="num">{t('kpi.inventoryValue')}</th>
                  <th class="num">{t('kpi.alertPrecision')}</th>
                </tr>
              </thead>
              <tbody>
                {kpis.data.sites.map((s) => {
                  const p = s.periods[s.periods.length - 1];
                  return (
                    <tr key={s.siteId}>
                      <td>{s.siteName}</td>
                      <td class="num">{pct(p?.stockout.rate)}</td>
                      <td class="num">{num(p?.turnover.days, 0)}</td>
                      <td class="num">{money(p?.inventory.endValue)}</td>
                      <td class="num">{pct(p?.alerts.precision)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </Card>
    </div>
  );
}

const DISMISS_KEY = 'medstock.onboarding.dismissed';

/** The first-hour checklist: each step is done when the API shows it done. */
function Onboarding() {
  const { t } = useI18n();
  const admin = can('admin');
  const [dismissed, setDismissed] = useState(() => {
    try {
      return localStorage.getItem(DISMISS_KEY) === '1';
    } catch {
      return false;
    }
  });
  const status = useApi(async () => {
    if (dismissed) return null;
    const [stock, suppliers, users, keys] = await Promise.all([
      call(api.GET('/v1/stock/valuation', { params: { query: {} } })),
      call(api.GET('/v1/suppliers', { params: { query: { limit: 1 } } })),
      admin ? call(api.GET('/v1/users', { params: { query: { limit: 2 } } })) : Promise.resolve(null),
      admin ? call(api.GET('/v1/api-keys', { params: { query: { limit: 1 } } })) : Promise.resolve(null),
    ]);
    return {
      openingBalances: stock.total > 0,
      suppliers: suppliers.items.length > 0,
      users: users ? users.items.length > 1 : null,
      apiKey: keys ? keys.items.length > 0 : null,
    };
  }, [dismissed, admin]);
  if (dismissed || !status.data) return null;
  const steps: { done: boolean | null; label: MessageKey; href: string }[] = [
    {
      done: status.data.openingBalances,
      label: 'onboarding.openingBalances',
      href: '/imports?kind=opening_balances',
    },
    { done: status.data.suppliers, label: 'onboarding.suppliers', href: '/stock?tab=suppliers' },
    { done: status.data.users, label: 'onboarding.users', href: '/settings/users' },
    { done: status.data.apiKey, label: 'onboarding.apiKey', href: '/settings/api-keys' },
  ];
  const visible = steps.filter((s) => s.done !== null);
  if (visible.every((s) => s.done)) return null;
  return (
    <Card title={t('onboarding.title')} class="onboarding">
      <ol class="checklist">
        {visible.map((s) => (
          <li key={s.label} class={s.done ? 'done' : ''}>
            <span aria-hidden="true">{s.done ? '✓' : '○'}</span>{' '}
            {s.done ? t(s.label) : <Link href={s.href}>{t(s.label)}</Link>}
            <span class="sr-only">{s.done ? t('onboarding.done') : t('onboarding.todo')}</span>
          </li>
        ))}
      </ol>
      <button
        type="button"
        class="link-button"
        onClick={() => {
          try {
            localStorage.setItem(DISMISS_KEY, '1');
          } catch {}
          setDismissed(true);
        }}
      >
        {t('onboarding.dismiss')}
      </button>
    </Card>
  );
}
