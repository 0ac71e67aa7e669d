import { useState } from 'preact/hooks';
import { Link } from 'wouter-preact';
import { api, call, idempotencyKey } from '../api/client';
import { can } from '../api/session';
import { StockExportButtons } from '../components/export-buttons';
import { MoreButton } from '../components/more';
import { ParLevels } from '../components/par-levels';
import { SiteFilter } from '../components/site-filter';
import { Card, Empty, ErrorBox, Loading, PageHeader, Tabs, TextField } from '../components/ui';
import { type MessageKey, useI18n } from '../i18n/i18n';
import { usePaged } from '../lib/paged';
import { useQueryParam } from '../lib/query-string';
import { locationLabel, useSites } from '../lib/sites';
import { unitWord } from '../lib/units';
import { useAction, useApi } from '../lib/use-api';

type Tab = 'stock' | 'expiry' | 'par' | 'catalogue' | 'suppliers';

export default function StockPage() {
  const { t } = useI18n();
  const initial = useQueryParam('tab') as Tab;
  const [tab, setTab] = useState<Tab>(
    ['stock', 'expiry', 'par', 'catalogue', 'suppliers'].includes(initial) ? initial : 'stock',
  );
  return (
    <div class="page" data-page="stock">
      <PageHeader title={t('stock.title')}>
        <StockExportButtons />
      </PageHeader>
      <Tabs
        label={t('stock.title')}
        value={tab}
        onValue={setTab}
        tabs={[
          { value: 'stock', label: t('stock.tab.stock') },
          { value: 'expiry', label: t('stock.tab.expiry') },
          { value: 'par', label: t('par.tab') },
          { value: 'catalogue', label: t('stock.tab.catalogue') },
          { value: 'suppliers', label: t('stock.tab.suppliers') },
        ]}
      />
      {tab === 'stock' && <StockByLot />}
      {tab === 'expiry' && <Expiry />}
      {tab === 'par' && <ParLevels />}
      {tab === 'catalogue' && <Catalogue />}
      {tab === 'suppliers' && <Suppliers />}
    </div>
  );
}

