import { useEffect, useState } from 'preact/hooks';
import { type ApiError, api, call, idempotencyKey, type Json } from '../api/client';
import { can, currentMe } from '../api/session';
import { ConfirmDialog } from '../components/confirm-dialog';
import { type Item, ItemPicker } from '../components/item-picker';
import { Card, Empty, ErrorBox, Loading, PageHeader, SelectField, Tabs, TextField } from '../components/ui';
import { useI18n } from '../i18n/i18n';
import { locationLabel, useSites } from '../lib/sites';
import { itemUnitWord } from '../lib/units';
import { useApi } from '../lib/use-api';
import { RequisitionSetup } from './requisition-setup';

type Requisition = Json<'/v1/requisitions/{id}', 'get'>;
type Summary = Json<'/v1/requisitions', 'get'>['items'][number];
type PickList = Json<'/v1/requisitions/{id}/pick-list', 'get'>;
type Status = Summary['status'];

/** The status in words; literal keys so the catalogue test sees every one used. */
function useStatusWord() {
  const { t } = useI18n();
  return (s: Status) =>
    ({
      submitted: t('req.status.submitted'),
      approved: t('req.status.approved'),
      partially_issued: t('req.status.partially_issued'),
      issued: t('req.status.issued'),
      rejected: t('req.status.rejected'),
      cancelled: t('req.status.cancelled'),
    })[s];
}

/** A ward nurse asks and follows; the store (storekeeper, admin, owner) approves, picks and issues. */
const isStore = () => can('stock:write') && currentMe()?.role !== 'nurse';

/**
 * 科室申领: a ward asks the store for items (or scans an opened fixed pack), the store approves
 * whole or adjusted, or rejects with a reason, picks the lots that expire first and issues them
 * to the ward in one or more parts. Every step shows who did it and when.
 */
export default function RequisitionsPage() {
  const { t } = useI18n();
  const [tab, setTab] = useState<'open' | 'all'>('open');
  const [selected, setSelected] = useState<string | null>(null);
  const [notice, setNotice] = useState('');
  const list = useApi(
    () => call(api.GET('/v1/requisitions', { params: { query: tab === 'open' ? { status: 'open' } : {} } })),
    [tab],
  );
  const opened = (r: Requisition, message: string) => {
    setNotice(message);
    setSelected(r.id);
    list.reload();
  };
  return (
    <div class="page" data-page="requisitions">
      <PageHeader title={t('req.title')} />
      <p class="muted">{t('req.intro')}</p>
      {can('stock:write') && (
        <div class="grid-2">
          <NewRequisition onCreated={(r) => opened(r, t('req.submitted', { number: r.number }))} />
          <ScanPack onScanned={opened} />
        </div>
      )}
      {notice && (
        <p class="success" role="status" data-testid="req-notice">
          {notice}
        </p>
      )}
      <Card>
        <Tabs
          label={t('req.title')}
          value={tab}
          onValue={setTab}
          tabs={[
            { value: 'open', label: t('req.tab.open') },
            { value: 'all', label: t('req.tab.all') },
          ]}
        />
        <ErrorBox error={list.error} />
        {list.loading && !list.data && <Loading />}
        {list.data && list.data.items.length === 0 && <Empty>{t('req.empty')}</Empty>}
        {list.data && list.data.items.length > 0 && (
          <RequisitionTable rows={list.data.items} selected={selected} onSelect={setSelected} />
        )}
      </Card>
      {selected && (
        <RequisitionDetail
          key={selected}
          id={selected}
          onChanged={() => {
            list.reload();
          }}
        />
      )}
      <RequisitionSetup onChanged={list.reload} />
    </div>
  );
}

