import { useState } from 'preact/hooks';
import { useLocation } from 'wouter-preact';
import { api, call, idempotencyKey, type Json } from '../api/client';
import { PO_STATUSES } from '../api/enums';
import { can } from '../api/session';
import { type Item, ItemPicker } from '../components/item-picker';
import { MoreButton } from '../components/more';
import {
  documentsBody,
  type LotOverride,
  LotOverrideFields,
  NO_DOCUMENTS,
  NO_OVERRIDE,
  overrideBody,
  ReceiptDocumentFields,
  type ReceiptDocuments,
} from '../components/receiving-fields';
import { LocationSelect, SiteFilter } from '../components/site-filter';
import { Card, Empty, ErrorBox, Loading, PageHeader, SelectField, Tabs, TextField } from '../components/ui';
import { type MessageKey, useI18n } from '../i18n/i18n';
import { usePaged } from '../lib/paged';
import { useQueryParam } from '../lib/query-string';
import { locationLabel, useSites } from '../lib/sites';
import { unitWord } from '../lib/units';
import { useAction, useApi } from '../lib/use-api';
import { DraftEditor, NotAllowedToBuy, PoActions, PoHistory, PoPeople } from './purchasing/po-tools';

type Tab = 'suggestions' | 'orders' | 'new' | 'transfers';
type PO = Json<'/v1/purchase-orders/{id}', 'get'>;
const key = () => ({ 'Idempotency-Key': idempotencyKey() });

export default function PurchasingPage() {
  const { t } = useI18n();
  const po = useQueryParam('po');
  const [tab, setTab] = useState<Tab>(po ? 'orders' : 'suggestions');
  return (
    <div class="page" data-page="purchasing">
      <PageHeader title={t('purchasing.title')} />
      <Tabs
        label={t('purchasing.title')}
        value={tab}
        onValue={setTab}
        tabs={[
          { value: 'suggestions', label: t('purchasing.tab.suggestions') },
          { value: 'orders', label: t('purchasing.tab.orders') },
          ...(can('purchasing') ? [{ value: 'new' as Tab, label: t('purchasing.tab.new') }] : []),
          { value: 'transfers', label: t('purchasing.tab.transfers') },
        ]}
      />
      {tab === 'suggestions' && <Suggestions onDrafted={() => setTab('orders')} />}
      {tab === 'orders' && <Orders selected={po} />}
      {tab === 'new' && <NewOrder onCreated={() => setTab('orders')} />}
      {tab === 'transfers' && <Transfers />}
    </div>
  );
}

function Suggestions({ onDrafted }: { onDrafted: () => void }) {
  // Suggestions need the purchasing scope: say so instead of an empty "nothing to buy".
  if (!can('purchasing')) return <NotAllowedToBuy />;
  return <PurchaseSuggestions onDrafted={onDrafted} />;
}

