import { useState } from 'preact/hooks';
import { type ApiError, api, call, idempotencyKey } from '../api/client';
import { can, currentMe } from '../api/session';
import { type Item, ItemPicker } from '../components/item-picker';
import { ErrorBox, SelectField, TextField } from '../components/ui';
import { useI18n } from '../i18n/i18n';
import { useSites } from '../lib/sites';
import { itemUnitWord } from '../lib/units';
import { useApi } from '../lib/use-api';

/**
 * The master data behind requisitions: departments with their cost centres (admin) and the
 * fixed-quantity packs kept at them (the store), with the text their label barcode holds.
 */
export function RequisitionSetup(props: { onChanged: () => void }) {
  const { t, name, locale, num } = useI18n();
  const sites = useSites();
  const departments = useApi(() => call(api.GET('/v1/departments')), []);
  const packs = useApi(() => call(api.GET('/v1/fixed-packs')), []);
  const siteOptions = (sites.data ?? []).map((s) => ({ value: s.id, label: s.name }));
  const stores = (sites.data ?? []).flatMap((s) =>
    s.locations.filter((l) => l.active).map((l) => ({ value: l.id, label: `${s.name} · ${l.name}` })),
  );
  const [dept, setDept] = useState({ siteId: '', code: '', name: '', costCentre: '' });
  const [pack, setPack] = useState({ code: '', quantity: '', departmentId: '', sourceLocationId: '' });
  const [packItem, setPackItem] = useState<Item | null>(null);
  const [error, setError] = useState<ApiError>();
  const [label, setLabel] = useState<{ code: string; svg: string } | null>(null);
  const showLabel = (id: string, code: string) =>
    call(api.GET('/v1/fixed-packs/{id}/label', { params: { path: { id } }, parseAs: 'text' })).then(
      (svg) => setLabel({ code, svg: String(svg) }),
      (e: ApiError) => setError(e),
    );
  const depts = departments.data?.items ?? [];
  const store = can('stock:write') && currentMe()?.role !== 'nurse';
  const run = async (fn: () => Promise<unknown>) => {
    setError(undefined);
    try {
      await fn();
      departments.reload();
      packs.reload();
      props.onChanged();
    } catch (e) {
      setError(e as ApiError);
    }
  };
  return (
    <details class="card req-setup" data-testid="req-setup">
      <summary>{t('req.setup')}</summary>
      <h3>{t('req.setup.departments')}</h3>
      {depts.length === 0 ? (
        <p class="muted">{t('req.setup.none')}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>{t('req.setup.code')}</th>
              <th>{t('req.setup.name')}</th>
              <th>{t('req.setup.costCentre')}</th>
              <th>{t('req.setup.site')}</th>
            </tr>
          </thead>
          <tbody>
            {depts.map((d) => (
              <tr key={d.id}>
                <td>{d.code}</td>
                <td>{d.name}</td>
                <td>{d.costCentre ?? '—'}</td>
                <td>{siteOptions.find((s) => s.value === d.siteId)?.label ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {can('admin') && (
        <form
          class="req-line"
          onSubmit={(e) => {
            e.preventDefault();
            void run(() =>
              call(
                api.POST('/v1/departments', {
                  body: {
                    siteId: dept.siteId || siteOptions[0]!.value,
                    code: dept.code.trim(),
                    name: dept.name.trim(),
                    ...(dept.costCentre.trim() ? { costCentre: dept.costCentre.trim() } : {}),
                  },
                  headers: { 'Idempotency-Key': idempotencyKey() },
                }),
              ).then(() => setDept({ siteId: dept.siteId, code: '', name: '', costCentre: '' })),
            );
          }}
        >
          <SelectField
            label={t('req.setup.site')}
            name="deptSite"
            value={dept.siteId || siteOptions[0]?.value || ''}
            onValue={(siteId) => setDept({ ...dept, siteId })}
            options={siteOptions}
          />
          <TextField
            label={t('req.setup.code')}
            name="deptCode"
            value={dept.code}
            maxLength={40}
            onValue={(code) => setDept({ ...dept, code })}
          />
          <TextField
            label={t('req.setup.name')}
            name="deptName"
            value={dept.name}
            maxLength={200}
            onValue={(n) => setDept({ ...dept, name: n })}
          />
          <TextField
            label={t('req.setup.costCentre')}
            name="deptCostCentre"
            value={dept.costCentre}
            maxLength={40}
            onValue={(costCentre) => setDept({ ...dept, costCentre })}
          />
          <button type="submit" disabled={!dept.code.trim() || !dept.name.trim() || siteOptions.length === 0}>
            {t('req.setup.addDepartment')}
          </button>
        </form>
      )}
      <h3>{t('req.setup.packs')}</h3>
      {(packs.data?.items ?? []).length === 0 ? (
        <p class="muted">{t('req.setup.none')}</p>
      ) : (
        <table data-testid="fixed-packs">
          <thead>
            <tr>
              <th>{t('req.setup.packCode')}</th>
              <th>{t('req.setup.packItem')}</th>
              <th class="num">{t('req.quantity')}</th>
              <th>{t('req.setup.packDepartment')}</th>
              <th>{t('req.setup.label')}</th>
            </tr>
          </thead>
          <tbody>
            {packs.data!.items.map((p) => (
              <tr key={p.id}>
                <td>{p.code}</td>
                <td>
                  {p.itemCode} {name(p)}
                </td>
                <td class="num">{num(p.quantity)}</td>
                <td>{p.departmentName}</td>
                <td>
                  <code>{p.label}</code>{' '}
                  <button type="button" class="link-button" onClick={() => void showLabel(p.id, p.code)}>
                    {t('req.setup.showLabel')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {store && (
        <form
          class="req-line"
          onSubmit={(e) => {
            e.preventDefault();
            if (!packItem) return;
            void run(() =>
              call(
                api.POST('/v1/fixed-packs', {
                  body: {
                    code: pack.code.trim(),
                    itemId: packItem.id,
                    quantity: Number(pack.quantity),
                    departmentId: pack.departmentId || depts[0]!.id,
                    sourceLocationId: pack.sourceLocationId || stores[0]!.value,
                  },
                  headers: { 'Idempotency-Key': idempotencyKey() },
                }),
              ).then(() => setPack({ ...pack, code: '', quantity: '' })),
            );
          }}
        >
          <TextField
            label={t('req.setup.packCode')}
            name="packCode"
            value={pack.code}
            maxLength={32}
            onValue={(code) => setPack({ ...pack, code })}
          />
          <ItemPicker label={t('req.setup.packItem')} value={packItem} onValue={setPackItem} />
          <TextField
            label={t('req.setup.packQuantity', {
              unit: packItem ? itemUnitWord(packItem.baseUnit, locale) : '',
            })}
            name="packQuantity"
            type="number"
            min="1"
            value={pack.quantity}
            onValue={(quantity) => setPack({ ...pack, quantity })}
          />
          <SelectField
            label={t('req.setup.packDepartment')}
            name="packDepartment"
            value={pack.departmentId || depts[0]?.id || ''}
            onValue={(departmentId) => setPack({ ...pack, departmentId })}
            options={depts.map((d) => ({ value: d.id, label: d.name }))}
          />
          <SelectField
            label={t('req.setup.packStore')}
            name="packStore"
            value={pack.sourceLocationId || stores[0]?.value || ''}
            onValue={(sourceLocationId) => setPack({ ...pack, sourceLocationId })}
            options={stores}
          />
          <button
            type="submit"
            disabled={!packItem || !pack.code.trim() || !(Number(pack.quantity) > 0) || depts.length === 0}
          >
            {t('req.setup.addPack')}
          </button>
        </form>
      )}
      {label && (
        <figure class="pack-label" data-testid="pack-label">
          {/* The SVG is our own API's bwip-js output for a code we validated (letters, digits, . _ -). */}
          <div dangerouslySetInnerHTML={{ __html: label.svg }} />
          <figcaption>
            {t('req.setup.labelCaption', { code: label.code })}{' '}
            <button type="button" onClick={() => window.print()}>
              {t('req.setup.print')}
            </button>
          </figcaption>
        </figure>
      )}
      <ErrorBox error={error} />
    </details>
  );
}
