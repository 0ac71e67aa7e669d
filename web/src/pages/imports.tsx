import { useEffect, useState } from 'preact/hooks';
import { api, call, idempotencyKey, type Json } from '../api/client';
import { can } from '../api/session';
import { Card, ErrorBox, PageHeader, SelectField } from '../components/ui';
import { type MessageKey, useI18n } from '../i18n/i18n';
import { useQueryParam } from '../lib/query-string';
import { useAction, useApi } from '../lib/use-api';

type Kind = 'opening_balances' | 'items' | 'suppliers' | 'movements' | 'stock_reports' | 'purchase_orders';
type Import = Json<'/v1/imports/{id}', 'get'>;
const KINDS: Kind[] = [
  'opening_balances',
  'items',
  'suppliers',
  'movements',
  'stock_reports',
  'purchase_orders',
];
const HEADERS: Record<Kind, string> = {
  opening_balances: 'site_code,location_code,item_code,quantity,unit,lot_number,expiry_date,unit_cost,date',
  items:
    'code,name_zh,name_en,specification,category,base_unit,pack_units,gtin,manufacturer,ved,storage,substitute_group,unit_cost,lot_tracked,active',
  suppliers:
    'code,name,contact_email,phone,nominal_lead_time_days,active,item_code,supplier_item_code,pack_price,pack_size,moq_packs,lead_time_days,preferred',
  movements: 'date,site_code,location_code,item_code,type,quantity,unit,lot_number,expiry_date',
  stock_reports:
    'site_code,location_code,item_code,period_start,period_end,opening,received,issued,losses,losses_reason,adjustments,adjustments_reason,closing_count,stockout_days,unit',
  purchase_orders:
    'po_number,supplier_code,site_code,location_code,item_code,quantity,unit,quantity_received,unit_price,ordered_at,received_at',
};

/** CSV imports: upload, a progress bar while the job validates and applies, and every row error. */
export default function ImportsPage() {
  const { t, dateTime, num } = useI18n();
  const initial = useQueryParam('kind') as Kind;
  const [kind, setKind] = useState<Kind>(KINDS.includes(initial) ? initial : 'opening_balances');
  const [file, setFile] = useState<File | null>(null);
  const [current, setCurrent] = useState<Import | null>(null);
  const history = useApi(
    () => call(api.GET('/v1/imports', { params: { query: { limit: 20 } } })),
    [current?.status],
  );
  const upload = useAction(async () => {
    if (!file) return;
    const started = await call(
      api.POST('/v1/imports', {
        params: { query: { kind, format: 'csv', fileName: file.name } },
        // The file itself is the body, streamed by the API; not JSON-encoded.
        body: file as unknown as Record<string, never>[],
        bodySerializer: (b: unknown) => b as BodyInit,
        headers: { 'content-type': 'text/csv', 'Idempotency-Key': idempotencyKey() },
      }),
    );
    setCurrent({ ...started, errors: started.errors ?? [] });
  });
  // Poll the import until it finishes.
  useEffect(() => {
    if (!current || current.status === 'succeeded' || current.status === 'failed') return;
    const timer = setTimeout(() => {
      call(api.GET('/v1/imports/{id}', { params: { path: { id: current.id } } })).then(setCurrent, () => {});
    }, 500);
    return () => clearTimeout(timer);
  }, [current]);

  const writable = can('stock:write') || can('admin') || can('purchasing');
  return (
    <div class="page" data-page="imports">
      <PageHeader title={t('imports.title')} />
      {writable && (
        <Card title={t('imports.upload')}>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void upload.run();
            }}
          >
            <div class="grid-2">
              <SelectField
                label={t('imports.kind')}
                name="kind"
                value={kind}
                onValue={setKind}
                options={KINDS.map((k) => ({ value: k, label: t(`imports.kind.${k}` as MessageKey) }))}
              />
              <div class="field">
                <label for="import-file">{t('imports.file')}</label>
                <input
                  id="import-file"
                  name="file"
                  type="file"
                  accept=".csv,text/csv"
                  required
                  onChange={(e) => setFile((e.currentTarget as HTMLInputElement).files?.[0] ?? null)}
                />
              </div>
            </div>
            <p class="hint">
              {t('imports.columns')} <code>{HEADERS[kind]}</code>
            </p>
            <ErrorBox error={upload.error} />
            <button type="submit" class="primary" disabled={upload.busy || !file}>
              {t('imports.start')}
            </button>
          </form>
        </Card>
      )}
      {current && (
        <Card title={current.fileName ?? t('imports.title')}>
          <p role="status" data-testid="import-status">
            {t(`imports.status.${current.status}` as MessageKey)} ·{' '}
            {t('imports.rows', { done: num(current.processedRows), total: num(current.totalRows) })}
          </p>
          <progress max={100} value={current.progress} aria-label={t('imports.progress')} />
          {current.status === 'succeeded' && (
            <p class="success">{t('imports.applied', { n: num(current.appliedRows) })}</p>
          )}
          {current.errors.length > 0 && (
            <div class="table-wrap">
              <table data-testid="import-errors">
                <caption>{t('imports.errors', { n: current.errorCount })}</caption>
                <thead>
                  <tr>
                    <th class="num">{t('imports.line')}</th>
                    <th>{t('imports.field')}</th>
                    <th>{t('imports.reason')}</th>
                  </tr>
                </thead>
                <tbody>
                  {current.errors.map((e) => (
                    <tr key={`${e.line}-${e.field}`}>
                      <td class="num">{e.line}</td>
                      <td>
                        <code>{e.field}</code>
                      </td>
                      <td>{e.reason}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </Card>
      )}
      <Card title={t('imports.history')}>
        <ErrorBox error={history.error} />
        {history.data && (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>{t('imports.file')}</th>
                  <th>{t('imports.kind')}</th>
                  <th>{t('alerts.status')}</th>
                  <th class="num">{t('imports.appliedRows')}</th>
                  <th class="num">{t('imports.errorCount')}</th>
                  <th>{t('movements.when')}</th>
                </tr>
              </thead>
              <tbody>
                {history.data.items.map((i) => (
                  <tr key={i.id}>
                    <td>{i.fileName ?? '—'}</td>
                    <td>{t(`imports.kind.${i.kind}` as MessageKey)}</td>
                    <td>{t(`imports.status.${i.status}` as MessageKey)}</td>
                    <td class="num">{num(i.appliedRows)}</td>
                    <td class="num">{num(i.errorCount)}</td>
                    <td>{dateTime(i.createdAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
    </div>
  );
}