function RequisitionTable(props: {
  rows: Summary[];
  selected: string | null;
  onSelect: (id: string) => void;
}) {
  const { t, dateTime, num } = useI18n();
  const statusWord = useStatusWord();
  const sites = useSites();
  return (
    <div class="table-wrap">
      <table data-testid="requisitions">
        <thead>
          <tr>
            <th>{t('req.number')}</th>
            <th>{t('req.department')}</th>
            <th>{t('req.store')}</th>
            <th>{t('req.status')}</th>
            <th class="num">{t('req.lines')}</th>
            <th class="num">{t('req.issued')}</th>
            <th>{t('req.history')}</th>
          </tr>
        </thead>
        <tbody>
          {props.rows.map((r) => (
            <tr key={r.id} data-requisition={r.number} class={props.selected === r.id ? 'selected' : ''}>
              <td>
                <button type="button" class="link-button" onClick={() => props.onSelect(r.id)}>
                  {r.number}
                </button>
                {r.fixedPackCode && (
                  <small class="muted"> {t('req.origin.fixed_pack', { code: r.fixedPackCode })}</small>
                )}
              </td>
              <td>{r.departmentName}</td>
              <td>{locationLabel(sites.data, r.sourceLocationId) || r.sourceLocationName}</td>
              <td>
                <span class={`badge status-${r.status}`}>{statusWord(r.status)}</span>
              </td>
              <td class="num">{num(r.lineCount)}</td>
              <td class="num">
                {num(r.quantityIssued)} / {num(r.quantityApproved ?? r.quantityRequested)}
              </td>
              <td>
                {t('req.history.requested', {
                  when: dateTime(r.requestedAt),
                  who: r.requestedByName ? t('req.by', { name: r.requestedByName }) : '',
                })}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

interface DraftLine {
  key: number;
  item: Item | null;
  quantity: string;
  unit: string;
}

function NewRequisition(props: { onCreated: (r: Requisition) => void }) {
  const { t, locale } = useI18n();
  const sites = useSites();
  const departments = useApi(
    () => call(api.GET('/v1/departments', { params: { query: { active: true } } })),
    [],
  );
  const [departmentId, setDepartmentId] = useState('');
  const [storeId, setStoreId] = useState('');
  const [lines, setLines] = useState<DraftLine[]>([{ key: 0, item: null, quantity: '', unit: '' }]);
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();
  const stores = (sites.data ?? []).flatMap((s) =>
    s.locations.filter((l) => l.active).map((l) => ({ value: l.id, label: `${s.name} · ${l.name}` })),
  );
  const depts = departments.data?.items ?? [];
  useEffect(() => {
    if (!departmentId && depts[0]) setDepartmentId(depts[0].id);
  }, [depts.length]);
  useEffect(() => {
    if (!storeId && stores[0]) setStoreId(stores[0].value);
  }, [stores.length]);
  const setLine = (key: number, patch: Partial<DraftLine>) =>
    setLines((ls) => ls.map((l) => (l.key === key ? { ...l, ...patch } : l)));
  const submit = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const r = await call(
        api.POST('/v1/requisitions', {
          body: {
            departmentId,
            sourceLocationId: storeId,
            ...(note.trim() ? { note: note.trim() } : {}),
            lines: lines
              .filter((l) => l.item && Number(l.quantity) > 0)
              .map((l) => ({
                itemId: l.item!.id,
                quantity: Number(l.quantity),
                ...(l.unit ? { unit: l.unit } : {}),
              })),
          },
          headers: { 'Idempotency-Key': idempotencyKey() },
        }),
      );
      setLines([{ key: Date.now(), item: null, quantity: '', unit: '' }]);
      setNote('');
      props.onCreated(r);
    } catch (e) {
      setError(e as ApiError);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card title={t('req.new')}>
      {departments.data && depts.length === 0 && <p class="muted">{t('req.noDepartments')}</p>}
      <form
        class="req-form"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <SelectField
          label={t('req.department')}
          name="departmentId"
          value={departmentId}
          onValue={setDepartmentId}
          options={depts.map((d) => ({
            value: d.id,
            label: d.costCentre ? `${d.name} (${d.costCentre})` : d.name,
          }))}
        />
        <SelectField
          label={t('req.store')}
          name="sourceLocationId"
          value={storeId}
          onValue={setStoreId}
          options={stores}
        />
        {lines.map((l, i) => (
          <div class="req-line" key={l.key}>
            <ItemPicker
              label={t('req.item')}
              value={l.item}
              onValue={(item) => setLine(l.key, { item, unit: '' })}
            />
            <TextField
              label={t('req.quantity')}
              name={`quantity-${i}`}
              type="number"
              min="0"
              step="any"
              value={l.quantity}
              onValue={(quantity) => setLine(l.key, { quantity })}
            />
            {l.item && l.item.packUnits.length > 0 && (
              <SelectField
                label={t('movement.unit')}
                name={`unit-${i}`}
                value={l.unit}
                onValue={(unit) => setLine(l.key, { unit })}
                options={[
                  { value: '', label: itemUnitWord(l.item.baseUnit, locale) },
                  ...l.item.packUnits.map((u) => ({ value: u.code, label: itemUnitWord(u, locale) })),
                ]}
              />
            )}
            {lines.length > 1 && (
              <button
                type="button"
                aria-label={t('req.removeLine', { n: i + 1 })}
                onClick={() => setLines((ls) => ls.filter((x) => x.key !== l.key))}
              >
                ×
              </button>
            )}
          </div>
        ))}
        <button
          type="button"
          onClick={() => setLines((ls) => [...ls, { key: Date.now(), item: null, quantity: '', unit: '' }])}
        >
          {t('req.addLine')}
        </button>
        <TextField label={t('req.note')} name="note" value={note} maxLength={500} onValue={setNote} />
        <ErrorBox error={error} />
        <div class="actions-row">
          <button type="submit" class="primary" disabled={busy || !departmentId || !storeId}>
            {t('req.submit')}
          </button>
        </div>
      </form>
    </Card>
  );
}

function ScanPack(props: { onScanned: (r: Requisition, message: string) => void }) {
  const { t } = useI18n();
  const [label, setLabel] = useState('');
  const [error, setError] = useState<ApiError>();
  const scan = async () => {
    setError(undefined);
    try {
      const sent = api.POST('/v1/fixed-packs/scan', { body: { label: label.trim() } });
      const data = await call(sent);
      // 201: a new replenishment; 200: this opened pack is already waiting for one.
      const fresh = (await sent).response.status === 201;
      const code = data.fixedPackCode ?? label;
      props.onScanned(
        data,
        fresh
          ? t('req.scanned', { code, number: data.number })
          : t('req.scannedAgain', { code, number: data.number }),
      );
      setLabel('');
    } catch (x) {
      setError(x as ApiError);
    }
  };
  return (
    <Card title={t('req.scan')}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (label.trim()) void scan();
        }}
      >
        <TextField
          label={t('req.scan')}
          name="packLabel"
          value={label}
          autoComplete="off"
          hint={t('req.scanHint')}
          onValue={setLabel}
        />
        <ErrorBox error={error} />
      </form>
    </Card>
  );
}

function RequisitionDetail(props: { id: string; onChanged: () => void }) {
  const { t, num, dateTime, name } = useI18n();
  const statusWord = useStatusWord();
  const sites = useSites();
  const req = useApi(
    () => call(api.GET('/v1/requisitions/{id}', { params: { path: { id: props.id } } })),
    [props.id],
  );
  const [confirm, setConfirm] = useState<'reject' | 'cancel' | null>(null);
  const changed = () => {
    req.reload();
    props.onChanged();
  };
  const r = req.data;
  if (!r) return <Card>{req.error ? <ErrorBox error={req.error} /> : <Loading />}</Card>;
  const open = r.status === 'submitted' || r.status === 'approved' || r.status === 'partially_issued';
  const who = (name?: string | null) => (name ? t('req.by', { name }) : '');
  return (
    <Card title={`${r.number} · ${r.departmentName}`} class="req-detail">
      <p data-testid="req-status">
        <span class={`badge status-${r.status}`}>{statusWord(r.status)}</span>{' '}
        {locationLabel(sites.data, r.sourceLocationId) || r.sourceLocationName}
        {r.costCentre && <small class="muted"> · {r.costCentre}</small>}
      </p>
      <div class="table-wrap">
        <table data-testid="req-lines">
          <thead>
            <tr>
              <th>{t('req.item')}</th>
              <th class="num">{t('req.requested')}</th>
              <th class="num">{t('req.approved')}</th>
              <th class="num">{t('req.issued')}</th>
              <th class="num">{t('req.remaining')}</th>
            </tr>
          </thead>
          <tbody>
            {r.lines.map((l) => (
              <tr key={l.id}>
                <td>
                  {l.itemCode} {name(l)}
                  {l.adjustReason && <small class="muted"> · {l.adjustReason}</small>}
                </td>
                <td class="num">{num(l.requested)}</td>
                <td class="num">{num(l.approved)}</td>
                <td class="num">{num(l.issued)}</td>
                <td class="num">{num(l.remaining)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {r.status === 'submitted' &&
        (isStore() ? (
          <Approve r={r} onDone={changed} onReject={() => setConfirm('reject')} />
        ) : (
          <p class="muted">{t('req.nurseOnly')}</p>
        ))}
      {(r.status === 'approved' || r.status === 'partially_issued') &&
        (isStore() ? <PickAndIssue r={r} onDone={changed} /> : <p class="muted">{t('req.nurseOnly')}</p>)}
      <h3>{t('req.history')}</h3>
      <ul class="history" data-testid="req-history">
        <li>{t('req.history.requested', { when: dateTime(r.requestedAt), who: who(r.requestedByName) })}</li>
        {r.approvedAt && (
          <li>{t('req.history.approved', { when: dateTime(r.approvedAt), who: who(r.approvedByName) })}</li>
        )}
        {r.issues.map((i) => (
          <li key={i.groupId}>
            {t('req.history.issued', { when: dateTime(i.issuedAt), who: who(i.issuedByName) })}
          </li>
        ))}
        {r.rejectedAt && (
          <li>
            {t('req.history.rejected', {
              when: dateTime(r.rejectedAt),
              who: who(r.rejectedByName),
              reason: r.rejectReason ?? '',
            })}
          </li>
        )}
        {r.cancelledAt && (
          <li>
            {t('req.history.cancelled', {
              when: dateTime(r.cancelledAt),
              who: who(r.cancelledByName),
              reason: r.cancelReason ?? '',
            })}
          </li>
        )}
      </ul>
      {open && can('stock:write') && (
        <div class="actions-row">
          <button type="button" class="danger" onClick={() => setConfirm('cancel')}>
            {t('req.cancel')}
          </button>
        </div>
      )}
      {confirm === 'reject' && (
        <ConfirmDialog
          title={t('req.rejectTitle')}
          message={t('req.rejectMessage', { number: r.number, department: r.departmentName })}
          confirmLabel={t('req.reject')}
          reasonLabel={t('req.rejectReason')}
          onConfirm={(reason) =>
            call(
              api.POST('/v1/requisitions/{id}/reject', {
                params: { path: { id: r.id } },
                body: { reason },
                headers: { 'Idempotency-Key': idempotencyKey() },
              }),
            ).then(changed)
          }
          onClose={() => setConfirm(null)}
        />
      )}
      {confirm === 'cancel' && (
        <ConfirmDialog
          title={t('req.cancelTitle')}
          message={t('req.cancelMessage', { number: r.number })}
          confirmLabel={t('req.cancel')}
          reasonLabel={t('req.cancelReason')}
          onConfirm={(reason) =>
            call(
              api.POST('/v1/requisitions/{id}/cancel', {
                params: { path: { id: r.id } },
                body: { reason },
                headers: { 'Idempotency-Key': idempotencyKey() },
              }),
            ).then(changed)
          }
          onClose={() => setConfirm(null)}
        />
      )}
    </Card>
  );
}

function Approve(props: { r: Requisition; onDone: () => void; onReject: () => void }) {
  const { t, name } = useI18n();
  const [qty, setQty] = useState<Record<string, string>>(
    Object.fromEntries(props.r.lines.map((l) => [l.id, String(l.requested)])),
  );
  const [reasons, setReasons] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();
  const approve = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await call(
        api.POST('/v1/requisitions/{id}/approve', {
          params: { path: { id: props.r.id } },
          body: {
            lines: props.r.lines
              .filter((l) => Number(qty[l.id]) !== l.requested)
              .map((l) => ({
                lineId: l.id,
                quantity: Number(qty[l.id] || 0),
                ...(reasons[l.id]?.trim() ? { reason: reasons[l.id]!.trim() } : {}),
              })),
          },
          headers: { 'Idempotency-Key': idempotencyKey() },
        }),
      );
      props.onDone();
    } catch (e) {
      setError(e as ApiError);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      class="req-approve"
      data-testid="req-approve"
      onSubmit={(e) => {
        e.preventDefault();
        void approve();
      }}
    >
      <h3>{t('req.approveTitle')}</h3>
      <p class="muted">{t('req.approveHint')}</p>
      {props.r.lines.map((l) => {
        const item = `${l.itemCode} ${name(l)}`;
        return (
          <div class="req-line" key={l.id}>
            <TextField
              label={t('req.approveQty', { item })}
              name={`approve-${l.itemCode}`}
              type="number"
              min="0"
              value={qty[l.id] ?? ''}
              onValue={(v) => setQty((q) => ({ ...q, [l.id]: v }))}
            />
            {Number(qty[l.id]) !== l.requested && (
              <TextField
                label={t('req.adjustReason', { item })}
                name={`reason-${l.itemCode}`}
                maxLength={500}
                value={reasons[l.id] ?? ''}
                onValue={(v) => setReasons((x) => ({ ...x, [l.id]: v }))}
              />
            )}
          </div>
        );
      })}
      <ErrorBox error={error} />
      <div class="actions-row">
        <button type="submit" class="primary" disabled={busy}>
          {t('req.approve')}
        </button>
        <button type="button" class="danger" onClick={props.onReject}>
          {t('req.reject')}
        </button>
      </div>
    </form>
  );
}

function PickAndIssue(props: { r: Requisition; onDone: () => void }) {
  const { t, num, date, name } = useI18n();
  const statusWord = useStatusWord();
  const pick = useApi(
    () => call(api.GET('/v1/requisitions/{id}/pick-list', { params: { path: { id: props.r.id } } })),
    [props.r.id, props.r.updatedAt],
  );
  const [take, setTake] = useState<Record<string, string>>({});
  const [patientRef, setPatientRef] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();
  const [done, setDone] = useState('');
  const rowKey = (lineId: string, lot: string) => `${lineId}|${lot}`;
  const value = (p: PickList, lineId: string, lot: string) => {
    const given = take[rowKey(lineId, lot)];
    if (given !== undefined) return given;
    const q = p.lines.find((l) => l.lineId === lineId)?.picks.find((x) => x.lotNumber === lot)?.quantity;
    return q === undefined ? '' : String(q);
  };
  const issue = async (p: PickList) => {
    setBusy(true);
    setError(undefined);
    try {
      const lines = p.lines.flatMap((l) =>
        l.picks
          .map((x) => ({
            lineId: l.lineId,
            lotNumber: x.lotNumber,
            quantity: Number(value(p, l.lineId, x.lotNumber) || 0),
          }))
          .filter((x) => x.quantity > 0),
      );
      const r = await call(
        api.POST('/v1/requisitions/{id}/issue', {
          params: { path: { id: props.r.id } },
          body: { lines, ...(patientRef.trim() ? { patientRef: patientRef.trim() } : {}) },
          headers: { 'Idempotency-Key': idempotencyKey() },
        }),
      );
      setDone(t('req.issueDone', { status: statusWord(r.status) }));
      setTake({});
      props.onDone();
    } catch (e) {
      setError(e as ApiError);
    } finally {
      setBusy(false);
    }
  };
  const p = pick.data;
  return (
    <form
      class="req-pick"
      data-testid="req-pick"
      onSubmit={(e) => {
        e.preventDefault();
        if (p) void issue(p);
      }}
    >
      <h3>{t('req.pickList')}</h3>
      <ErrorBox error={pick.error} />
      {!p && !pick.error && <Loading />}
      {p && (
        <>
          <p class="muted">{t('req.pickHint', { store: p.sourceLocationName })}</p>
          <div class="table-wrap">
            <table data-testid="pick-list">
              <thead>
                <tr>
                  <th>{t('req.item')}</th>
                  <th>{t('req.lot')}</th>
                  <th>{t('req.expiry')}</th>
                  <th class="num">{t('req.quantity')}</th>
                </tr>
              </thead>
              <tbody>
                {p.lines
                  .filter((l) => l.remaining > 0)
                  .flatMap((l) => [
                    ...l.picks.map((x) => (
                      <tr key={rowKey(l.lineId, x.lotNumber)} data-pick={`${l.itemCode}|${x.lotNumber}`}>
                        <td>
                          {l.itemCode} {name(l)}
                        </td>
                        <td>{x.lotNumber || '—'}</td>
                        <td>{date(x.expiryDate)}</td>
                        <td class="num">
                          <input
                            type="number"
                            min="0"
                            max={x.quantity}
                            name={`take-${l.itemCode}-${x.lotNumber}`}
                            aria-label={t('req.take', { item: l.itemCode, lot: x.lotNumber || '—' })}
                            value={value(p, l.lineId, x.lotNumber)}
                            onInput={(e) => {
                              const v = (e.currentTarget as HTMLInputElement).value;
                              setTake((s) => ({ ...s, [rowKey(l.lineId, x.lotNumber)]: v }));
                            }}
                          />
                        </td>
                      </tr>
                    )),
                    ...(l.shortfall > 0 || l.quarantinedUnits > 0
                      ? [
                          <tr key={`${l.lineId}-short`} class="warn">
                            <td colSpan={4}>
                              {l.itemCode}: {l.shortfall > 0 && t('req.shortfall', { n: num(l.shortfall) })}{' '}
                              {l.quarantinedUnits > 0 && t('req.held', { n: num(l.quarantinedUnits) })}
                            </td>
                          </tr>,
                        ]
                      : []),
                  ])}
              </tbody>
            </table>
          </div>
          <TextField
            label={t('req.patientRef')}
            name="patientRef"
            value={patientRef}
            maxLength={64}
            onValue={setPatientRef}
          />
          <ErrorBox error={error} />
          {done && (
            <p role="status" class="success">
              {done}
            </p>
          )}
          <div class="actions-row">
            <button type="submit" class="primary" disabled={busy}>
              {t('req.issue')}
            </button>
          </div>
        </>
      )}
    </form>
  );
}
