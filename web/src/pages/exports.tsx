import { useState } from 'preact/hooks';
import { Link } from 'wouter-preact';
import { SiteFilter } from '../components/site-filter';
import { Card, ErrorBox, PageHeader, SelectField, TextField } from '../components/ui';
import { useI18n } from '../i18n/i18n';
import { localDayFromToday } from '../lib/dates';
import { downloadExport, type ExportKind as Kind } from '../lib/download';
import { useAction } from '../lib/use-api';

const KINDS: Kind[] = ['stock', 'expiry', 'ledger', 'consumption'];

/** 数据导出: stock, expiry, ledger and consumption by department as Excel or CSV. */
export default function ExportsPage() {
  const { t, locale } = useI18n();
  const [kind, setKind] = useState<Kind>('stock');
  const [siteId, setSiteId] = useState('');
  const [withinDays, setWithinDays] = useState('90');
  const [from, setFrom] = useState(() => localDayFromToday(-30));
  const [to, setTo] = useState(() => localDayFromToday());
  const ranged = kind === 'ledger' || kind === 'consumption';
  const download = useAction((format: 'xlsx' | 'csv') =>
    downloadExport(
      kind,
      {
        format,
        ...(siteId ? { siteId } : {}),
        ...(kind === 'expiry' ? { withinDays: Number(withinDays) || 0 } : {}),
        ...(ranged ? { from, to } : {}),
      },
      locale,
    ),
  );
  return (
    <div class="page" data-page="exports">
      <PageHeader title={t('exports.title')} />
      <Card>
        <p class="muted">{t('exports.intro')}</p>
        <div class="filters">
          <SelectField
            label={t('exports.kind')}
            name="kind"
            value={kind}
            onValue={(v) => setKind(v as Kind)}
            options={KINDS.map((k) => ({ value: k, label: t(`exports.kind.${k}`) }))}
          />
          <SiteFilter value={siteId} onValue={setSiteId} />
          {kind === 'expiry' && (
            <TextField
              label={t('exports.withinDays')}
              name="withinDays"
              type="number"
              min={0}
              value={withinDays}
              onValue={setWithinDays}
            />
          )}
          {ranged && (
            <>
              <TextField label={t('exports.from')} name="from" type="date" value={from} onValue={setFrom} />
              <TextField label={t('exports.to')} name="to" type="date" value={to} onValue={setTo} />
            </>
          )}
        </div>
        <ErrorBox error={download.error} />
        <div class="actions">
          <button
            type="button"
            class="primary"
            data-testid="export-xlsx"
            disabled={download.busy}
            onClick={() => void download.run('xlsx')}
          >
            {t('exports.excel')}
          </button>
          <button
            type="button"
            data-testid="export-csv"
            disabled={download.busy}
            onClick={() => void download.run('csv')}
          >
            {t('exports.csv')}
          </button>
          <Link href="/labels">{t('exports.labels')}</Link>
        </div>
      </Card>
    </div>
  );
}