function PurchaseSuggestions({ onDrafted }: { onDrafted: () => void }) {
  const { t, name, num, money, pct, pick } = useI18n();
  const [siteId, setSiteId] = useState('');
  const [, navigate] = useLocation();
  // The purchaser's pack counts per item-location, edited before drafting ('' = as suggested).
  const [packs, setPacks] = useState<Record<string, string>>({});
  const list = usePaged(
    (cursor) =>
      call(
        api.GET('/v1/suggestions/purchases', {
          params: { query: { limit: 50, ...(siteId ? { siteId } : {}), ...(cursor ? { cursor } : {}) } },
        }),
      ),
    [siteId],
  );
  const draft = useAction(async (supplierId: string | null) => {
    const group = list.items.find((g) => g.supplierId === supplierId);
    const lines = (group?.lines ?? [])
      .map((l) => ({ l, v: packs[`${l.itemId}|${l.locationId}`] }))
      .filter(({ l, v }) => v !== undefined && v !== '' && Number(v) !== l.packs)
      .map(({ l, v }) => ({
        itemId: l.itemId,
        locationId: l.locationId,
        packs: Math.max(0, Math.round(Number(v))),
      }));
    const r = await call(
      api.POST('/v1/suggestions/purchases/draft-orders', {
        body: {
          ...(supplierId ? { supplierIds: [supplierId] } : {}),
          ...(siteId ? { siteId } : {}),
          ...(lines.length ? { lines } : {}),
        },
        headers: key(),
      }),
    );
    setPacks({});
    list.reload();
    const first = r.created[0];
    if (first) navigate(`/purchasing?po=${first.id}`);
    onDrafted();
  });
  return (
    <Card>
      <div class="filters">
        <SiteFilter value={siteId} onValue={setSiteId} />
      </div>
      <ErrorBox error={list.error ?? draft.error} />
      {list.loading && list.items.length === 0 && <Loading />}
      {!list.loading && list.items.length === 0 && <Empty>{t('suggestions.none')}</Empty>}
      {list.items.length > 0 && <p class="hint">{t('poDay.sugg.hint')}</p>}
      {list.items.map((g) => (
        <section class="supplier-group" key={g.supplierId ?? 'none'}>
          <header>
            <h3>{g.supplierName ?? t('suggestions.noSupplier')}</h3>
            <span>
              {t('suggestions.total', { packs: num(g.totalPacks) })} · {money(g.totalValue)}
            </span>
            {g.supplierId && can('purchasing') && (
              <button
                type="button"
                class="primary"
                disabled={draft.busy}
                onClick={() => void draft.run(g.supplierId)}
              >
                {t('suggestions.draft')}
              </button>
            )}
          </header>
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>{t('item.name')}</th>
                  <th>{t('field.location')}</th>
                  <th class="num">{t('policy.position')}</th>
                  <th class="num">{t('policy.reorderPoint')}</th>
                  <th class="num">{t('suggestions.packs')}</th>
                  <th class="num">{t('policy.stockoutProbability')}</th>
                  <th>{t('alerts.why')}</th>
                </tr>
              </thead>
              <tbody>
                {g.lines.map((l) => (
                  <tr key={`${l.itemId}-${l.locationId}`}>
                    <td>
                      {l.itemCode} {name(l)}
                    </td>
                    <td>
                      {l.siteName} · {l.locationName}
                    </td>
                    <td class="num">{num(l.position)}</td>
                    <td class="num">{num(l.reorderPoint, 1)}</td>
                    <td class="num">
                      {g.supplierId ? (
                        <input
                          type="number"
                          min={0}
                          step={1}
                          class="packs-input"
                          name={`packs-${l.itemCode}`}
                          aria-label={`${t('poDay.sugg.packs')} ${l.itemCode}`}
                          value={packs[`${l.itemId}|${l.locationId}`] ?? String(l.packs)}
                          onInput={(e) => {
                            const v = (e.currentTarget as HTMLInputElement).value;
                            setPacks((p) => ({ ...p, [`${l.itemId}|${l.locationId}`]: v }));
                          }}
                        />
                      ) : (
                        num(l.packs)
                      )}{' '}
                      × {l.packSize}
                    </td>
                    <td class="num">{pct(l.stockoutProbability)}</td>
                    <td>
                      {pick(l.reason)} {l.openDraft && <span class="badge">{l.openDraft.number}</span>}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ))}
      <MoreButton hasMore={list.hasMore} more={list.more} />
    </Card>
  );
}

function Orders({ selected }: { selected: string }) {
  const { t, money, date } = useI18n();
  const [status, setStatus] = useState('');
  const [, navigate] = useLocation();
  const list = usePaged(
    (cursor) =>
      call(
        api.GET('/v1/purchase-orders', {
          params: {
            query: {
              limit: 50,
              ...(status ? { status: status as (typeof PO_STATUSES)[number] } : {}),
              ...(cursor ? { cursor } : {}),
            },
          },
        }),
      ),
    [status],
  );
  return (
    <div class="grid-2 wide-right">
      <Card>
        <div class="filters">
          <SelectField
            label={t('po.status')}
            value={status}
            onValue={setStatus}
            options={[
              { value: '', label: t('common.all') },
              ...PO_STATUSES.map((s) => ({ value: s, label: t(`poStatus.${s}` as MessageKey) })),
            ]}
          />
        </div>
        <ErrorBox error={list.error} />
        {!list.loading && list.items.length === 0 && <Empty>{t('po.none')}</Empty>}
        <ul class="po-list">
          {list.items.map((p) => (
            <li key={p.id} class={p.id === selected ? 'active' : ''}>
              <button type="button" class="link-button" onClick={() => navigate(`/purchasing?po=${p.id}`)}>
                <strong>{p.number}</strong> {p.supplierName}
              </button>
              <span class={`badge po-${p.status}`}>{t(`poStatus.${p.status}` as MessageKey)}</span>
              <small>
                {money(p.value)} · {date(p.createdAt)}
              </small>
            </li>
          ))}
        </ul>
        <MoreButton hasMore={list.hasMore} more={list.more} />
      </Card>
      {selected ? (
        <OrderDetail id={selected} onChanged={list.reload} />
      ) : (
        <Card>
          <p class="muted">{t('po.pick')}</p>
        </Card>
      )}
    </div>
  );
}

function OrderDetail({ id, onChanged }: { id: string; onChanged: () => void }) {
  const { t, name, num, money, date, pick } = useI18n();
  const sites = useSites();
  const po = useApi(() => call(api.GET('/v1/purchase-orders/{id}', { params: { path: { id } } })), [id]);
  const [editing, setEditing] = useState(false);
  const [receive, setReceive] = useState<
    Record<
      string,
      { quantity: string; lotNumber: string; expiryDate: string; unit?: string; unitLabel?: string }
    >
  >({});
  // Receiving (issue 11): the documents with the goods, inspection, and the explicit override of
  // an expired or short-dated lot once refused; a scanned box fills its line.
  const [documents, setDocuments] = useState<ReceiptDocuments>(NO_DOCUMENTS);
  const [override, setOverride] = useState<LotOverride>(NO_OVERRIDE);
  const [scan, setScan] = useState('');
  const [scanned, setScanned] = useState<string>('');
  const lookUp = useAction(async (code: string) => {
    const r = await call(
      api.GET('/v1/purchase-orders/{id}/receipt-scan', { params: { path: { id }, query: { scan: code } } }),
    );
    setReceive((cur) => ({
      ...cur,
      [r.lineId]: {
        quantity: String(r.quantity),
        lotNumber: r.lotNumber ?? cur[r.lineId]?.lotNumber ?? '',
        expiryDate: r.expiryDate ?? cur[r.lineId]?.expiryDate ?? '',
        unit: r.unit,
        unitLabel: name({ nameZh: r.unitNameZh, nameEn: r.unitNameEn }),
      },
    }));
    setScanned(
      t('receiving.scanned', {
        item: r.itemCode,
        lot: r.lotNumber ?? '—',
        quantity: num(r.quantity),
        unit: name({ nameZh: r.unitNameZh, nameEn: r.unitNameEn }),
      }),
    );
    setScan('');
  });
  const act = useAction(async (kind: 'approve' | 'send' | 'receive', current: PO) => {
    const path = { path: { id } };
    if (kind === 'approve')
      await call(api.POST('/v1/purchase-orders/{id}/approve', { params: path, body: {}, headers: key() }));
    if (kind === 'send')
      await call(api.POST('/v1/purchase-orders/{id}/send', { params: path, body: {}, headers: key() }));
    if (kind === 'receive') {
      const lines = current.lines
        .map((l) => ({ l, r: receive[l.id] }))
        .filter((x) => x.r && Number(x.r.quantity) > 0)
        .map(({ l, r }) => ({
          lineId: l.id,
          quantity: Number(r!.quantity),
          ...(r!.unit ? { unit: r!.unit } : {}),
          ...(r!.lotNumber.trim() ? { lotNumber: r!.lotNumber.trim() } : {}),
          ...(r!.expiryDate ? { expiryDate: r!.expiryDate } : {}),
          ...overrideBody(override),
        }));
      await call(
        api.POST('/v1/purchase-orders/{id}/receipts', {
          params: path,
          body: { lines, ...documentsBody(documents) },
          headers: key(),
        }),
      );
      setReceive({});
      setOverride(NO_OVERRIDE);
      setDocuments(NO_DOCUMENTS);
      setScanned('');
    }
    po.reload();
    onChanged();
  });
  if (po.loading && !po.data) return <Loading />;
  if (po.error) return <ErrorBox error={po.error} />;
  const p = po.data;
  if (!p) return null;
  const receivable = p.status === 'sent' || p.status === 'partially_received' || p.status === 'approved';
  const setLine = (lineId: string, k: 'quantity' | 'lotNumber' | 'expiryDate', v: string) =>
    setReceive((r) => ({
      ...r,
      [lineId]: { quantity: '', lotNumber: '', expiryDate: '', ...r[lineId], [k]: v },
    }));
  return (
    <Card title={`${t('po.title')} ${p.number}`}>
      <p class="meta" data-testid="po-status">
        <span class={`badge po-${p.status}`}>{t(`poStatus.${p.status}` as MessageKey)}</span> {p.supplierName}{' '}
        → {locationLabel(sites.data, p.locationId)} · {t('po.expected')} {date(p.expectedAt)} ·{' '}
        {money(p.value)}
      </p>
      <PoPeople po={p} />
      {editing ? (
        <DraftEditor
          po={p}
          onDone={(saved) => {
            setEditing(false);
            if (saved) {
              po.reload();
              onChanged();
            }
          }}
        />
      ) : (
        <PoActions
          po={p}
          onEdit={() => setEditing(true)}
          onChanged={() => {
            po.reload();
            onChanged();
          }}
        />
      )}
      <ErrorBox error={act.error} />
      {receivable && can('stock:write') && (
        <div class="field scan-field">
          <label for="receive-scan">{t('receiving.scanBox')}</label>
          <input
            id="receive-scan"
            name="receiveScan"
            autoComplete="off"
            aria-describedby="receive-scan-hint"
            value={scan}
            onInput={(e) => setScan((e.currentTarget as HTMLInputElement).value)}
            onKeyDown={(e) => {
              // A keyboard-wedge scanner ends each code with Enter.
              if (e.key === 'Enter' && scan.trim()) {
                e.preventDefault();
                void lookUp.run(scan.trim());
              }
            }}
          />
          <small id="receive-scan-hint" class="hint">
            {t('receiving.scanBoxHint')}
          </small>
          {scanned && (
            <small class="hint" data-testid="receive-scanned">
              {scanned}
            </small>
          )}
          <ErrorBox error={lookUp.error} />
        </div>
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void act.run('receive', p);
        }}
      >
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th>{t('item.name')}</th>
                <th class="num">{t('po.ordered')}</th>
                <th class="num">{t('poDay.edit.unitPrice')}</th>
                <th>{t('poDay.lineExpectedAt')}</th>
                <th class="num">{t('po.received')}</th>
                <th class="num">{t('po.inTransit')}</th>
                {receivable && can('stock:write') && <th>{t('po.receiveNow')}</th>}
              </tr>
            </thead>
            <tbody>
              {p.lines.map((l) => (
                <tr key={l.id}>
                  <td>
                    {l.itemCode} {name(l)}
                  </td>
                  <td class="num">
                    {num(l.quantityOrdered)} <small>{pick(l.baseUnitName)}</small>
                  </td>
                  <td class="num">{money(l.unitPrice)}</td>
                  <td>{date(l.expectedAt ?? p.expectedAt)}</td>
                  <td class="num">{num(l.quantityReceived)}</td>
                  <td class="num">{num(l.inTransit)}</td>
                  {receivable && can('stock:write') && (
                    <td class="receive-cells">
                      <label>
                        <span class="sr-only">
                          {t('po.receiveQty')} {l.itemCode}
                        </span>
                        <input
                          type="number"
                          min={0}
                          max={l.inTransit}
                          name={`receive-${l.itemCode}`}
                          placeholder={t('po.receiveQty')}
                          value={receive[l.id]?.quantity ?? ''}
                          onInput={(e) =>
                            setLine(l.id, 'quantity', (e.currentTarget as HTMLInputElement).value)
                          }
                        />
                      </label>
                      <label>
                        <span class="sr-only">{t('field.lot')}</span>
                        <input
                          placeholder={t('field.lot')}
                          value={receive[l.id]?.lotNumber ?? ''}
                          onInput={(e) =>
                            setLine(l.id, 'lotNumber', (e.currentTarget as HTMLInputElement).value)
                          }
                        />
                      </label>
                      <label>
                        <span class="sr-only">{t('field.expiry')}</span>
                        <input
                          type="date"
                          value={receive[l.id]?.expiryDate ?? ''}
                          onInput={(e) =>
                            setLine(l.id, 'expiryDate', (e.currentTarget as HTMLInputElement).value)
                          }
                        />
                      </label>
                      {receive[l.id]?.unit && (
                        <small class="hint" data-testid={`receive-unit-${l.itemCode}`}>
                          {t('receiving.lineUnit')}: {receive[l.id]!.unitLabel ?? receive[l.id]!.unit}
                        </small>
                      )}
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {receivable && can('stock:write') && (
          <div class="grid-2">
            <ReceiptDocumentFields value={documents} onValue={setDocuments} fields={{}} />
            <LotOverrideFields
              error={act.error}
              value={override}
              onValue={setOverride}
              fields={act.error?.fieldErrors() ?? {}}
            />
          </div>
        )}
        <div class="actions-row">
          {p.status === 'draft' && can('purchasing') && (
            <button
              type="button"
              class="primary"
              disabled={act.busy}
              onClick={() => void act.run('approve', p)}
            >
              {t('po.approve')}
            </button>
          )}
          {p.status === 'approved' && can('purchasing') && (
            <button type="button" class="primary" disabled={act.busy} onClick={() => void act.run('send', p)}>
              {t('po.send')}
            </button>
          )}
          {receivable && can('stock:write') && (
            <button type="submit" class="primary" disabled={act.busy}>
              {t('po.receive')}
            </button>
          )}
        </div>
      </form>
      <PoHistory po={p} />
    </Card>
  );
}

function NewOrder({ onCreated }: { onCreated: () => void }) {
  const { t } = useI18n();
  const sites = useSites();
  const [, navigate] = useLocation();
  const suppliers = useApi(
    () => call(api.GET('/v1/suppliers', { params: { query: { limit: 200, active: true } } })),
    [],
  );
  const [supplierId, setSupplierId] = useState('');
  const [locationId, setLocationId] = useState('');
  const [expectedAt, setExpectedAt] = useState('');
  const [notes, setNotes] = useState('');
  const [lines, setLines] = useState<{ item: Item | null; quantity: string }[]>([
    { item: null, quantity: '' },
  ]);
  const create = useAction(async () => {
    const po = await call(
      api.POST('/v1/purchase-orders', {
        body: {
          supplierId: supplierId || suppliers.data?.items[0]?.id || '',
          locationId: locationId || sites.data?.[0]?.locations[0]?.id || '',
          lines: lines
            .filter((l) => l.item && Number(l.quantity) > 0)
            .map((l) => ({ itemId: l.item!.id, quantity: Number(l.quantity) })),
          ...(expectedAt ? { expectedAt } : {}),
          ...(notes.trim() ? { notes: notes.trim() } : {}),
        },
        headers: key(),
      }),
    );
    onCreated();
    navigate(`/purchasing?po=${po.id}`);
  });
  const fields = create.error?.fieldErrors() ?? {};
  return (
    <Card title={t('po.new')}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void create.run();
        }}
      >
        <div class="grid-2">
          <SelectField
            label={t('po.supplier')}
            name="supplierId"
            value={supplierId || suppliers.data?.items[0]?.id || ''}
            onValue={setSupplierId}
            options={(suppliers.data?.items ?? []).map((s) => ({
              value: s.id,
              label: `${s.code} ${s.name}`,
            }))}
            error={fields.supplierId}
          />
          <LocationSelect
            label={t('po.deliverTo')}
            name="locationId"
            value={locationId || sites.data?.[0]?.locations[0]?.id || ''}
            onValue={setLocationId}
            error={fields.locationId}
          />
          <TextField
            label={t('poDay.expectedAt')}
            type="date"
            name="expectedAt"
            value={expectedAt}
            onValue={setExpectedAt}
            error={fields.expectedAt}
          />
          <TextField
            label={t('poDay.notes')}
            name="notes"
            maxLength={2000}
            value={notes}
            onValue={setNotes}
            error={fields.notes}
          />
        </div>
        {lines.map((l, i) => (
          <div class="grid-2 po-line" key={i}>
            <ItemPicker
              label={t('po.lineItem', { n: i + 1 })}
              value={l.item}
              onValue={(item) => setLines((ls) => ls.map((x, j) => (j === i ? { ...x, item } : x)))}
            />
            <TextField
              label={t('movement.quantity')}
              type="number"
              min={1}
              value={l.quantity}
              onValue={(v) => setLines((ls) => ls.map((x, j) => (j === i ? { ...x, quantity: v } : x)))}
            />
          </div>
        ))}
        <button type="button" onClick={() => setLines((ls) => [...ls, { item: null, quantity: '' }])}>
          {t('po.addLine')}
        </button>
        <ErrorBox error={create.error} />
        <button type="submit" class="primary" disabled={create.busy}>
          {t('po.create')}
        </button>
      </form>
    </Card>
  );
}

function Transfers() {
  const { t, name, num, pick, locale } = useI18n();
  const [siteId, setSiteId] = useState('');
  const list = usePaged(
    (cursor) =>
      call(
        api.GET('/v1/suggestions/transfers', {
          params: { query: { limit: 50, ...(siteId ? { siteId } : {}), ...(cursor ? { cursor } : {}) } },
        }),
      ),
    [siteId],
  );
  const execute = useAction(async (s: (typeof list.items)[number]) => {
    await call(
      api.POST('/v1/suggestions/transfers/execute', {
        body: {
          fromLocationId: s.from.locationId,
          toLocationId: s.to.locationId,
          itemId: s.itemId,
          quantity: s.quantity,
        },
        headers: key(),
      }),
    );
    list.reload();
  });
  return (
    <Card>
      <div class="filters">
        <SiteFilter value={siteId} onValue={setSiteId} />
      </div>
      <ErrorBox error={list.error ?? execute.error} />
      {!list.loading && list.items.length === 0 && <Empty>{t('transfers.none')}</Empty>}
      {list.items.length > 0 && (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th>{t('item.name')}</th>
                <th>{t('movement.fromLocation')}</th>
                <th>{t('movement.toLocation')}</th>
                <th class="num">{t('movement.quantity')}</th>
                <th>{t('alerts.why')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {list.items.map((s) => (
                <tr key={`${s.itemId}-${s.from.locationId}-${s.to.locationId}`}>
                  <td>
                    {s.itemCode} {name(s)}
                  </td>
                  <td>
                    {s.from.siteName} · {s.from.locationName}
                  </td>
                  <td>
                    {s.to.siteName} · {s.to.locationName}
                  </td>
                  <td class="num">
                    {num(s.quantity)} {unitWord(s.baseUnit, locale)}
                  </td>
                  <td>{pick(s.reason)}</td>
                  <td>
                    {can('stock:write') && (
                      <button type="button" disabled={execute.busy} onClick={() => void execute.run(s)}>
                        {t('transfers.execute')}
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
  );
}
