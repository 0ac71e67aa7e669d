import { useState } from 'preact/hooks';
import { api, call, idempotencyKey, type Json } from '../api/client';
import { can, currentMe } from '../api/session';
import { ConfirmDialog } from '../components/confirm-dialog';
import { type Item, ItemPicker } from '../components/item-picker';
import { Card, Empty, ErrorBox, Loading, PageHeader, Tabs, TextField } from '../components/ui';
import { useI18n } from '../i18n/i18n';
import { locationLabel, useSites } from '../lib/sites';
import { useApi } from '../lib/use-api';

type Recall = Json<'/v1/recalls/{id}', 'get'>;
type RecallSummary = Json<'/v1/recalls', 'get'>['items'][number];

/** Opening or releasing a recall reaches every site: offered to store and purchasing users with every site. */
const mayRecall = () =>
  (can('stock:write') || can('purchasing')) && currentMe()?.role !== 'nurse' && currentMe()?.siteIds === null;

/**
 * 召回: a supplier recalls a lot — one action puts every unit of it on hold at every site — and
 * the traceability report shows where it lies and which departments, patients and procedures
 * received it; releasing it (with a reason) makes it usable again. Who and when are shown.
 */
export default function RecallsPage() {
  const { t } = useI18n();
  const [tab, setTab] = useState<'open' | 'released'>('open');
  const [selected, setSelected] = useState<string | null>(null);
  const list = useApi(() => call(api.GET('/v1/recalls', { params: { query: { status: tab } } })), [tab]);
  return (
    <div class="page" data-page="recalls">
      <PageHeader title={t('recall.title')} />
      <p class="muted">{t('recall.intro')}</p>
      {mayRecall() ? (
        <NewRecall
          onOpened={(r) => {
            setTab('open');
            setSelected(r.id);
            list.reload();
          }}
        />
      ) : (
        <p class="muted">{t('recall.needsAllSites')}</p>
      )}
      <Card>
        <Tabs
          label={t('recall.title')}
          value={tab}
          onValue={setTab}
          tabs={[
            { value: 'open', label: t('recall.tab.open') },
            { value: 'released', label: t('recall.tab.released') },
          ]}
        />
        <ErrorBox error={list.error} />
        {list.loading && !list.data && <Loading />}
        {list.data && list.data.items.length === 0 && <Empty>{t('recall.empty')}</Empty>}
        {list.data && list.data.items.length > 0 && (
          <RecallTable rows={list.data.items} onSelect={setSelected} />
        )}
      </Card>
      {selected && (
        <RecallReport
          key={selected}
          id={selected}
          onChanged={() => {
            list.reload();
          }}
        />
      )}
    </div>
  );
}

