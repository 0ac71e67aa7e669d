import { useState } from 'preact/hooks';
import { api, call, idempotencyKey } from '../../api/client';
import { LOCATION_KINDS, SITE_KINDS } from '../../api/enums';
import { can } from '../../api/session';
import { Card, ErrorBox, Loading, SelectField, TextField } from '../../components/ui';
import { type MessageKey, useI18n } from '../../i18n/i18n';
import { invalidateSites, type SiteWithLocations, useSites } from '../../lib/sites';
import { useAction, useApi } from '../../lib/use-api';
import { InactiveBadge, LocationActions, SiteActions } from './site-edit';

export function SitesSettings() {
  const { t } = useI18n();
  const sites = useSites();
  const admin = can('admin');
  const [form, setForm] = useState({ code: '', name: '', kind: 'clinic' as (typeof SITE_KINDS)[number] });
  const create = useAction(async () => {
    await call(api.POST('/v1/sites', { body: form, headers: { 'Idempotency-Key': idempotencyKey() } }));
    setForm({ code: '', name: '', kind: 'clinic' });
    invalidateSites();
    sites.reload();
  });
  const fields = create.error?.fieldErrors() ?? {};
  return (
    <>
      <ErrorBox error={sites.error} />
      {sites.loading && !sites.data && <Loading />}
      {sites.data?.map((s) => (
        <SiteCard
          key={s.id}
          site={s}
          onChanged={() => {
            invalidateSites();
            sites.reload();
          }}
        />
      ))}
      {admin && (
        <Card title={t('sites.add')}>
          <form
            class="inline-form"
            onSubmit={(e) => {
              e.preventDefault();
              void create.run();
            }}
          >
            <TextField
              label={t('sites.code')}
              name="code"
              required
              value={form.code}
              onValue={(v) => setForm((f) => ({ ...f, code: v }))}
              error={fields.code}
            />
            <TextField
              label={t('sites.name')}
              name="name"
              required
              value={form.name}
              onValue={(v) => setForm((f) => ({ ...f, name: v }))}
              error={fields.name}
            />
            <SelectField
              label={t('sites.kind')}
              value={form.kind}
              onValue={(v) => setForm((f) => ({ ...f, kind: v }))}
              options={SITE_KINDS.map((k) => ({ value: k, label: t(`siteKind.${k}` as MessageKey) }))}
            />
            <ErrorBox error={create.error} />
            <button type="submit" disabled={create.busy}>
              {t('common.add')}
            </button>
          </form>
        </Card>
      )}
    </>
  );
}

function SiteCard({ site, onChanged }: { site: SiteWithLocations; onChanged: () => void }) {
  const { t } = useI18n();
  const [form, setForm] = useState({ code: '', name: '', kind: 'ward' as (typeof LOCATION_KINDS)[number] });
  const [parFor, setParFor] = useState<string | null>(null);
  const create = useAction(async () => {
    await call(
      api.POST('/v1/sites/{id}/locations', {
        params: { path: { id: site.id } },
        body: form,
        headers: { 'Idempotency-Key': idempotencyKey() },
      }),
    );
    setForm({ code: '', name: '', kind: 'ward' });
    onChanged();
  });
  const fields = create.error?.fieldErrors() ?? {};
  return (
    <Card title={`${site.name} (${site.code})`}>
      <p class="muted">
        {t(`siteKind.${site.kind}` as MessageKey)} <InactiveBadge active={site.active} />{' '}
        <SiteActions site={site} onChanged={onChanged} />
      </p>
      <div class="table-wrap">
        <table>
          <caption class="sr-only">{t('sites.locations')}</caption>
          <thead>
            <tr>
              <th>{t('sites.code')}</th>
              <th>{t('sites.name')}</th>
              <th>{t('sites.kind')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {site.locations.map((l) => (
              <tr key={l.id}>
                <td>{l.code}</td>
                <td>
                  {l.name} <InactiveBadge active={l.active} />
                </td>
                <td>{t(`locationKind.${l.kind}` as MessageKey)}</td>
                <td class="actions">
                  <LocationActions location={l} onChanged={onChanged} />{' '}
                  <button
                    type="button"
                    class="link-button"
                    aria-expanded={parFor === l.id}
                    onClick={() => setParFor(parFor === l.id ? null : l.id)}
                  >
                    {t('par.title')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {parFor && <ParLevels locationId={parFor} />}
      {can('admin') && (
        <form
          class="inline-form"
          aria-label={t('sites.addLocation')}
          onSubmit={(e) => {
            e.preventDefault();
            void create.run();
          }}
        >
          <TextField
            label={t('sites.code')}
            required
            value={form.code}
            onValue={(v) => setForm((f) => ({ ...f, code: v }))}
            error={fields.code}
          />
          <TextField
            label={t('sites.name')}
            required
            value={form.name}
            onValue={(v) => setForm((f) => ({ ...f, name: v }))}
            error={fields.name}
          />
          <SelectField
            label={t('sites.kind')}
            value={form.kind}
            onValue={(v) => setForm((f) => ({ ...f, kind: v }))}
            options={LOCATION_KINDS.map((k) => ({ value: k, label: t(`locationKind.${k}` as MessageKey) }))}
          />
          <ErrorBox error={create.error} />
          <button type="submit" disabled={create.busy}>
            {t('sites.addLocation')}
          </button>
        </form>
      )}
    </Card>
  );
}

function ParLevels({ locationId }: { locationId: string }) {
  const { t, name, num } = useI18n();
  const list = useApi(
    () =>
      call(
        api.GET('/v1/locations/{id}/par-levels', {
          params: { path: { id: locationId }, query: { limit: 200 } },
        }),
      ),
    [locationId],
  );
  return (
    <div class="par-levels">
      <h3>{t('par.title')}</h3>
      <ErrorBox error={list.error} />
      {list.data && list.data.items.length === 0 && <p class="muted">{t('par.none')}</p>}
      {list.data && list.data.items.length > 0 && (
        <table>
          <thead>
            <tr>
              <th>{t('item.name')}</th>
              <th class="num">{t('par.min')}</th>
              <th class="num">{t('par.max')}</th>
            </tr>
          </thead>
          <tbody>
            {list.data.items.map((p) => (
              <tr key={p.itemId}>
                <td>
                  {p.itemCode} {name(p)}
                </td>
                <td class="num">{num(p.minQty)}</td>
                <td class="num">{num(p.maxQty)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
