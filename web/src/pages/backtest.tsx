import { useEffect, useMemo, useState } from 'preact/hooks';
import { api, call, idempotencyKey, type Json } from '../api/client';
import { BACKTEST_OUTCOMES, type BacktestOutcome, type BacktestStep } from '../api/enums';
import { can } from '../api/session';
import { Chart, type ChartSeries } from '../components/chart';
import { Card, Empty, ErrorBox, Loading, PageHeader, SelectField, TextField } from '../components/ui';
import { type MessageKey, useI18n } from '../i18n/i18n';
import { localMonthStart } from '../lib/dates';
import { usePaged } from '../lib/paged';
import { useAction, useApi } from '../lib/use-api';

type Run = Json<'/v1/backtests/{id}', 'get'>;
type Summary = NonNullable<Run['summary']>;
type Row =
  Json<'/v1/backtests/{id}/rows', 'get'> extends infer R
    ? R extends { items: (infer I)[] }
      ? I
      : never
    : never;
type Step = BacktestStep;
type Outcome = BacktestOutcome;
const OUTCOMES = BACKTEST_OUTCOMES;

/**
 * 回测 / Backtest: run one (period, step, horizon, lead time), follow its status, and read the
 * summary — the engine beside the months-of-stock rule and the naive / 3-period-mean forecasts on
 * the same rows, a reliability chart — and the rows with their codes.
 */
export default function BacktestPage() {
  const { t } = useI18n();
  const [shown, setShown] = useState<string | null>(null);
  const runs = useApi(() => call(api.GET('/v1/backtests', { params: { query: { limit: 20 } } })), []);
  const items = runs.data?.items ?? [];
  const current =
    items.find((r) => r.id === shown) ?? items.find((r) => r.status === 'succeeded') ?? items[0];
  // Poll while a run is queued or running.
  const busy = items.some((r) => r.status === 'queued' || r.status === 'running');
  useEffect(() => {
    if (!busy) return;
    const timer = setTimeout(() => runs.reload(), 1000);
    return () => clearTimeout(timer);
  }, [busy, runs.data]);

  return (
    <div class="page" data-page="backtest">
      <PageHeader title={t('backtest.title')} />
      <p class="muted">{t('backtest.intro')}</p>
      {(can('admin') || can('purchasing')) && (
        <RunForm
          onStarted={(id) => {
            setShown(id);
            runs.reload();
          }}
        />
      )}
      <Card title={t('backtest.runs')}>
        <ErrorBox error={runs.error} />
        {runs.loading && !runs.data && <Loading />}
        {runs.data && items.length === 0 && <Empty>{t('backtests.none')}</Empty>}
        {items.length > 0 && <RunList runs={items} current={current?.id} onShow={setShown} />}
      </Card>
      {current && <RunDetail run={current} />}
    </div>
  );
}

