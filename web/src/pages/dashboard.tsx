import { useMemo, useState } from 'preact/hooks';
import { Link } from 'wouter-preact';
import { api, call } from '../api/client';
import { SEVERITIES } from '../api/enums';
import { can } from '../api/session';
import { Chart, type ChartSeries, toUnix } from '../components/chart';
import { SiteFilter } from '../components/site-filter';
import { Card, Empty, ErrorBox, Loading, PageHeader, SeverityBadge, Tile } from '../components/ui';
import { type MessageKey, useI18n } from '../i18n/i18n';
import { useSites } from '../lib/sites';
import { useApi } from '../lib/use-api';

const BUCKETS = ['expired', '0-30', '31-60', '61-90'] as const;
const q = (siteId: string) => (siteId ? { siteId } : {});
/** Rates are drawn on 0–100 %, so one point at 100 % does not stretch the axis to 200 %. */
const RATE: [number, number] = [0, 1];

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

  // A new clinic's trend starts at its first activity, not twelve empty weeks before it signed up.
  const periods = useMemo(() => {
    const all = kpis.data?.total.periods ?? [];
    const first = all.findIndex(
      (p) =>
        p.inventory.endValue > 0 ||
        p.turnover.consumptionValue > 0 ||
        p.stockout.stockoutDays > 0 ||
        p.purchasing.ordersReceived > 0 ||
        p.supplierOnTime.receipts > 0,
    );
    return first < 0 ? [] : all.slice(first);
  }, [kpis.data]);
  const last = periods[periods.length - 1];
  const sums = useMemo(() => {
    const all = kpis.data?.total.periods ?? [];
    const receipts = all.reduce((a, p) => a + p.supplierOnTime.receipts, 0);
    const onTime = all.reduce((a, p) => a + p.supplierOnTime.onTime, 0);
    const orders = all.reduce((a, p) => a + p.purchasing.ordersReceived, 0);
    const cycleDays = all.reduce(
      (a, p) => a + (p.purchasing.cycleTimeDays ?? 0) * p.purchasing.ordersReceived,
      0,
    );
    return {
      weeks: all.length,
      onTimeRate: receipts > 0 ? onTime / receipts : null,
      expiryLoss: all.reduce((a, p) => a + p.expiryWriteOff.value, 0),
      cycleTimeDays: orders > 0 ? cycleDays / orders : null,
    };
  }, [kpis.data]);
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
        range: RATE,
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
        range: RATE,
      },
      {
        key: 'kpi.supplierOnTime' as MessageKey,
        series: line(
          t('kpi.supplierOnTime'),
          periods.map((p) => (p.supplierOnTime.receipts > 0 ? p.supplierOnTime.rate : null)),
          '#16a085',
        ),
        fmt: (v: number) => pct(v),
        range: RATE,
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
        <Tile
          label={t('kpi.inventoryValue')}
          value={valuation.data ? money(valuation.data.total) : '…'}
          help={t('kpi.inventoryValue.help')}
        />
        <Tile
          label={t('kpi.stockoutRate')}
          value={kpis.data ? pct(last?.stockout.rate) : '…'}
          sub={t('dashboard.lastWeek')}
          help={t('kpi.stockoutRate.help')}
        />
        <Tile
          label={t('kpi.turnoverDays')}
          value={kpis.data ? num(last?.turnover.days, 0) : '…'}
          sub={t('dashboard.lastWeek')}
          help={t('kpi.turnoverDays.help')}
        />
        <Tile
          label={t('kpi.alertPrecision')}
          value={kpis.data ? pct(last?.alerts.precision) : '…'}
          sub={t('dashboard.lastWeek')}
          help={t('kpi.alertPrecision.help')}
        />
      </div>
      <div class="tiles" data-testid="purchasing-kpis">
        <Tile
          label={t('kpi.supplierOnTime')}
          value={kpis.data ? pct(sums.onTimeRate) : '…'}
          sub={t('kpi.period', { n: sums.weeks })}
          help={t('kpi.supplierOnTime.help')}
        />
        <Tile
          label={t('kpi.expiryLoss')}
          value={kpis.data ? money(sums.expiryLoss) : '…'}
          sub={t('kpi.period', { n: sums.weeks })}
          help={t('kpi.expiryLoss.help')}
        />
        <Tile
          label={t('kpi.poCycleTime')}
          value={
            !kpis.data
              ? '…'
              : sums.cycleTimeDays === null
                ? t('common.unknown')
                : t('kpi.poCycleTime.value', { days: num(sums.cycleTimeDays, 1) })
          }
          sub={t('kpi.period', { n: sums.weeks })}
          help={t('kpi.poCycleTime.help')}
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
        {kpis.data && (
          <div class="charts">
            {charts.map((c) => (
              <figure key={c.key}>
                <figcaption>{t(c.key)}</figcaption>
                <Chart
                  title={t(c.key)}
                  x={x}
                  series={c.series}
                  height={160}
                  yFormat={c.fmt}
                  {...('range' in c ? { yRange: c.range } : {})}
                />
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

/**
 * The first-run checklist, in the order a storekeeper works: stock on the shelf first (a receipt
 * or a count), then par levels so warnings start, then colleagues, and only then past usage. Each
 * step is done when the API shows it done, not when it was clicked.
 */
function Onboarding() {
  const { t } = useI18n();
  const admin = can('admin');
  const sites = useSites();
  const [dismissed, setDismissed] = useState(() => {
    try {
      return localStorage.getItem(DISMISS_KEY) === '1';
    } catch {
      return false;
    }
  });
  // A par level anywhere ticks the step; a chain's first twenty stores are enough to look at.
  const locationIds = (sites.data ?? []).flatMap((s) => s.locations.map((l) => l.id)).slice(0, 20);
  const status = useApi(async () => {
    if (dismissed || !sites.data) return null;
    const [receipts, counts, pars, users, invitations, imports] = await Promise.all([
      call(api.GET('/v1/movements', { params: { query: { limit: 1, type: 'receipt' } } })),
      call(api.GET('/v1/movements', { params: { query: { limit: 1, type: 'stocktake' } } })),
      Promise.all(
        locationIds.map((id) =>
          call(api.GET('/v1/locations/{id}/par-levels', { params: { path: { id }, query: { limit: 1 } } })),
        ),
      ),
      admin ? call(api.GET('/v1/users', { params: { query: { limit: 2 } } })) : Promise.resolve(null),
      admin ? call(api.GET('/v1/invitations', { params: { query: { limit: 1 } } })) : Promise.resolve(null),
      call(api.GET('/v1/imports', { params: { query: { limit: 1, status: 'succeeded' } } })).catch(
        () => null,
      ),
    ]);
    return {
      firstStock: receipts.items.length > 0 || counts.items.length > 0,
      parLevels: pars.some((p) => p.items.length > 0),
      invite: users ? users.items.length > 1 || (invitations?.items.length ?? 0) > 0 : null,
      history: imports ? imports.items.length > 0 : null,
    };
  }, [dismissed, admin, locationIds.join()]);
  if (dismissed || !status.data) return null;
  const steps: { key: string; done: boolean | null; label: MessageKey; href: string }[] = [
    {
      key: 'firstStock',
      done: status.data.firstStock,
      label: 'onboarding.firstStock',
      href: '/movements?type=receipt',
    },
    { key: 'parLevels', done: status.data.parLevels, label: 'onboarding.parLevels', href: '/stock?tab=par' },
    {
      key: 'invite',
      done: status.data.invite,
      label: 'onboarding.inviteColleagues',
      href: '/settings/users',
    },
    {
      key: 'history',
      done: status.data.history,
      label: 'onboarding.importHistory',
      href: '/imports?kind=movements',
    },
  ];
  const visible = steps.filter((s) => s.done !== null);
  if (visible.every((s) => s.done)) return null;
  return (
    <Card title={t('onboarding.title')} class="onboarding">
      <p class="muted">{t('onboarding.lead')}</p>
      <ol class="checklist" data-testid="onboarding-checklist">
        {visible.map((s) => (
          <li
            key={s.key}
            class={s.done ? 'done' : ''}
            data-step={s.key}
            data-done={s.done ? 'true' : 'false'}
          >
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
