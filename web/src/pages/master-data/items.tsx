import { useState } from 'preact/hooks';
import { Link } from 'wouter-preact';
import { CATALOGUE_CATEGORIES } from '../../../../core/src/catalogue/categories.ts';
import { api, call, idempotencyKey, type Json } from '../../api/client';
import { STORAGES, VEDS } from '../../api/enums';
import { can } from '../../api/session';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { MoreButton } from '../../components/more';
import { Card, Checkbox, Empty, ErrorBox, Loading, SelectField, TextField } from '../../components/ui';
import { type MessageKey, useI18n } from '../../i18n/i18n';
import { usePaged } from '../../lib/paged';
import { useAction, useApi } from '../../lib/use-api';

type Item = Json<'/v1/items', 'get'>['items'][number];
type ItemDetail = Json<'/v1/items/{id}', 'get'>;

/** 基础数据 · 耗材: the catalogue searched, each item created and edited in full. */
export function ItemsMasterData() {
  const { t, name, pick } = useI18n();
  const writer = can('purchasing') || can('admin');
  const [q, setQ] = useState('');
  const [search, setSearch] = useState('');
  const [editing, setEditing] = useState<string | 'new' | null>(null);
  const list = usePaged(
    (cursor) =>
      call(
        api.GET('/v1/items', {
          params: { query: { limit: 50, ...(search ? { q: search } : {}), ...(cursor ? { cursor } : {}) } },
        }),
      ),
    [search],
  );
  return (
    <>
      <Card title={t('md.items.title')}>
        <form
          class="filters"
          onSubmit={(e) => {
            e.preventDefault();
            setSearch(q.trim());
          }}
        >
          <TextField label={t('md.items.search')} type="search" name="q" value={q} onValue={setQ} />
          <button type="submit">{t('common.search')}</button>
          {writer && (
            <button type="button" class="primary" onClick={() => setEditing('new')}>
              {t('md.items.new')}
            </button>
          )}
        </form>
        <ErrorBox error={list.error} />
        {list.loading && list.items.length === 0 && <Loading />}
        {!list.loading && list.items.length === 0 && <Empty>{t('md.items.empty')}</Empty>}
        {list.items.length > 0 && (
          <div class="table-wrap">
            <table data-testid="md-items-table">
              <thead>
                <tr>
                  <th>{t('item.code')}</th>
                  <th>{t('item.name')}</th>
                  <th>{t('md.item.baseUnit')}</th>
                  <th>{t('md.item.nhsaCode')}</th>
                  <th>{t('md.item.status')}</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {list.items.map((it: Item) => (
                  <tr key={it.id} class={it.active ? '' : 'muted'}>
                    <td>{it.code}</td>
                    <td>{name(it)}</td>
                    <td>{pick(it.baseUnit)}</td>
                    <td>
                      <code>{it.nhsaCode ?? ''}</code>
                    </td>
                    <td>{it.active ? t('md.active') : t('md.inactive')}</td>
                    <td class="actions">
                      <Link href={`/items/${it.id}`}>{t('md.items.stockCard')}</Link>{' '}
                      {writer && (
                        <button type="button" class="link-button" onClick={() => setEditing(it.id)}>
                          {t('md.edit')}
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <MoreButton hasMore={list.hasMore} more={list.more} />
      </Card>
      {editing && (
        <ItemEditor
          key={editing}
          id={editing === 'new' ? null : editing}
          onSaved={(id) => {
            setEditing(id);
            list.reload();
          }}
          onClose={() => setEditing(null)}
        />
      )}
      {can('admin') && <ApplyTemplate onApplied={list.reload} />}
    </>
  );
}

interface PackRow {
  code: string;
  zh: string;
  factor: string;
}

function formOf(d: ItemDetail | undefined) {
  return {
    code: d?.code ?? '',
    nameZh: d?.nameZh ?? '',
    nameEn: d?.nameEn ?? '',
    specification: d?.specification ?? '',
    category: d?.category ?? 'general',
    baseCode: d?.baseUnit.code ?? 'piece',
    baseZh: d?.baseUnit.zh ?? '',
    baseEn: d?.baseUnit.en ?? '',
    gtin: d?.gtin ?? '',
    nhsaCode: d?.nhsaCode ?? '',
    udiDi: d?.udiDi ?? '',
    manufacturer: d?.manufacturer ?? '',
    ved: (d?.ved ?? 'E') as (typeof VEDS)[number],
    storage: (d?.storage ?? 'room') as (typeof STORAGES)[number],
    unitCost: String(d?.unitCost ?? 0),
    lotTracked: d?.lotTracked ?? true,
    active: d?.active ?? true,
  };
}

function ItemEditor(props: { id: string | null; onSaved: (id: string) => void; onClose: () => void }) {
  const { t, locale, dateTime } = useI18n();
  const detail = useApi(
    () =>
      props.id
        ? call(api.GET('/v1/items/{id}', { params: { path: { id: props.id } } }))
        : Promise.resolve(undefined),
    [props.id],
  );
  const [form, setForm] = useState<ReturnType<typeof formOf> | null>(props.id ? null : formOf(undefined));
  const [packs, setPacks] = useState<PackRow[]>([]);
  if (props.id && detail.data && form === null) {
    setForm(formOf(detail.data));
    setPacks(detail.data.packUnits.map((p) => ({ code: p.code, zh: p.zh, factor: String(p.factor) })));
  }
  const save = useAction(async () => {
    if (!form) return;
    const body = {
      nameZh: form.nameZh,
      nameEn: form.nameEn,
      specification: form.specification,
      category: form.category as 'general',
      baseUnit: { code: form.baseCode, zh: form.baseZh, en: form.baseEn },
      packUnits: packs
        .filter((p) => p.code.trim())
        .map((p) => ({ code: p.code.trim(), zh: p.zh, factor: Number(p.factor) })),
      gtin: form.gtin.trim() || null,
      nhsaCode: form.nhsaCode.trim() || null,
      udiDi: form.udiDi.trim() || null,
      manufacturer: form.manufacturer.trim() || null,
      ved: form.ved,
      storage: form.storage,
      unitCost: Number(form.unitCost),
      lotTracked: form.lotTracked,
      active: form.active,
    };
    const saved = props.id
      ? await call(api.PATCH('/v1/items/{id}', { params: { path: { id: props.id } }, body }))
      : await call(
          api.POST('/v1/items', {
            body: { ...body, code: form.code },
            headers: { 'Idempotency-Key': idempotencyKey() },
          }),
        );
    props.onSaved(saved.id);
    if (props.id) detail.reload();
  });
  const fields = save.error?.fieldErrors() ?? {};
  if (props.id && !form) return <Loading />;
  if (!form) return null;
  const set =
    <K extends keyof typeof form>(k: K) =>
    (v: (typeof form)[K]) =>
      setForm((f) => (f ? { ...f, [k]: v } : f));
  return (
    <Card title={props.id ? t('md.items.editTitle', { code: form.code }) : t('md.items.new')}>
      <form
        data-testid="item-form"
        onSubmit={(e) => {
          e.preventDefault();
          void save.run();
        }}
      >
        <div class="grid-3">
          <TextField
            label={t('item.code')}
            name="code"
            required
            disabled={props.id !== null}
            value={form.code}
            onValue={set('code')}
            error={fields.code}
          />
          <TextField
            label={t('md.item.nameZh')}
            name="nameZh"
            required
            value={form.nameZh}
            onValue={set('nameZh')}
            error={fields.nameZh}
          />
          <TextField
            label={t('md.item.nameEn')}
            name="nameEn"
            required
            value={form.nameEn}
            onValue={set('nameEn')}
            error={fields.nameEn}
          />
          <TextField
            label={t('item.specification')}
            name="specification"
            value={form.specification}
            onValue={set('specification')}
            error={fields.specification}
          />
          <SelectField
            label={t('md.item.category')}
            name="category"
            value={form.category}
            onValue={set('category')}
            options={CATALOGUE_CATEGORIES.map((c) => ({
              value: c.code,
              label: locale === 'zh-CN' ? c.zh : c.en,
            }))}
          />
          <TextField
            label={t('md.item.manufacturer')}
            name="manufacturer"
            value={form.manufacturer}
            onValue={set('manufacturer')}
            error={fields.manufacturer}
          />
          <TextField
            label={t('md.item.nhsaCode')}
            name="nhsaCode"
            value={form.nhsaCode}
            onValue={set('nhsaCode')}
            hint={t('md.item.nhsaCodeHint')}
            error={fields.nhsaCode}
          />
          <TextField
            label={t('md.item.udiDi')}
            name="udiDi"
            value={form.udiDi}
            onValue={set('udiDi')}
            hint={t('md.item.udiDiHint')}
            error={fields.udiDi}
          />
          <TextField
            label={t('md.item.gtin')}
            name="gtin"
            inputMode="numeric"
            value={form.gtin}
            onValue={set('gtin')}
            error={fields.gtin}
          />
          <SelectField
            label={t('md.item.ved')}
            name="ved"
            value={form.ved}
            onValue={set('ved')}
            options={VEDS.map((v) => ({ value: v, label: t(`md.ved.${v}` as MessageKey) }))}
          />
          <SelectField
            label={t('md.item.storage')}
            name="storage"
            value={form.storage}
            onValue={set('storage')}
            options={STORAGES.map((s) => ({ value: s, label: t(`md.storage.${s}` as MessageKey) }))}
          />
          <TextField
            label={t('md.item.unitCost')}
            name="unitCost"
            type="number"
            min={0}
            step="0.0001"
            value={form.unitCost}
            onValue={set('unitCost')}
            error={fields.unitCost}
          />
        </div>
        <fieldset class="units">
          <legend>{t('md.item.units')}</legend>
          <div class="grid-3">
            <TextField
              label={t('md.item.baseUnitCode')}
              name="baseUnitCode"
              required
              value={form.baseCode}
              onValue={set('baseCode')}
              error={fields.baseUnit}
            />
            <TextField
              label={t('md.item.baseUnitZh')}
              name="baseUnitZh"
              value={form.baseZh}
              onValue={set('baseZh')}
            />
            <TextField
              label={t('md.item.baseUnitEn')}
              name="baseUnitEn"
              value={form.baseEn}
              onValue={set('baseEn')}
            />
          </div>
          {packs.map((p, i) => (
            <div class="grid-3" key={i}>
              <TextField
                label={t('md.item.packCode')}
                name={`pack-${i}-code`}
                value={p.code}
                onValue={(v) => setPacks((xs) => xs.map((x, j) => (j === i ? { ...x, code: v } : x)))}
              />
              <TextField
                label={t('md.item.packZh')}
                name={`pack-${i}-zh`}
                value={p.zh}
                onValue={(v) => setPacks((xs) => xs.map((x, j) => (j === i ? { ...x, zh: v } : x)))}
              />
              <TextField
                label={t('md.item.packFactor', { unit: form.baseZh || form.baseCode })}
                name={`pack-${i}-factor`}
                type="number"
                min={2}
                value={p.factor}
                onValue={(v) => setPacks((xs) => xs.map((x, j) => (j === i ? { ...x, factor: v } : x)))}
                error={fields.packUnits}
              />
            </div>
          ))}
          <button
            type="button"
            class="link-button"
            onClick={() => setPacks((xs) => [...xs, { code: '', zh: '', factor: '' }])}
          >
            {t('md.item.addPack')}
          </button>
        </fieldset>
        <div class="actions-row">
          <Checkbox
            label={t('md.item.lotTracked')}
            name="lotTracked"
            checked={form.lotTracked}
            onValue={set('lotTracked')}
          />
          <Checkbox label={t('md.item.active')} name="active" checked={form.active} onValue={set('active')} />
        </div>
        <ErrorBox error={save.error} />
        {save.busy === false && !save.error && props.id && detail.data && (
          <p class="muted">{t('md.updatedAt', { at: dateTime(detail.data.updatedAt) })}</p>
        )}
        <div class="actions-row">
          <button type="submit" class="primary" disabled={save.busy}>
            {t('common.save')}
          </button>
          <button type="button" onClick={props.onClose}>
            {t('md.close')}
          </button>
        </div>
      </form>
      {props.id && detail.data && (
        <>
          <GtinList item={detail.data} onChanged={detail.reload} />
          <SupplierTerms item={detail.data} onChanged={detail.reload} />
        </>
      )}
    </Card>
  );
}

function GtinList({ item, onChanged }: { item: ItemDetail; onChanged: () => void }) {
  const { t, pick } = useI18n();
  const [gtin, setGtin] = useState('');
  const [unit, setUnit] = useState('');
  const link = useAction(async () => {
    await call(
      api.POST('/v1/items/{id}/gtins', {
        params: { path: { id: item.id } },
        body: { gtin: gtin.trim(), unit: unit || null },
        headers: { 'Idempotency-Key': idempotencyKey() },
      }),
    );
    setGtin('');
    onChanged();
  });
  const unlink = useAction(async (g: string) => {
    await call(api.DELETE('/v1/items/{id}/gtins/{gtin}', { params: { path: { id: item.id, gtin: g } } }));
    onChanged();
  });
  const unitName = (code: string | null) =>
    code === null ? pick(item.baseUnit) : pick(item.packUnits.find((p) => p.code === code) ?? item.baseUnit);
  return (
    <section class="sub-section">
      <h3>{t('md.gtins.title')}</h3>
      <p class="muted">{t('md.gtins.hint')}</p>
      {item.gtins.length === 0 && <p class="muted">{t('md.gtins.none')}</p>}
      {item.gtins.length > 0 && (
        <ul data-testid="gtin-list">
          {item.gtins.map((g) => (
            <li key={g.gtin}>
              <code>{g.gtin}</code> · {unitName(g.unitCode)}{' '}
              <button type="button" class="link-button danger" onClick={() => void unlink.run(g.gtin)}>
                {t('md.remove')}
              </button>
            </li>
          ))}
        </ul>
      )}
      <form
        class="inline-form"
        aria-label={t('md.gtins.add')}
        onSubmit={(e) => {
          e.preventDefault();
          void link.run();
        }}
      >
        <TextField
          label={t('md.item.gtin')}
          name="linkGtin"
          required
          inputMode="numeric"
          value={gtin}
          onValue={setGtin}
        />
        <SelectField
          label={t('md.gtins.unit')}
          name="linkUnit"
          value={unit}
          onValue={setUnit}
          options={[
            { value: '', label: pick(item.baseUnit) },
            ...item.packUnits.map((p) => ({ value: p.code, label: pick(p) })),
          ]}
        />
        <button type="submit" disabled={link.busy}>
          {t('md.gtins.add')}
        </button>
      </form>
      <ErrorBox error={link.error ?? unlink.error} />
    </section>
  );
}

function SupplierTerms({ item, onChanged }: { item: ItemDetail; onChanged: () => void }) {
  const { t, money, num, pick } = useI18n();
  const suppliers = useApi(() => call(api.GET('/v1/suppliers', { params: { query: { limit: 200 } } })), []);
  const blank = {
    supplierId: '',
    packPrice: '',
    packUnit: '',
    moqPacks: '1',
    leadTime: '',
    preferred: false,
  };
  const [form, setForm] = useState(blank);
  const [removing, setRemoving] = useState<string | null>(null);
  const put = useAction(async () => {
    await call(
      api.PUT('/v1/items/{id}/suppliers/{supplierId}', {
        params: { path: { id: item.id, supplierId: form.supplierId } },
        body: {
          packPrice: Number(form.packPrice),
          ...(form.packUnit ? { packUnit: form.packUnit } : {}),
          moqPacks: Number(form.moqPacks || 1),
          nominalLeadTimeDays: form.leadTime === '' ? null : Number(form.leadTime),
          preferred: form.preferred,
        },
      }),
    );
    setForm(blank);
    onChanged();
  });
  const fields = put.error?.fieldErrors() ?? {};
  const active = (suppliers.data?.items ?? []).filter((s) => s.active);
  return (
    <section class="sub-section">
      <h3>{t('md.terms.title')}</h3>
      {item.suppliers.length === 0 && <p class="muted">{t('md.terms.none')}</p>}
      {item.suppliers.length > 0 && (
        <div class="table-wrap">
          <table data-testid="terms-table">
            <thead>
              <tr>
                <th>{t('suppliers.name')}</th>
                <th class="num">{t('md.terms.packPrice')}</th>
                <th class="num">{t('md.terms.packSize', { unit: pick(item.baseUnit) })}</th>
                <th class="num">{t('md.terms.unitPrice')}</th>
                <th class="num">{t('md.terms.moq')}</th>
                <th class="num">{t('suppliers.leadTime')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {item.suppliers.map((s) => (
                <tr key={s.supplierId}>
                  <td>
                    {s.supplierName} {s.preferred && <span class="badge">{t('md.terms.preferred')}</span>}
                    {!s.supplierActive && <span class="badge">{t('md.inactive')}</span>}
                  </td>
                  <td class="num">{money(s.packPrice)}</td>
                  <td class="num">{num(s.packSize)}</td>
                  <td class="num">{money(s.unitPrice)}</td>
                  <td class="num">{num(s.moqPacks)}</td>
                  <td class="num">{num(s.effectiveLeadTimeDays)}</td>
                  <td class="actions">
                    <button
                      type="button"
                      class="link-button"
                      onClick={() =>
                        setForm({
                          supplierId: s.supplierId,
                          packPrice: String(s.packPrice),
                          packUnit: item.packUnits.find((p) => p.factor === s.packSize)?.code ?? '',
                          moqPacks: String(s.moqPacks),
                          leadTime: s.nominalLeadTimeDays === null ? '' : String(s.nominalLeadTimeDays),
                          preferred: s.preferred,
                        })
                      }
                    >
                      {t('md.edit')}
                    </button>{' '}
                    <button
                      type="button"
                      class="link-button danger"
                      onClick={() => setRemoving(s.supplierId)}
                    >
                      {t('md.remove')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <form
        class="inline-form"
        aria-label={t('md.terms.set')}
        onSubmit={(e) => {
          e.preventDefault();
          void put.run();
        }}
      >
        <SelectField
          label={t('suppliers.name')}
          name="termSupplier"
          required
          value={form.supplierId}
          onValue={(v) => setForm((f) => ({ ...f, supplierId: v }))}
          options={[
            { value: '', label: t('common.choose') },
            ...active.map((s) => ({ value: s.id, label: `${s.code} ${s.name}` })),
          ]}
        />
        <TextField
          label={t('md.terms.packPrice')}
          name="packPrice"
          type="number"
          min={0}
          step="0.01"
          required
          value={form.packPrice}
          onValue={(v) => setForm((f) => ({ ...f, packPrice: v }))}
          error={fields.packPrice}
        />
        <SelectField
          label={t('md.terms.packUnit')}
          name="packUnit"
          value={form.packUnit}
          onValue={(v) => setForm((f) => ({ ...f, packUnit: v }))}
          options={[
            { value: '', label: pick(item.baseUnit) },
            ...item.packUnits.map((p) => ({ value: p.code, label: `${pick(p)} (${p.factor})` })),
          ]}
        />
        <TextField
          label={t('md.terms.moq')}
          name="moqPacks"
          type="number"
          min={1}
          value={form.moqPacks}
          onValue={(v) => setForm((f) => ({ ...f, moqPacks: v }))}
          error={fields.moqPacks}
        />
        <TextField
          label={t('suppliers.leadTime')}
          name="termLeadTime"
          type="number"
          min={0}
          step="0.5"
          value={form.leadTime}
          onValue={(v) => setForm((f) => ({ ...f, leadTime: v }))}
        />
        <Checkbox
          label={t('md.terms.preferred')}
          name="preferred"
          checked={form.preferred}
          onValue={(v) => setForm((f) => ({ ...f, preferred: v }))}
        />
        <button type="submit" disabled={put.busy || !form.supplierId}>
          {t('md.terms.set')}
        </button>
      </form>
      <ErrorBox error={put.error ?? suppliers.error} />
      {removing && (
        <ConfirmDialog
          title={t('md.terms.removeTitle')}
          message={t('md.terms.removeConfirm', {
            supplier: item.suppliers.find((s) => s.supplierId === removing)?.supplierName ?? '',
          })}
          confirmLabel={t('md.remove')}
          onConfirm={async () => {
            await call(
              api.DELETE('/v1/items/{id}/suppliers/{supplierId}', {
                params: { path: { id: item.id, supplierId: removing } },
              }),
            );
            onChanged();
          }}
          onClose={() => setRemoving(null)}
        />
      )}
    </section>
  );
}

/** A starter catalogue applied later: its missing items are added, present ones left alone. */
function ApplyTemplate({ onApplied }: { onApplied: () => void }) {
  const { t, pick } = useI18n();
  const templates = useApi(() => call(api.GET('/v1/catalogue-templates')), []);
  const [code, setCode] = useState('');
  const [result, setResult] = useState<Json<'/v1/catalogue-templates/{code}/apply', 'post'> | null>(null);
  const apply = useAction(async () => {
    setResult(
      await call(
        api.POST('/v1/catalogue-templates/{code}/apply', {
          params: { path: { code } },
          headers: { 'Idempotency-Key': idempotencyKey() },
        }),
      ),
    );
    onApplied();
  });
  return (
    <Card title={t('md.template.title')}>
      <p class="muted">{t('md.template.hint')}</p>
      <form
        class="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          void apply.run();
        }}
      >
        <SelectField
          label={t('md.template.choose')}
          name="template"
          value={code}
          onValue={setCode}
          options={[
            { value: '', label: t('common.choose') },
            ...(templates.data?.items ?? []).map((x) => ({
              value: x.code,
              label: t('md.template.option', { name: pick(x.name), count: x.itemCount }),
            })),
          ]}
        />
        <button type="submit" disabled={!code || apply.busy}>
          {t('md.template.apply')}
        </button>
      </form>
      <ErrorBox error={apply.error ?? templates.error} />
      {result && (
        <p class="success" role="status" data-testid="template-result">
          {t('md.template.result', { created: result.created, skipped: result.skipped })}
        </p>
      )}
    </Card>
  );
}