function RunForm({ onStarted }: { onStarted: (id: string) => void }) {
  const { t } = useI18n();
  const [from, setFrom] = useState(localMonthStart(13));
  const [to, setTo] = useState(localMonthStart(2));
  const [step, setStep] = useState<Step>('monthly');
  // One month-long period by default (31 days), so the month-end count falls inside the window.
  const [horizon, setHorizon] = useState('1');
  const [unit, setUnit] = useState<'days' | 'periods'>('periods');
  const [leadMode, setLeadMode] = useState<'recorded' | 'fixed'>('recorded');
  const [leadDays, setLeadDays] = useState('14');
  const start = useAction(async () => {
    const n = Number(horizon);
    const run = await call(
      api.POST('/v1/backtests', {
        body: {
          from,
          to,
          step,
          ...(unit === 'days' ? { horizonDays: n } : { horizonPeriods: n }),
          leadTime: leadMode === 'fixed' ? { mode: 'fixed', days: Number(leadDays) } : { mode: 'recorded' },
        },
        headers: { 'Idempotency-Key': idempotencyKey() },
      }),
    );
    onStarted(run.id);
  });
  const fields = start.error?.fieldErrors() ?? {};
  return (
    <Card title={t('backtest.form')}>
      <form
        class="inline-form"
        data-testid="backtest-form"
        onSubmit={(e) => {
          e.preventDefault();
          void start.run();
        }}
      >
        <TextField
          label={t('backtests.from')}
          name="from"
          type="date"
          required
          value={from}
          onValue={setFrom}
          error={fields.from}
        />
        <TextField
          label={t('backtests.to')}
          name="to"
          type="date"
          required
          value={to}
          onValue={setTo}
          error={fields.to}
        />
        <SelectField
          label={t('backtests.step')}
          name="step"
          value={step}
          onValue={setStep}
          options={(['daily', 'weekly', 'monthly'] as const).map((s) => ({
            value: s,
            label: t(`backtests.step.${s}` as MessageKey),
          }))}
        />
        <TextField
          label={t('backtest.horizon')}
          name="horizon"
          type="number"
          min={1}
          max={366}
          required
          value={horizon}
          onValue={setHorizon}
          hint={t('backtest.horizonHint')}
          error={fields.horizonDays ?? fields.horizonPeriods}
        />
        <SelectField
          label={t('backtest.horizonUnit')}
          name="horizonUnit"
          value={unit}
          onValue={setUnit}
          options={[
            { value: 'days', label: t('backtest.unit.days') },
            { value: 'periods', label: t('backtest.unit.periods') },
          ]}
        />
        <SelectField
          label={t('backtest.leadTime')}
          name="leadTime"
          value={leadMode}
          onValue={setLeadMode}
          options={[
            { value: 'recorded', label: t('backtest.leadTime.recorded') },
            { value: 'fixed', label: t('backtest.leadTime.fixed') },
          ]}
        />
        {leadMode === 'fixed' && (
          <TextField
            label={t('backtest.leadTimeDays')}
            name="leadTimeDays"
            type="number"
            min={0}
            max={730}
            required
            value={leadDays}
            onValue={setLeadDays}
            error={fields.leadTime}
          />
        )}
        <ErrorBox error={start.error} />
        <button type="submit" class="primary" disabled={start.busy}>
          {t('backtests.start')}
        </button>
      </form>
    </Card>
  );
}

