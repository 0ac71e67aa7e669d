import { useState } from 'preact/hooks';
import { ApiError, api, call, idempotencyKey, type Paths } from '../api/client';
import { can } from '../api/session';
import { type Item, ItemPicker } from '../components/item-picker';
import { MoreButton } from '../components/more';
import { LocationSelect, SiteFilter } from '../components/site-filter';
import { Card, Empty, ErrorBox, Loading, PageHeader, TextField } from '../components/ui';
import { CATALOGUES, type MessageKey, useI18n } from '../i18n/i18n';
import { usePaged } from '../lib/paged';
import { locationLabel, useSites } from '../lib/sites';
import { useAction } from '../lib/use-api';

type ReportBody = Extract<
  NonNullable<Paths['/v1/stock-reports']['post']['requestBody']>['content']['application/json'],
  { closingCount: number }
>;

/** Periodic stock reports (库存月报): the monthly count sheet of a clinic without scanning. */
export default function StockReportsPage() {
  const { t } = useI18n();
  const [posted, setPosted] = useState(0);
  return (
    <div class="page" data-page="stock-reports">
      <PageHeader title={t('stockReports.title')} />
      {can('stock:write') && <ReportForm onPosted={() => setPosted((n) => n + 1)} />}
      <ReportList refresh={posted} />
    </div>
  );
}

const NUMBERS = [
  'opening',
  'received',
  'issued',
  'losses',
  'adjustments',
  'closingCount',
  'stockoutDays',
] as const;
type NumberField = (typeof NUMBERS)[number];
const FORM_FIELDS = new Set<string>([
  ...NUMBERS,
  'itemId',
  'locationId',
  'periodStart',
  'periodEnd',
  'lossesReason',
]);

/**
 * The body is one report or a batch (a union), so a refused single report also carries the batch
 * branch's complaints ("reports" required, every field "schema is false" or unknown): the form
 * sends one report, so only that branch's errors are its own.
 */
function ownErrors(error: ApiError | undefined): ApiError | undefined {
  if (!error?.problem.errors) return error;
  const errors = error.problem.errors.filter(
    (e) => e.code !== 'boolean' && e.code !== 'additionalProperties' && !/^body:\/reports\b/.test(e.field),
  );
  return new ApiError(error.status, { ...error.problem, errors });
}

/** A field error said in the reader's language when its stable code is known (stockReports.problem.<code>). */
function problemKeyOf(code: string | undefined): MessageKey | null {
  const key = `stockReports.problem.${code ?? ''}`;
  return key in CATALOGUES.en ? (key as MessageKey) : null;
}

