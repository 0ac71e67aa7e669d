import { useState } from 'preact/hooks';
import { api, call, idempotencyKey } from '../../api/client';
import { currentMe } from '../../api/session';
import { Card, ErrorBox, Loading, Tile } from '../../components/ui';
import { type MessageKey, useI18n } from '../../i18n/i18n';
import { useQueryParam } from '../../lib/query-string';
import { useAction, useApi } from '../../lib/use-api';

/** Plan, usage against its limits, upgrade through Stripe Checkout, and the customer portal. */
export function BillingSettings() {
  const { t, pick, num } = useI18n();
  const billing = useApi(() => call(api.GET('/v1/billing')), []);
  const plans = useApi(() => call(api.GET('/v1/billing/plans')), []);
  const [sites, setSites] = useState('');
  const returned = useQueryParam('checkout');
  const owner = currentMe()?.role === 'owner';
  const checkout = useAction(async (plan: 'clinic' | 'chain') => {
    const r = await call(
      api.POST('/v1/billing/checkout', {
        body: { plan, ...(plan === 'chain' && sites ? { sites: Number(sites) } : {}) },
        headers: { 'Idempotency-Key': idempotencyKey() },
      }),
    );
    window.location.assign(r.url);
  });
  const portal = useAction(async () => {
    const r = await call(
      api.POST('/v1/billing/portal', { headers: { 'Idempotency-Key': idempotencyKey() } }),
    );
    window.location.assign(r.url);
  });
  if ((billing.loading && !billing.data) || (plans.loading && !plans.data)) return <Loading />;
  const b = billing.data;
  if (!b) return <ErrorBox error={billing.error} />;
  if (!b.billingEnabled) {
    return (
      <Card title={t('settings.billing')}>
        <p data-testid="billing-off">{t('billing.off')}</p>
      </Card>
    );
  }
  const limit = (used: number, max: number | null) =>
    max === null ? `${num(used)} / ∞` : `${num(used)} / ${num(max)}`;
  return (
    <>
      {returned && (
        <p class="success" role="status">
          {returned === 'success' ? t('billing.returnedSuccess') : t('billing.returnedCancel')}
        </p>
      )}
      <Card title={t('settings.billing')}>
        <div class="tiles">
          <Tile
            label={t('billing.plan')}
            value={pick(b.planName)}
            sub={t(`billing.status.${b.status}` as MessageKey)}
          />
          <Tile label={t('billing.sites')} value={limit(b.usage.sites, b.limits.sites)} />
          <Tile label={t('billing.items')} value={limit(b.usage.items, b.limits.items)} />
        </div>
        <ErrorBox error={checkout.error ?? portal.error} />
        {b.portalAvailable && owner && (
          <button type="button" disabled={portal.busy} onClick={() => void portal.run()}>
            {t('billing.portal')}
          </button>
        )}
      </Card>
      <div class="plans">
        {plans.data?.plans.map((p) => (
          <Card key={p.id} title={pick(p.name)} class={p.id === b.plan ? 'current-plan' : ''}>
            <p>{pick(p.description)}</p>
            <p class="muted">
              {t('billing.sites')}: {p.limits.sites ?? '∞'} · {t('billing.items')}: {p.limits.items ?? '∞'}
            </p>
            {p.id === b.plan && <span class="badge">{t('billing.current')}</span>}
            {p.id !== b.plan && p.purchasable && owner && (p.id === 'clinic' || p.id === 'chain') && (
              <form
                onSubmit={(e) => {
                  e.preventDefault();
                  void checkout.run(p.id as 'clinic' | 'chain');
                }}
              >
                {p.pricing === 'per_site' && (
                  <label>
                    {t('billing.siteCount')}{' '}
                    <input
                      type="number"
                      min={1}
                      name="sites"
                      value={sites}
                      placeholder={String(b.usage.sites)}
                      onInput={(e) => setSites((e.currentTarget as HTMLInputElement).value)}
                    />
                  </label>
                )}
                <button type="submit" class="primary" disabled={checkout.busy}>
                  {t('billing.upgradeTo', { plan: pick(p.name) })}
                </button>
              </form>
            )}
          </Card>
        ))}
      </div>
      {!owner && <p class="muted">{t('billing.ownerOnly')}</p>}
    </>
  );
}
