import { useMemo, useState } from 'preact/hooks';
import { Link, useLocation } from 'wouter-preact';
import { demandClassInWords, modelInWords } from '../../../core/src/forecast/model-words.ts';
import { api, call, idempotencyKey, type Json } from '../api/client';
import { can } from '../api/session';
import { Chart, type ChartSeries, toUnix } from '../components/chart';
import { Card, ErrorBox, Loading, PageHeader, SeverityBadge, StatusBadge, TextField } from '../components/ui';
import { type MessageKey, useI18n } from '../i18n/i18n';
import { localDayFromToday } from '../lib/dates';
import { locationLabel, useSites } from '../lib/sites';
import { useAction, useApi } from '../lib/use-api';

type Detail = Json<'/v1/alerts/{id}', 'get'>;
interface Explained {
  value: number;
  formula: string;
  substituted: string;
}
/** The part of the engine's item-location state the charts draw (see core ItemLocationState). */
interface PolicyState {
  today?: string;
  onHand?: number;
  position?: number;
  demand?: { dailyMean: number; dailySd: number; model: string; demandClass: string };
  safetyStock?: Explained;
  reorderPoint?: Explained;
  stockoutProbability?: Omit<Explained, 'value'> & {
    value: number | null;
    distribution: string;
    calibrated?: boolean;
  };
  stockoutWithinHorizon?: Omit<Explained, 'value'> & {
    value: number | null;
    horizonDays: number;
    calibrated?: boolean;
  };
  daysCover?: { value: number; low: number; high: number };
  leadTime?: { meanDays: number; sdDays: number; source: string };
}
type Action = NonNullable<Detail['alert']['action']> & {
  supplierId?: string | null;
  fromLocationId?: string;
  quantityBase?: number;
};

const DAY = 86_400;

