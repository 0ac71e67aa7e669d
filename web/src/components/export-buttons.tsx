import { Link } from 'wouter-preact';
import { useI18n } from '../i18n/i18n';
import { downloadExport } from '../lib/download';
import { useAction } from '../lib/use-api';
import { ErrorBox } from './ui';

/** The stock page's downloads: stock by lot and location, and lots expiring within 90 days (Excel). */
export function StockExportButtons() {
  const { t, locale } = useI18n();
  const run = useAction((kind: 'stock' | 'expiry') =>
    downloadExport(kind, { format: 'xlsx', ...(kind === 'expiry' ? { withinDays: 90 } : {}) }, locale),
  );
  return (
    <div class="actions no-print">
      <button
        type="button"
        data-testid="stock-export"
        disabled={run.busy}
        onClick={() => void run.run('stock')}
      >
        {t('exports.stockExcel')}
      </button>
      <button
        type="button"
        data-testid="expiry-export"
        disabled={run.busy}
        onClick={() => void run.run('expiry')}
      >
        {t('exports.expiryExcel')}
      </button>
      <Link href="/exports">{t('nav.exports')}</Link>
      <Link href="/labels">{t('exports.labels')}</Link>
      <ErrorBox error={run.error} />
    </div>
  );
}