function ReportForm({ onPosted }: { onPosted: () => void }) {
  const { t, num } = useI18n();
  const sites = useSites();
  const [item, setItem] = useState<Item | null>(null);
  const [locationId, setLocationId] = useState('');
  const [periodStart, setPeriodStart] = useState('');
  const [periodEnd, setPeriodEnd] = useState('');
  const [values, setValues] = useState<Record<NumberField, string>>({
    opening: '',
    received: '',
    issued: '',
    losses: '',
    adjustments: '',
    closingCount: '',
    stockoutDays: '',
  });
  const [lossesReason, setLossesReason] = useState('');
  const [last, setLast] = useState<{ variance: number; created: boolean } | null>(null);
  const known = sites.data?.flatMap((s) => s.locations.map((l) => l.id)) ?? [];
  const location = locationId || known[0] || '';

  const submit = useAction(async () => {
    setLast(null); // a refused resubmission must not leave the earlier success in view
    const n = (k: NumberField) => (values[k].trim() === '' ? undefined : Number(values[k]));
    const body: ReportBody = {
      locationId: location,
      periodStart,
      periodEnd,
      closingCount: n('closingCount') ?? Number.NaN,
      ...(item ? { itemId: item.id } : {}),
      ...(n('opening') !== undefined ? { opening: n('opening') } : {}),
      ...(n('received') !== undefined ? { received: n('received') } : {}),
      ...(n('issued') !== undefined ? { issued: n('issued') } : {}),
      ...(n('losses') !== undefined ? { losses: n('losses') } : {}),
      ...(n('adjustments') !== undefined ? { adjustments: n('adjustments') } : {}),
      ...(n('stockoutDays') !== undefined ? { stockoutDays: n('stockoutDays') } : {}),
      ...(lossesReason.trim() ? { lossesReason: lossesReason.trim() } : {}),
    };
    const r = await call(
      api.POST('/v1/stock-reports', { body, headers: { 'Idempotency-Key': idempotencyKey() } }),
    );
    if ('report' in r) setLast({ variance: r.report.variance, created: r.created });
    onPosted();
  });
  const error = ownErrors(submit.error);
  const fields: Record<string, string> = {};
  for (const e of error?.problem.errors ?? []) {
    const name = e.field.replace(/^[a-z]+:\/?/, '').split('/')[0] ?? '';
    const key = problemKeyOf(e.code);
    if (name && !fields[name]) fields[name] = key ? t(key) : e.message;
  }
  // Every error shown under its field: say so in the reader's language instead of repeating them.
  const atFields =
    !!error?.problem.errors?.length &&
    error.problem.errors.every((e) => FORM_FIELDS.has(e.field.replace(/^body:\//, '')));
  return (
    <Card title={t('stockReports.new')}>
      <form
        class="stock-report-form"
        aria-label={t('stockReports.new')}
        onSubmit={(e) => {
          e.preventDefault();
          void submit.run();
        }}
      >
        <p class="hint">{t('stockReports.hint')}</p>
        <div class="grid-2">
          <ItemPicker label={t('movement.item')} value={item} onValue={setItem} error={fields.itemId} />
          <LocationSelect
            label={t('field.location')}
            name="locationId"
            value={location}
            onValue={setLocationId}
            error={fields.locationId}
          />
          <TextField
            label={t('stockReports.periodStart')}
            type="date"
            name="periodStart"
            value={periodStart}
            onValue={setPeriodStart}
            error={fields.periodStart}
          />
          <TextField
            label={t('stockReports.periodEnd')}
            type="date"
            name="periodEnd"
            value={periodEnd}
            onValue={setPeriodEnd}
            error={fields.periodEnd}
          />
          {NUMBERS.map((k) => (
            <TextField
              key={k}
              label={t(`stockReports.${k}`)}
              type="number"
              name={k}
              value={values[k]}
              onValue={(v) => setValues((x) => ({ ...x, [k]: v }))}
              error={fields[k]}
            />
          ))}
          <TextField
            label={t('stockReports.lossesReason')}
            name="lossesReason"
            value={lossesReason}
            onValue={setLossesReason}
            error={fields.lossesReason}
          />
        </div>
        {atFields ? (
          <div class="error-box" role="alert" data-code={error?.problem.code}>
            <strong>{t('stockReports.fixFields')}</strong>
          </div>
        ) : (
          <ErrorBox error={error} />
        )}
        <button type="submit" class="primary" disabled={submit.busy}>
          {t('stockReports.submit')}
        </button>
      </form>
      {last && (
        <div class="success" role="status" data-testid="stock-report-posted">
          {last.created ? t('stockReports.posted') : t('stockReports.unchanged')} {t('stockReports.variance')}
          : {num(last.variance)}
        </div>
      )}
    </Card>
  );
}

function ReportList({ refresh }: { refresh: number }) {
  const { t, num, date } = useI18n();
  const sites = useSites();
  const [siteId, setSiteId] = useState('');
  const list = usePaged(
    (cursor) =>
      call(
        api.GET('/v1/stock-reports', {
          params: { query: { limit: 50, ...(siteId ? { siteId } : {}), ...(cursor ? { cursor } : {}) } },
        }),
      ),
    [siteId, refresh],
  );
  return (
    <Card title={t('stockReports.list')}>
      <div class="filters">
        <SiteFilter value={siteId} onValue={setSiteId} />
      </div>
      <ErrorBox error={list.error} />
      {list.loading && list.items.length === 0 && <Loading />}
      {!list.loading && list.items.length === 0 && <Empty>{t('stockReports.empty')}</Empty>}
      {list.items.length > 0 && (
        <div class="table-wrap">
          <table data-testid="stock-reports">
            <thead>
              <tr>
                <th>{t('stockReports.period')}</th>
                <th>{t('item.code')}</th>
                <th>{t('field.location')}</th>
                <th class="num">{t('stockReports.opening')}</th>
                <th class="num">{t('stockReports.received')}</th>
                <th class="num">{t('stockReports.issued')}</th>
                <th class="num">{t('stockReports.losses')}</th>
                <th class="num">{t('stockReports.closingCount')}</th>
                <th class="num">{t('stockReports.variance')}</th>
                <th class="num">{t('stockReports.stockoutDays')}</th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((r) => (
                <tr key={r.id}>
                  <td>
                    {date(r.periodStart)} – {date(r.periodEnd)}
                  </td>
                  <td>{r.itemCode}</td>
                  <td>{locationLabel(sites.data, r.locationId)}</td>
                  <td class="num">{r.opening === null ? '' : num(r.opening)}</td>
                  <td class="num">{num(r.received)}</td>
                  <td class="num">{num(r.issued)}</td>
                  <td class="num">{num(r.losses)}</td>
                  <td class="num">{num(r.closingCount)}</td>
                  <td class={`num ${r.variance < 0 ? 'neg' : ''}`}>{num(r.variance)}</td>
                  <td class="num">{num(r.stockoutDays)}</td>
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
