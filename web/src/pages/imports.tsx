import { useEffect, useState } from 'preact/hooks';
import { api, call, idempotencyKey, type Json, type Paths } from '../api/client';
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
type Encoding = NonNullable<NonNullable<Paths['/v1/imports']['post']['parameters']['query']>['encoding']>;
const ENCODINGS: Encoding[] = ['auto', 'utf-8', 'gb18030', 'utf-16le'];
const TEMPLATE_LANGS = ['zh-CN', 'en'] as const;

/** Downloads a kind's template (through the generated client, so the bearer token goes along). */
async function downloadTemplate(kind: Kind, lang: (typeof TEMPLATE_LANGS)[number]) {
  // As bytes: text() would drop the BOM that lets Excel on Chinese Windows read it as UTF-8.
  const blob = await call(
    api.GET('/v1/imports/templates/{kind}', {
      params: { path: { kind }, query: { lang } },
      parseAs: 'blob',
    }),
  );
  const url = URL.createObjectURL(blob as unknown as Blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = `medstock-${kind}-template-${lang}.csv`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** CSV imports: upload, a progress bar while the job validates and applies, and every row error. */
export default function ImportsPage() {
  const { t, dateTime, num } = useI18n();
  const initial = useQueryParam('kind') as Kind;
  const [kind, setKind] = useState<Kind>(KINDS.includes(initial) ? initial : 'opening_balances');
  const [file, setFile] = useState<File | null>(null);
  const [encoding, setEncoding] = useState<Encoding>('auto');
  const [current, setCurrent] = useState<Import | null>(null);
  const history = useApi(
    () => call(api.GET('/v1/imports', { params: { query: { limit: 20 } } })),
    [current?.status],
  );
  const upload = useAction(async () => {
    if (!file) return;
    const started = await call(
      api.POST('/v1/imports', {
        params: { query: { kind, format: 'csv', fileName: file.name, encoding } },
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
            <SelectField
              label={t('imports.encoding')}
              name="encoding"
              value={encoding}
              onValue={setEncoding}
              options={ENCODINGS.map((e) => ({ value: e, label: t(`imports.encoding.${e}` as MessageKey) }))}
            />
            <p class="hint" data-testid="import-templates">
              {t('imports.templates')}{' '}
              {TEMPLATE_LANGS.map((lang) => (
                <button
                  key={lang}
                  type="button"
                  class="link-button"
                  data-testid={`template-${lang}`}
                  onClick={() => void downloadTemplate(kind, lang)}
                >
                  {t(`imports.template.${lang}` as MessageKey)}
                </button>
              ))}
              <br />
              {t('imports.templateHint')}
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
            {current.detectedEncoding && (
              <>
                {' · '}
                {t('imports.readAs', {
                  encoding: t(`imports.encoding.${current.detectedEncoding}` as MessageKey),
                })}
              </>
            )}
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
                      <td>{e.label ?? e.field}</td>
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