export default function AlertDetailPage({ id }: { id: string }) {
  const i = useI18n();
  const { t, name, pick, num, dateTime, pct } = i;
  const sites = useSites();
  const [, navigate] = useLocation();
  const detail = useApi(() => call(api.GET('/v1/alerts/{id}', { params: { path: { id } } })), [id]);
  const [reason, setReason] = useState('');
  const [until, setUntil] = useState(() => localDayFromToday(3));
  const act = useAction(async (kind: 'acknowledge' | 'dismiss' | 'snooze') => {
    const headers = { 'Idempotency-Key': idempotencyKey() };
    if (kind === 'acknowledge')
      await call(api.POST('/v1/alerts/{id}/acknowledge', { params: { path: { id } }, body: {}, headers }));
    if (kind === 'dismiss')
      await call(
        api.POST('/v1/alerts/{id}/dismiss', { params: { path: { id } }, body: { reason }, headers }),
      );
    if (kind === 'snooze')
      await call(
        api.POST('/v1/alerts/{id}/snooze', {
          params: { path: { id } },
          body: { until: new Date(`${until}T08:00:00`).toISOString() },
          headers,
        }),
      );
    detail.reload();
  });
  const suggestion = useAction(async (a: Action, alert: Detail['alert']) => {
    if (a.kind === 'order') {
      const r = await call(
        api.POST('/v1/suggestions/purchases/draft-orders', {
          body: { siteId: alert.siteId, ...(a.supplierId ? { supplierIds: [a.supplierId] } : {}) },
          headers: { 'Idempotency-Key': idempotencyKey() },
        }),
      );
      const po = r.created[0]?.id ?? r.skipped.find((s) => s.itemId === alert.itemId)?.purchaseOrderId;
      navigate(po ? `/purchasing?po=${po}` : '/purchasing');
    } else if (a.kind === 'transfer' && a.fromLocationId && a.quantityBase) {
      await call(
        api.POST('/v1/suggestions/transfers/execute', {
          body: {
            fromLocationId: a.fromLocationId,
            toLocationId: alert.locationId,
            itemId: alert.itemId,
            quantity: a.quantityBase,
          },
          headers: { 'Idempotency-Key': idempotencyKey() },
        }),
      );
      detail.reload();
    }
  });

  const charts = useMemo(() => (detail.data ? buildCharts(detail.data, t) : null), [detail.data, t]);
  // Fixed rules have a formula in words; the engine's own (stock-out risk, safety stock) are maths.
  const formulaWords = (rule: string) => {
    const key = `formula.${rule}`;
    const text = t(key as MessageKey);
    return text === key ? '' : text;
  };

  if (detail.loading && !detail.data) return <Loading />;
  if (detail.error) return <ErrorBox error={detail.error} />;
  const d = detail.data;
  if (!d) return null;
  const a = d.alert;
  const state = (d.policy?.state ?? {}) as PolicyState;
  const action = a.action as Action | null;
  const live = a.status === 'open' || a.status === 'acknowledged' || a.status === 'snoozed';
  const writer = can('stock:write') || can('purchasing');

  return (
    <div class="page" data-page="alert-detail">
      <PageHeader title={`${a.itemCode} ${name(a)}`}>
        <Link href="/alerts">← {t('alerts.title')}</Link>
      </PageHeader>
      <p class="meta">
        <SeverityBadge severity={a.severity} /> <StatusBadge status={a.status} />{' '}
        {t(`alertType.${a.type}` as MessageKey)} · {locationLabel(sites.data, a.locationId)} ·{' '}
        {t('alerts.openedAt')} {dateTime(a.openedAt)}
      </p>

      <div class="grid-2">
        <Card title={t('alert.why')}>
          <p class="explanation" data-testid="alert-explanation">
            {pick(a.explanation.text)}
          </p>
          <dl class="formula">
            <dt>{t('alert.rule')}</dt>
            <dd>
              {t('alert.ruleVersion', {
                rule: t(`alertType.${a.explanation.rule}` as MessageKey),
                version: a.explanation.ruleVersion,
              })}
            </dd>
            <dt>{t('alert.formula')}</dt>
            <dd data-testid="alert-formula">
              {formulaWords(a.explanation.rule) && <span>{formulaWords(a.explanation.rule)} </span>}
              <code>{a.explanation.formula}</code>
            </dd>
            <dt>{t('alert.substituted')}</dt>
            <dd>
              <code>{a.explanation.substituted}</code>
            </dd>
          </dl>
          <details>
            <summary>{t('alert.inputs')}</summary>
            <KeyValues
              obj={{ ...(a.explanation.threshold as object), ...(a.explanation.inputs as object) }}
            />
          </details>
        </Card>
        <Card title={t('alert.whatToDo')}>
          {action ? (
            <p class="action-text">{pick(action.text)}</p>
          ) : (
            <p class="muted">{t('alert.noAction')}</p>
          )}
          <ErrorBox error={suggestion.error} />
          {live && action?.kind === 'order' && can('purchasing') && (
            <button
              type="button"
              class="primary"
              disabled={suggestion.busy}
              onClick={() => void suggestion.run(action, a)}
            >
              {t('alert.draftPo')}
            </button>
          )}
          {live && action?.kind === 'write_off' && can('stock:write') && (
            // 请报损: the movement form opened on a write-off of that lot, item and store.
            <a
              class="button primary"
              data-testid="alert-write-off"
              href={`/movements?${new URLSearchParams({
                type: 'write_off',
                itemId: a.itemId,
                locationId: a.locationId,
                lot: (action as Action & { lotNumber?: string }).lotNumber ?? '',
                writeOffReason: 'expired',
              })}`}
            >
              {t('alert.writeOff')}
            </a>
          )}
          {live && action?.kind === 'transfer' && can('stock:write') && (
            <button
              type="button"
              class="primary"
              disabled={suggestion.busy}
              onClick={() => void suggestion.run(action, a)}
            >
              {t('alert.doTransfer')}
            </button>
          )}
          {state.safetyStock && (
            <dl class="figures">
              <dt>{t('policy.onHand')}</dt>
              <dd>{num(state.onHand)}</dd>
              <dt>{t('policy.position')}</dt>
              <dd>{num(state.position)}</dd>
              <dt>{t('policy.safetyStock')}</dt>
              <dd title={state.safetyStock.substituted}>{num(wholeUnits(state.safetyStock.value))}</dd>
              <dt>{t('policy.reorderPoint')}</dt>
              <dd title={state.reorderPoint?.substituted}>{num(wholeUnits(state.reorderPoint?.value))}</dd>
              <dt>{t('policy.stockoutProbability')}</dt>
              <dd title={state.stockoutProbability?.substituted}>
                {pct(state.stockoutProbability?.value)}
                {state.stockoutProbability?.calibrated ? ` (${t('policy.calibrated')})` : ''}
              </dd>
              {state.stockoutWithinHorizon && (
                <>
                  <dt>{t('policy.stockoutWithin', { days: state.stockoutWithinHorizon.horizonDays })}</dt>
                  <dd title={state.stockoutWithinHorizon.substituted}>
                    {pct(state.stockoutWithinHorizon.value)}
                  </dd>
                </>
              )}
              <dt>{t('policy.daysCover')}</dt>
              <dd>{num(state.daysCover?.value, 1)}</dd>
              <dt>{t('policy.model')}</dt>
              <dd data-testid="policy-model" title={state.demand?.model}>
                {pick(modelInWords(state.demand?.model))}
                {state.demand && state.demand.model !== 'none'
                  ? `（${pick(demandClassInWords(state.demand.demandClass))}）`
                  : ''}
              </dd>
            </dl>
          )}
        </Card>
      </div>

      {charts && (
        <Card title={t('alert.charts')}>
          <div class="charts two">
            <figure>
              <figcaption>{t('alert.demandChart')}</figcaption>
              <Chart
                title={t('alert.demandChart')}
                x={charts.demand.x}
                series={charts.demand.series}
                bands={charts.demand.bands}
                height={220}
              />
            </figure>
            <figure>
              <figcaption>{t('alert.stockChart')}</figcaption>
              <Chart
                title={t('alert.stockChart')}
                x={charts.stock.x}
                series={charts.stock.series}
                height={220}
              />
            </figure>
          </div>
        </Card>
      )}

      {live && writer && (
        <Card title={t('alert.lifecycle')}>
          <ErrorBox error={act.error} />
          <div class="lifecycle">
            {a.status === 'open' && (
              <button type="button" disabled={act.busy} onClick={() => void act.run('acknowledge')}>
                {t('alert.acknowledge')}
              </button>
            )}
            <form
              class="inline-form"
              onSubmit={(e) => {
                e.preventDefault();
                void act.run('dismiss');
              }}
            >
              <TextField
                label={t('alert.dismissReason')}
                name="reason"
                required
                value={reason}
                onValue={setReason}
              />
              <button type="submit" disabled={act.busy}>
                {t('alert.dismiss')}
              </button>
            </form>
            <form
              class="inline-form"
              onSubmit={(e) => {
                e.preventDefault();
                void act.run('snooze');
              }}
            >
              <TextField
                label={t('alert.snoozeUntil')}
                type="date"
                name="until"
                required
                value={until}
                onValue={setUntil}
              />
              <button type="submit" disabled={act.busy}>
                {t('alert.snooze')}
              </button>
            </form>
          </div>
        </Card>
      )}

      <Card title={t('alert.history')}>
        <ul class="feed">
          {d.feed.map((f) => (
            <li key={`${f.kind}-${f.at}`}>
              {dateTime(f.at)} · {t(`feed.${f.kind}` as MessageKey)}
            </li>
          ))}
        </ul>
      </Card>
    </div>
  );
}