function StockByLot() {
  const { t, name, num, money, date, locale } = useI18n();
  const sites = useSites();
  const [siteId, setSiteId] = useState('');
  const [groupBy, setGroupBy] = useState<'lot' | 'item'>('lot');
  const list = usePaged(
    (cursor) =>
      call(
        api.GET('/v1/stock', {
          params: {
            query: { limit: 100, groupBy, ...(siteId ? { siteId } : {}), ...(cursor ? { cursor } : {}) },
          },
        }),
      ),
    [siteId, groupBy],
  );
  return (
    <Card>
      <div class="filters">
        <SiteFilter value={siteId} onValue={setSiteId} />
        <fieldset class="radio-row">
          <legend>{t('stock.groupBy')}</legend>
          {(['lot', 'item'] as const).map((g) => (
            <label key={g}>
              <input type="radio" name="groupBy" checked={groupBy === g} onChange={() => setGroupBy(g)} />{' '}
              {t(`stock.groupBy.${g}` as MessageKey)}
            </label>
          ))}
        </fieldset>
      </div>
      <ErrorBox error={list.error} />
      {list.loading && list.items.length === 0 && <Loading />}
      {!list.loading && list.items.length === 0 && <Empty>{t('stock.empty')}</Empty>}
      {list.items.length > 0 && (
        <div class="table-wrap">
          <table data-testid="stock-table">
            <thead>
              <tr>
                <th>{t('item.code')}</th>
                <th>{t('item.name')}</th>
                {groupBy === 'lot' && <th>{t('field.location')}</th>}
                {groupBy === 'lot' && <th>{t('field.lot')}</th>}
                {groupBy === 'lot' && <th>{t('field.expiry')}</th>}
                <th class="num">{t('stock.onHand')}</th>
                <th class="num">{t('stock.value')}</th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((r) => (
                <tr key={`${r.itemId}-${r.locationId}-${r.lotNumber}`}>
                  <td>
                    <Link href={`/items/${r.itemId}`} title={t('stockCard.heading')}>
                      {r.itemCode}
                    </Link>
                  </td>
                  <td>{name(r)}</td>
                  {groupBy === 'lot' && <td>{locationLabel(sites.data, r.locationId)}</td>}
                  {groupBy === 'lot' && <td>{r.lotNumber ?? '—'}</td>}
                  {groupBy === 'lot' && <td>{date(r.expiryDate)}</td>}
                  <td class="num">
                    {num(r.onHand)} <small>{unitWord(r.baseUnit, locale)}</small>
                    {r.held > 0 && (
                      <div class="muted" data-testid="stock-held">
                        {t('stock.heldAvailable', { held: num(r.held), available: num(r.available) })}
                      </div>
                    )}
                  </td>
                  <td class="num">{money(r.value)}</td>
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

function Expiry() {
  const { t, name, num, money, date } = useI18n();
  const sites = useSites();
  const [siteId, setSiteId] = useState('');
  const data = useApi(
    () =>
      call(
        api.GET('/v1/stock/expiry', { params: { query: { withinDays: 90, ...(siteId ? { siteId } : {}) } } }),
      ),
    [siteId],
  );
  const buckets = ['expired', '0-30', '31-60', '61-90'] as const;
  return (
    <Card>
      <div class="filters">
        <SiteFilter value={siteId} onValue={setSiteId} />
      </div>
      <ErrorBox error={data.error} />
      {data.loading && !data.data && <Loading />}
      {data.data && (
        <>
          <div class="buckets">
            {buckets.map((b) => (
              <div key={b} class={`bucket bucket-${b}`}>
                <div class="bucket-label">{t(`expiry.bucket.${b}` as MessageKey)}</div>
                <div class="bucket-value">{num(data.data?.buckets[b]?.onHand ?? 0)}</div>
                <small>
                  {t('expiry.lots', { n: data.data?.buckets[b]?.lots ?? 0 })} ·{' '}
                  {money(data.data?.buckets[b]?.value ?? 0)}
                </small>
              </div>
            ))}
          </div>
          {data.data.items.length === 0 ? (
            <Empty>{t('expiry.none')}</Empty>
          ) : (
            <div class="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th>{t('item.name')}</th>
                    <th>{t('field.location')}</th>
                    <th>{t('field.lot')}</th>
                    <th>{t('field.expiry')}</th>
                    <th class="num">{t('expiry.daysLeft')}</th>
                    <th class="num">{t('stock.onHand')}</th>
                    <th class="num">{t('stock.value')}</th>
                  </tr>
                </thead>
                <tbody>
                  {data.data.items.map((r) => (
                    <tr key={`${r.itemId}-${r.locationId}-${r.lotNumber}`} class={`bucket-row-${r.bucket}`}>
                      <td>
                        {r.itemCode} {name(r)}
                      </td>
                      <td>{locationLabel(sites.data, r.locationId)}</td>
                      <td>{r.lotNumber}</td>
                      <td>{date(r.expiryDate)}</td>
                      <td class="num">{num(r.daysLeft)}</td>
                      <td class="num">{num(r.onHand)}</td>
                      <td class="num">{money(r.value)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </Card>
  );
}

function Catalogue() {
  const { t, name, money, pick } = useI18n();
  const [q, setQ] = useState('');
  const [search, setSearch] = useState('');
  const list = usePaged(
    (cursor) =>
      call(
        api.GET('/v1/items', {
          params: { query: { limit: 100, ...(search ? { q: search } : {}), ...(cursor ? { cursor } : {}) } },
        }),
      ),
    [search],
  );
  return (
    <Card>
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          setSearch(q.trim());
        }}
      >
        <TextField label={t('catalogue.search')} type="search" name="q" value={q} onValue={setQ} />
        <button type="submit">{t('common.search')}</button>
      </form>
      <ErrorBox error={list.error} />
      {list.loading && list.items.length === 0 && <Loading />}
      {!list.loading && list.items.length === 0 && <Empty>{t('catalogue.empty')}</Empty>}
      {list.items.length > 0 && (
        <div class="table-wrap">
          <table data-testid="catalogue-table">
            <thead>
              <tr>
                <th>{t('item.code')}</th>
                <th>{t('item.name')}</th>
                <th>{t('item.specification')}</th>
                <th>{t('item.units')}</th>
                <th>{t('item.riskClass')}</th>
                <th>GTIN</th>
                <th class="num">{t('item.unitCost')}</th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((it) => (
                <tr key={it.id}>
                  <td>
                    <Link href={`/items/${it.id}`} title={t('stockCard.heading')}>
                      {it.code}
                    </Link>
                  </td>
                  <td>{name(it)}</td>
                  <td>{it.specification}</td>
                  <td>
                    {[
                      pick(it.baseUnit),
                      ...it.packUnits.map((u) => `1 ${pick(u)} = ${u.factor} ${pick(it.baseUnit)}`),
                    ].join('；')}
                  </td>
                  <td>
                    {it.abc ?? '–'}
                    {it.ved}
                  </td>
                  <td>
                    <code>{it.gtin ?? ''}</code>
                  </td>
                  <td class="num">{money(it.unitCost)}</td>
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

function Suppliers() {
  const { t, num } = useI18n();
  const list = usePaged(
    (cursor) =>
      call(api.GET('/v1/suppliers', { params: { query: { limit: 100, ...(cursor ? { cursor } : {}) } } })),
    [],
  );
  const [form, setForm] = useState({ code: '', name: '', contactEmail: '', nominalLeadTimeDays: '7' });
  const create = useAction(async () => {
    await call(
      api.POST('/v1/suppliers', {
        body: {
          code: form.code,
          name: form.name,
          nominalLeadTimeDays: Number(form.nominalLeadTimeDays),
          ...(form.contactEmail ? { contactEmail: form.contactEmail } : {}),
        },
        headers: { 'Idempotency-Key': idempotencyKey() },
      }),
    );
    setForm({ code: '', name: '', contactEmail: '', nominalLeadTimeDays: '7' });
    list.reload();
  });
  const fields = create.error?.fieldErrors() ?? {};
  const set = (k: keyof typeof form) => (v: string) => setForm((f) => ({ ...f, [k]: v }));
  return (
    <Card>
      <ErrorBox error={list.error} />
      {!list.loading && list.items.length === 0 && <Empty>{t('suppliers.empty')}</Empty>}
      {list.items.length > 0 && (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th>{t('suppliers.code')}</th>
                <th>{t('suppliers.name')}</th>
                <th>{t('field.email')}</th>
                <th class="num">{t('suppliers.leadTime')}</th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((s) => (
                <tr key={s.id}>
                  <td>{s.code}</td>
                  <td>{s.name}</td>
                  <td>{s.contactEmail ?? ''}</td>
                  <td class="num">{num(s.nominalLeadTimeDays)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <MoreButton hasMore={list.hasMore} more={list.more} />
      {(can('purchasing') || can('admin')) && (
        <form
          class="inline-form"
          aria-label={t('suppliers.add')}
          onSubmit={(e) => {
            e.preventDefault();
            void create.run();
          }}
        >
          <h3>{t('suppliers.add')}</h3>
          <TextField
            label={t('suppliers.code')}
            name="code"
            required
            value={form.code}
            onValue={set('code')}
            error={fields.code}
          />
          <TextField
            label={t('suppliers.name')}
            name="name"
            required
            value={form.name}
            onValue={set('name')}
            error={fields.name}
          />
          <TextField
            label={t('field.email')}
            type="email"
            name="contactEmail"
            value={form.contactEmail}
            onValue={set('contactEmail')}
            error={fields.contactEmail}
          />
          <TextField
            label={t('suppliers.leadTime')}
            type="number"
            min={0}
            step="0.5"
            name="nominalLeadTimeDays"
            value={form.nominalLeadTimeDays}
            onValue={set('nominalLeadTimeDays')}
            error={fields.nominalLeadTimeDays}
          />
          <ErrorBox error={create.error} />
          <button type="submit" disabled={create.busy}>
            {t('common.add')}
          </button>
        </form>
      )}
    </Card>
  );
}
