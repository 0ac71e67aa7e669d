import { useState } from 'preact/hooks';
import { api, call, idempotencyKey } from '../../api/client';
import { can } from '../../api/session';
import { Card, ErrorBox, Loading, SelectField, TextField } from '../../components/ui';
import { type MessageKey, useI18n } from '../../i18n/i18n';
import { useAction, useApi } from '../../lib/use-api';

const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);

export function BacktestsSettings() {
  const { t, dateTime, num, pct } = useI18n();
  const runs = useApi(() => call(api.GET('/v1/backtests', { params: { query: { limit: 20 } } })), []);
  const [from, setFrom] = useState(daysAgo(90));
  const [to, setTo] = useState(daysAgo(1));
  const [step, setStep] = useState<'daily' | 'weekly' | 'monthly'>('weekly');
  const start = useAction(async () => {
    await call(
      api.POST('/v1/backtests', {
        body: { from, to, step },
        headers: { 'Idempotency-Key': idempotencyKey() },
      }),
    );
    runs.reload();
  });
  const fields = start.error?.fieldErrors() ?? {};
  const fmt = (v: unknown) => (typeof v === 'number' ? (v <= 1 && v >= 0 ? pct(v) : num(v, 3)) : String(v));
  return (
    <>
      <Card title={t('settings.backtests')}>
        <ErrorBox error={runs.error} />
        {runs.loading && !runs.data && <Loading />}
        {runs.data && runs.data.items.length === 0 && <p class="muted">{t('backtests.none')}</p>}
        {runs.data && runs.data.items.length > 0 && (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>{t('backtests.period')}</th>
                  <th>{t('backtests.step')}</th>
                  <th>{t('alerts.status')}</th>
                  <th>{t('backtests.scores')}</th>
                  <th>{t('backtests.finished')}</th>
                </tr>
              </thead>
              <tbody>
                {runs.data.items.map((r) => (
                  <tr key={r.id}>
                    <td>
                      {r.from} – {r.to}
                    </td>
                    <td>{t(`backtests.step.${r.step}` as MessageKey)}</td>
                    <td>{t(`backtests.status.${r.status}` as MessageKey)}</td>
                    <td>
                      {r.summary
                        ? Object.entries(r.summary)
                            .filter(([, v]) => typeof v === 'number')
                            .slice(0, 6)
                            .map(([k, v]) => `${k} ${fmt(v)}`)
                            .join(' · ')
                        : (r.error ?? '')}
                    </td>
                    <td>{dateTime(r.finishedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
      {(can('admin') || can('purchasing')) && (
        <Card title={t('backtests.run')}>
          <form
            class="inline-form"
            onSubmit={(e) => {
              e.preventDefault();
              void start.run();
            }}
          >
            <TextField
              label={t('backtests.from')}
              type="date"
              required
              value={from}
              onValue={setFrom}
              error={fields.from}
            />
            <TextField
              label={t('backtests.to')}
              type="date"
              required
              value={to}
              onValue={setTo}
              error={fields.to}
            />
            <SelectField
              label={t('backtests.step')}
              value={step}
              onValue={setStep}
              options={(['daily', 'weekly', 'monthly'] as const).map((s) => ({
                value: s,
                label: t(`backtests.step.${s}` as MessageKey),
              }))}
            />
            <ErrorBox error={start.error} />
            <button type="submit" class="primary" disabled={start.busy}>
              {t('backtests.start')}
            </button>
          </form>
        </Card>
      )}
    </>
  );
}