function RecallTable(props: { rows: RecallSummary[]; onSelect: (id: string) => void }) {
  const { t, num, dateTime, name } = useI18n();
  return (
    <div class="table-wrap">
      <table data-testid="recalls">
        <thead>
          <tr>
            <th>{t('recall.item')}</th>
            <th>{t('recall.lot')}</th>
            <th>{t('recall.reason')}</th>
            <th class="num">{t('recall.heldUnits')}</th>
            <th>{t('req.history')}</th>
          </tr>
        </thead>
        <tbody>
          {props.rows.map((r) => (
            <tr key={r.id} data-recall={r.lotNumber}>
              <td>
                {r.itemCode} {name(r)}
              </td>
              <td>
                <button type="button" class="link-button" onClick={() => props.onSelect(r.id)}>
                  {r.lotNumber}
                </button>
              </td>
              <td>{r.reason}</td>
              <td class="num">{num(r.heldUnits)}</td>
              <td>
                {t('recall.opened', {
                  when: dateTime(r.openedAt),
                  who: r.openedByName ? t('req.by', { name: r.openedByName }) : '',
                })}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function NewRecall(props: { onOpened: (r: Recall) => void }) {
  const { t, name } = useI18n();
  const [item, setItem] = useState<Item | null>(null);
  const [lot, setLot] = useState('');
  const [reason, setReason] = useState('');
  const [reference, setReference] = useState('');
  const [confirming, setConfirming] = useState(false);
  return (
    <Card title={t('recall.new')}>
      <form
        class="recall-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (item && lot.trim() && reason.trim()) setConfirming(true);
        }}
      >
        <ItemPicker label={t('recall.item')} value={item} onValue={setItem} />
        <TextField label={t('recall.lot')} name="lotNumber" value={lot} maxLength={40} onValue={setLot} />
        <TextField
          label={t('recall.reason')}
          name="recallReason"
          value={reason}
          maxLength={500}
          onValue={setReason}
        />
        <TextField
          label={t('recall.supplierReference')}
          name="supplierReference"
          value={reference}
          maxLength={100}
          onValue={setReference}
        />
        <div class="actions-row">
          <button type="submit" class="danger" disabled={!item || !lot.trim() || !reason.trim()}>
            {t('recall.open')}
          </button>
        </div>
      </form>
      {confirming && item && (
        <ConfirmDialog
          title={t('recall.confirmTitle', { lot: lot.trim() })}
          message={t('recall.confirmMessage', { item: `${item.code} ${name(item)}`, lot: lot.trim() })}
          confirmLabel={t('recall.confirm')}
          onConfirm={async () => {
            const r = await call(
              api.POST('/v1/recalls', {
                body: {
                  itemId: item.id,
                  lotNumber: lot.trim(),
                  reason: reason.trim(),
                  ...(reference.trim() ? { supplierReference: reference.trim() } : {}),
                },
                headers: { 'Idempotency-Key': idempotencyKey() },
              }),
            );
            setLot('');
            setReason('');
            setReference('');
            props.onOpened(r);
          }}
          onClose={() => setConfirming(false)}
        />
      )}
    </Card>
  );
}

function RecallReport(props: { id: string; onChanged: () => void }) {
  const { t, num, dateTime, date, name } = useI18n();
  const sites = useSites();
  const recall = useApi(
    () => call(api.GET('/v1/recalls/{id}', { params: { path: { id: props.id } } })),
    [props.id],
  );
  const [releasing, setReleasing] = useState(false);
  const r: Recall | undefined = recall.data;
  if (!r) return <Card>{recall.error ? <ErrorBox error={recall.error} /> : <Loading />}</Card>;
  const tr = r.trace;
  const none = <p class="muted">{t('recall.none')}</p>;
  return (
    <Card title={t('recall.report', { lot: r.lotNumber })} class="recall-report">
      <p data-testid="recall-status">
        <span class={`badge status-${r.status}`}>
          {r.status === 'open' ? t('recall.status.open') : t('recall.status.released')}
        </span>{' '}
        {r.itemCode} {name(r)} · {r.reason}
        {r.supplierReference && <small class="muted"> · {r.supplierReference}</small>}
      </p>
      <p>
        {t('recall.opened', {
          when: dateTime(r.openedAt),
          who: r.openedByName ? t('req.by', { name: r.openedByName }) : '',
        })}
        {r.releasedAt && (
          <>
            <br />
            {t('recall.releasedAt', {
              when: dateTime(r.releasedAt),
              who: r.releasedByName ? t('req.by', { name: r.releasedByName }) : '',
              reason: r.releaseReason ?? '',
            })}
          </>
        )}
      </p>
      <h3>{t('recall.where')}</h3>
      {tr.locations.length === 0 ? (
        none
      ) : (
        <table data-testid="recall-locations">
          <thead>
            <tr>
              <th>{t('recall.location')}</th>
              <th class="num">{t('recall.onHand')}</th>
              <th class="num">{t('recall.held')}</th>
            </tr>
          </thead>
          <tbody>
            {tr.locations.map((l) => (
              <tr key={l.locationId}>
                <td>{locationLabel(sites.data, l.locationId) || l.locationName}</td>
                <td class="num">{num(l.onHand)}</td>
                <td class="num">{num(l.held)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3>{t('recall.departments')}</h3>
      {tr.departments.length === 0 ? (
        none
      ) : (
        <table data-testid="recall-departments">
          <thead>
            <tr>
              <th>{t('recall.department')}</th>
              <th>{t('recall.costCentre')}</th>
              <th class="num">{t('recall.quantity')}</th>
              <th>{t('recall.firstLast')}</th>
            </tr>
          </thead>
          <tbody>
            {tr.departments.map((d) => (
              <tr key={`${d.departmentId}-${d.costCentre}`}>
                <td>{d.departmentName ?? '—'}</td>
                <td>{d.costCentre ?? '—'}</td>
                <td class="num">{num(d.quantity)}</td>
                <td>
                  {dateTime(d.firstIssuedAt)} – {dateTime(d.lastIssuedAt)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3>{t('recall.patients')}</h3>
      {tr.patients.length === 0 ? (
        none
      ) : (
        <table data-testid="recall-patients">
          <thead>
            <tr>
              <th>{t('recall.patient')}</th>
              <th>{t('recall.department')}</th>
              <th class="num">{t('recall.quantity')}</th>
              <th>{t('recall.when')}</th>
            </tr>
          </thead>
          <tbody>
            {tr.patients.map((p) => (
              <tr key={p.groupId}>
                <td>{p.patientRef}</td>
                <td>{p.departmentName ?? '—'}</td>
                <td class="num">{num(p.quantity)}</td>
                <td>{dateTime(p.issuedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3>{t('recall.procedures')}</h3>
      {tr.procedures.length === 0 ? (
        none
      ) : (
        <table data-testid="recall-procedures">
          <thead>
            <tr>
              <th>{t('recall.procedure')}</th>
              <th>{t('recall.scheduledFor')}</th>
              <th>{t('recall.externalRef')}</th>
              <th class="num">{t('recall.quantity')}</th>
            </tr>
          </thead>
          <tbody>
            {tr.procedures.map((p) => (
              <tr key={p.scheduledProcedureId}>
                <td>
                  {p.procedureCode} {name(p)}
                </td>
                <td>{date(p.scheduledFor)}</td>
                <td>{p.externalRef ?? '—'}</td>
                <td class="num">{num(p.quantity)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3>{t('recall.receipts')}</h3>
      {tr.receipts.length === 0 ? (
        none
      ) : (
        <ul>
          {tr.receipts.map((x) => (
            <li key={x.groupId}>
              {dateTime(x.receivedAt)} · {locationLabel(sites.data, x.locationId)} · {num(x.quantity)}
            </li>
          ))}
        </ul>
      )}
      {r.status === 'open' && mayRecall() && (
        <div class="actions-row">
          <button type="button" class="primary" onClick={() => setReleasing(true)}>
            {t('recall.release')}
          </button>
        </div>
      )}
      {releasing && (
        <ConfirmDialog
          title={t('recall.releaseTitle', { lot: r.lotNumber })}
          message={t('recall.releaseMessage')}
          confirmLabel={t('recall.release')}
          reasonLabel={t('recall.releaseReason')}
          onConfirm={async (reason) => {
            await call(
              api.POST('/v1/recalls/{id}/release', {
                params: { path: { id: r.id } },
                body: { reason },
                headers: { 'Idempotency-Key': idempotencyKey() },
              }),
            );
            recall.reload();
            props.onChanged();
          }}
          onClose={() => setReleasing(false)}
        />
      )}
    </Card>
  );
}