function RunList({
  runs,
  current,
  onShow,
}: {
  runs: Run[];
  current: string | undefined;
  onShow: (id: string) => void;
}) {
  const { t, dateTime, date } = useI18n();
  return (
    <div class="table-wrap">
      <table data-testid="backtest-runs">
        <thead>
          <tr>
            <th>{t('backtests.period')}</th>
            <th>{t('backtests.step')}</th>
            <th>{t('backtest.horizon')}</th>
            <th>{t('backtest.leadTime')}</th>
            <th>{t('alerts.status')}</th>
            <th>{t('backtests.finished')}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {runs.map((r) => (
            <tr key={r.id} class={r.id === current ? 'selected' : ''}>
              <td>
                {date(r.from)} – {date(r.to)}
              </td>
              <td>{t(`backtests.step.${r.step}` as MessageKey)}</td>
              <td>{t('backtest.horizonDays', { days: r.horizonDays })}</td>
              <td>
                {t(`backtest.leadTime.${r.leadTime.mode}` as MessageKey)}
                {r.leadTime.days !== null ? ` (${t('backtest.horizonDays', { days: r.leadTime.days })})` : ''}
              </td>
              <td>
                {t(`backtests.status.${r.status}` as MessageKey)}
                {r.error ? ` — ${r.error}` : ''}
              </td>
              <td>{dateTime(r.finishedAt)}</td>
              <td>
                {r.id === current ? (
                  <span class="muted">{t('backtest.shown')}</span>
                ) : (
                  <button type="button" class="link-button" onClick={() => onShow(r.id)}>
                    {t('backtest.show')}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function RunDetail({ run }: { run: Run }) {
  const { t } = useI18n();
  if (run.format === 1) {
    return (
      <Card title={t('backtest.summary')}>
        <p class="muted" data-testid="backtest-legacy">
          {t('backtest.legacy')}
        </p>
      </Card>
    );
  }
  if (!run.summary) {
    return (
      <Card title={t('backtest.summary')}>
        <p class="muted">{run.status === 'failed' ? (run.error ?? '') : t('backtest.waiting')}</p>
      </Card>
    );
  }
  return (
    <>
      <SummaryView summary={run.summary} scoped={run.scope === 'your sites'} />
      <RowsView runId={run.id} />
    </>
  );
}

function SummaryView({ summary: s, scoped }: { summary: Summary; scoped: boolean }) {
  const { t, num, pct, pick } = useI18n();
  const score = (v: number | null) => (v === null ? t('common.unknown') : num(v, 3));
  const a = s.alerts;
  return (
    <>
      <Card title={t('backtest.summary')} class="backtest-summary">
        <p class="explanation" data-testid="backtest-verdict">
          {pick(s.verdict)}
        </p>
        {scoped && <p class="muted">{t('backtest.scopeSites')}</p>}
        <div class="tiles">
          <Tile label={t('backtest.rows')} value={num(s.rows)} />
          <Tile label={t('backtest.itemLocations')} value={num(s.itemLocations)} />
          {OUTCOMES.map((o) => (
            <Tile key={o} label={t(`backtest.outcome.${o}` as MessageKey)} value={num(s.outcomes[o])} />
          ))}
          <Tile label={t('backtest.baseRate')} value={pct(s.baseRate)} />
        </div>
      </Card>
      <div class="backtest-scores">
        <Card title={t('backtest.alertsTitle')}>
          <div class="table-wrap">
            <table data-testid="backtest-alert-scores">
              <thead>
                <tr>
                  <th>{t('backtest.measure')}</th>
                  <th class="num">{t('backtest.engine')}</th>
                  <th class="num">{t('backtest.monthsOfStock')}</th>
                </tr>
              </thead>
              <tbody>
                <tr>
                  <th scope="row">{t('backtest.scoredRows')}</th>
                  <td class="num">{num(a.engine.rows)}</td>
                  <td class="num">{num(a.monthsOfStock.rows)}</td>
                </tr>
                <tr>
                  <th scope="row">{t('backtest.newStockouts')}</th>
                  <td class="num">{num(a.engine.newStockouts)}</td>
                  <td class="num">{num(a.monthsOfStock.newStockouts)}</td>
                </tr>
                <ScoreRow
                  label={t('backtest.ap')}
                  engine={a.engine.averagePrecision}
                  rule={a.monthsOfStock.averagePrecision}
                />
                <ScoreRow
                  label={t('backtest.recall25')}
                  engine={a.engine.recallAtPrecision25}
                  rule={a.monthsOfStock.recallAtPrecision25}
                />
                <ScoreRow
                  label={t('backtest.recall35')}
                  engine={a.engine.recallAtPrecision35}
                  rule={a.monthsOfStock.recallAtPrecision35}
                />
                <tr>
                  <th scope="row">
                    {t('backtest.brier')} <small class="muted">(↓)</small>
                  </th>
                  <td class="num">{score(s.brier.engine)}</td>
                  <td class="num">
                    {score(s.brier.baseRate)} <small class="muted">{t('backtest.brierBase')}</small>
                  </td>
                </tr>
              </tbody>
            </table>
          </div>
          <p class="muted">
            {t('backtest.alertPrecision', { p: pct(s.alertPrecision), r: pct(s.alertRecall) })}
          </p>
        </Card>
        <Card title={t('backtest.forecastTitle')}>
          <div class="table-wrap">
            <table data-testid="backtest-forecast-scores">
              <thead>
                <tr>
                  <th>{t('backtest.measure')}</th>
                  <th class="num">{t('backtest.engine')}</th>
                  <th class="num">{t('backtest.naive')}</th>
                  <th class="num">{t('backtest.mean3')}</th>
                </tr>
              </thead>
              <tbody>
                {(['mase', 'rmsse', 'pinball'] as const).map((k) => (
                  <tr key={k}>
                    <th scope="row">{t(`backtest.${k}` as MessageKey)}</th>
                    <td class="num">{score(s.forecast.engine[k])}</td>
                    <td class="num">{score(s.forecast.naive[k])}</td>
                    <td class="num">{score(s.forecast.mean3[k])}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </Card>
      </div>
      <Reliability summary={s} />
    </>
  );
}

function Tile({ label, value }: { label: string; value: string }) {
  return (
    <div class="tile">
      <div class="tile-label">{label}</div>
      <div class="tile-value">{value}</div>
    </div>
  );
}

/** One alert score, the better of the two in bold (higher is better for these). */
function ScoreRow({ label, engine, rule }: { label: string; engine: number | null; rule: number | null }) {
  const { t, num } = useI18n();
  const f = (v: number | null) => (v === null ? t('common.unknown') : num(v, 3));
  const better =
    engine !== null && rule !== null ? (engine > rule ? 'engine' : rule > engine ? 'rule' : '') : '';
  return (
    <tr>
      <th scope="row">{label}</th>
      <td class="num">{better === 'engine' ? <strong>{f(engine)}</strong> : f(engine)}</td>
      <td class="num">{better === 'rule' ? <strong>{f(rule)}</strong> : f(rule)}</td>
    </tr>
  );
}

/** Calibration bins as a reliability chart (uPlot, like the other charts) and as a table. */
function Reliability({ summary }: { summary: Summary }) {
  const { t, pct, num } = useI18n();
  const bins = summary.calibration.filter((b) => b.rows > 0 && b.meanPredicted !== null);
  const { x, series } = useMemo(() => {
    const pts = [...bins].sort((p, q) => (p.meanPredicted ?? 0) - (q.meanPredicted ?? 0));
    const xs = [0, ...pts.map((b) => b.meanPredicted as number), 1];
    const chartSeries: ChartSeries[] = [
      { label: t('backtest.perfect'), values: xs, color: '#8a96a3', dash: [4, 4], width: 1 },
      {
        label: t('backtest.observed'),
        values: [null, ...pts.map((b) => b.observedRate), null],
        color: '#c0392b',
        points: true,
      },
    ];
    return { x: xs, series: chartSeries };
  }, [summary, t]);
  const yFormat = useMemo(() => (v: number) => pct(v), [pct]);
  const numericX = useMemo(() => ({ min: 0, max: 1, format: (v: number) => pct(v) }), [pct]);
  const yRange = useMemo(() => [0, 1] as [number, number], []);
  return (
    <Card title={t('backtest.reliability')}>
      <div class="grid-2">
        <figure data-testid="backtest-reliability">
          <Chart
            title={t('backtest.reliability')}
            x={x}
            series={series}
            height={260}
            numericX={numericX}
            yRange={yRange}
            yFormat={yFormat}
          />
        </figure>
        <div class="table-wrap">
          <table data-testid="backtest-calibration">
            <thead>
              <tr>
                <th>{t('backtest.bin')}</th>
                <th class="num">{t('backtest.binRows')}</th>
                <th class="num">{t('backtest.meanPredicted')}</th>
                <th class="num">{t('backtest.observedRate')}</th>
              </tr>
            </thead>
            <tbody>
              {summary.calibration.map((b) => (
                <tr key={b.from}>
                  <td>
                    {pct(b.from)} – {pct(b.to)}
                  </td>
                  <td class="num">{num(b.rows)}</td>
                  <td class="num">{b.rows ? pct(b.meanPredicted) : '—'}</td>
                  <td class="num">{b.rows ? pct(b.observedRate) : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
    </Card>
  );
}

function RowsView({ runId }: { runId: string }) {
  const { t, num, pct, name, date } = useI18n();
  const [outcome, setOutcome] = useState<Outcome | ''>('');
  const [itemCode, setItemCode] = useState('');
  const [query, setQuery] = useState('');
  const rows = usePaged<Row>(
    (cursor) =>
      call(
        api.GET('/v1/backtests/{id}/rows', {
          params: {
            path: { id: runId },
            query: {
              limit: 50,
              ...(cursor ? { cursor } : {}),
              ...(outcome ? { outcome } : {}),
              ...(query ? { itemCode: query } : {}),
            },
          },
        }),
      ) as Promise<{ items: Row[]; nextCursor: string | null }>,
    [runId, outcome, query],
  );
  const sum = (r: Row, f: (p: Row['forecast'][number]) => number | null) => {
    let total = 0;
    for (const p of r.forecast) {
      const v = f(p);
      if (v === null) return null;
      total += v;
    }
    return r.forecast.length ? total : null;
  };
  return (
    <Card title={t('backtest.rowsTitle')}>
      <form
        class="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          setQuery(itemCode.trim());
        }}
      >
        <SelectField
          label={t('backtest.filterOutcome')}
          name="outcome"
          value={outcome}
          onValue={setOutcome}
          options={[
            { value: '' as const, label: t('common.all') },
            ...OUTCOMES.map((o) => ({ value: o, label: t(`backtest.outcome.${o}` as MessageKey) })),
          ]}
        />
        <TextField label={t('backtest.filterItem')} name="itemCode" value={itemCode} onValue={setItemCode} />
        <button type="submit">{t('common.search')}</button>
      </form>
      <ErrorBox error={rows.error} />
      {rows.loading && rows.items.length === 0 && <Loading />}
      {!rows.loading && rows.items.length === 0 && <Empty>{t('backtest.noRows')}</Empty>}
      {rows.items.length > 0 && (
        <div class="table-wrap">
          <table data-testid="backtest-rows">
            <thead>
              <tr>
                <th>{t('backtest.item')}</th>
                <th>{t('backtest.location')}</th>
                <th>{t('backtest.asOf')}</th>
                <th class="num">{t('backtest.position')}</th>
                <th class="num">{t('backtest.leadTimeUsed')}</th>
                <th class="num">{t('backtest.forecastVsActual')}</th>
                <th class="num">{t('backtest.pBefore')}</th>
                <th class="num">{t('backtest.pWithin')}</th>
                <th>{t('backtest.alert')}</th>
                <th>{t('backtest.filterOutcome')}</th>
                <th class="num">{t('backtest.mos')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.items.map((r) => (
                <tr key={`${r.itemId}|${r.locationId}|${r.asOf}`}>
                  <td>
                    <code>{r.itemCode}</code> {name(r)}
                  </td>
                  <td>
                    {r.siteName} · {r.locationName} <small class="muted">({r.locationCode})</small>
                  </td>
                  <td>{date(r.asOf)}</td>
                  <td class="num">{r.position === null ? t('common.unknown') : num(r.position)}</td>
                  <td class="num">{num(r.leadTimeDays, 1)}</td>
                  <td class="num">
                    {num(
                      sum(r, (p) => p.mean),
                      1,
                    )}{' '}
                    / {num(sum(r, (p) => p.actual))}
                  </td>
                  <td class="num">{pct(r.pBeforeReceipt)}</td>
                  <td class="num">{pct(r.pWithinHorizon)}</td>
                  <td>{r.alertRaised ? t('backtest.yes') : t('backtest.no')}</td>
                  <td>
                    <span class={`badge outcome-${r.outcome}`}>
                      {t(`backtest.outcome.${r.outcome}` as MessageKey)}
                    </span>
                  </td>
                  <td class="num">{r.monthsOfStock === null ? '—' : num(r.monthsOfStock, 2)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {rows.hasMore && (
        <button type="button" onClick={() => void rows.more()}>
          {t('common.loadMore')}
        </button>
      )}
    </Card>
  );
}