/** Stock levels are counts of the base unit: a fractional level is shown as the whole count that covers it. */
const wholeUnits = (v: number | null | undefined) =>
  v === null || v === undefined ? v : Math.ceil(v - 1e-9) || 0; // never "-0"
const LEVELS = new Set(['safetyStock', 'reorderPoint', 'orderUpTo', 'level']);
const PROBABILITIES = new Set([
  'serviceLevel',
  'stockoutProbability',
  'stockoutWithinHorizon',
  'maxProbability',
  'minRelativeIncrease',
]);

/** The rule's threshold and inputs, named in words, with model ids and codes in words too. */
function KeyValues({ obj }: { obj: object }) {
  const { t, num, pct, pick } = useI18n();
  const label = (k: string) => {
    const key = `input.${k}`;
    const text = t(key as MessageKey);
    return text === key ? k : text;
  };
  const value = (k: string, v: unknown) => {
    if (v === null || v === undefined) return '—';
    if (k === 'model') return pick(modelInWords(String(v)));
    if (k === 'demandClass') return pick(demandClassInWords(String(v)));
    if (k === 'leadTimeSource') return t(`leadTimeSource.${String(v)}` as MessageKey);
    // A distribution's label is a formula (Poisson(mean 12)): shown as one, like the formula above.
    if (k === 'distribution' || k === 'lots') return <code>{String(v)}</code>;
    if (typeof v === 'number' && PROBABILITIES.has(k)) return pct(v);
    if (typeof v === 'number' && LEVELS.has(k)) return num(wholeUnits(v));
    if (typeof v === 'number') return num(v, 3);
    return typeof v === 'object' ? JSON.stringify(v) : String(v);
  };
  return (
    <dl class="kv" data-testid="alert-inputs">
      {Object.entries(obj).map(([k, v]) => (
        <>
          <dt key={`k-${k}`}>{label(k)}</dt>
          <dd key={`v-${k}`}>{value(k, v)}</dd>
        </>
      ))}
    </dl>
  );
}

/** Demand history + forecast with a ±1.64σ band; projected stock against safety stock and reorder point. */
function buildCharts(d: Detail, t: (k: MessageKey) => string) {
  const state = (d.policy?.state ?? {}) as PolicyState;
  const forecast = d.policy?.forecast ?? [];
  const today = toUnix(state.today ?? localDayFromToday());
  const histX = d.history.map((h) => toUnix(h.date));
  const fx = forecast.map((_, k) => today + (k + 1) * DAY);
  const x = [...histX, ...fx];
  const n = histX.length;
  const sd = state.demand?.dailySd ?? 0;
  const pad = (values: (number | null)[], before: number, after: number) => [
    ...Array<null>(before).fill(null),
    ...values,
    ...Array<null>(after).fill(null),
  ];
  const demandSeries: ChartSeries[] = [
    {
      label: t('chart.actual'),
      values: pad(
        d.history.map((h) => h.quantity),
        0,
        fx.length,
      ),
      color: '#34495e',
      points: true,
    },
    { label: t('chart.forecast'), values: pad(forecast, n, 0), color: '#2e86de' },
    {
      label: t('chart.upper'),
      values: pad(
        forecast.map((f) => f + 1.64 * sd),
        n,
        0,
      ),
      color: 'rgba(46,134,222,0.3)',
      width: 1,
    },
    {
      label: t('chart.lower'),
      values: pad(
        forecast.map((f) => Math.max(0, f - 1.64 * sd)),
        n,
        0,
      ),
      color: 'rgba(46,134,222,0.3)',
      width: 1,
    },
  ];
  let stock = state.position ?? state.onHand ?? 0;
  const projected = [stock, ...forecast.map((f) => (stock = Math.max(0, stock - f)))];
  const sx = [today, ...fx];
  const flat = (v: number | undefined) => sx.map(() => v ?? null);
  return {
    demand: {
      x,
      series: demandSeries,
      bands: [[3, 4, 'rgba(46,134,222,0.12)']] as [number, number, string][],
    },
    stock: {
      x: sx,
      series: [
        { label: t('chart.projected'), values: projected, color: '#27ae60' },
        {
          label: t('policy.reorderPoint'),
          values: flat(wholeUnits(state.reorderPoint?.value) ?? undefined),
          color: '#e67e22',
          dash: [6, 4],
        },
        {
          label: t('policy.safetyStock'),
          values: flat(wholeUnits(state.safetyStock?.value) ?? undefined),
          color: '#c0392b',
          dash: [2, 3],
        },
      ] as ChartSeries[],
    },
  };
}
