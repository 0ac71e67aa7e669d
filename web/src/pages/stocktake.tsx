import { useState } from 'preact/hooks';
import { Link, useLocation } from 'wouter-preact';
import { api, call, idempotencyKey, type Json } from '../api/client';
import { ABC_CLASSES } from '../api/enums';
import { can } from '../api/session';
import { ConfirmDialog } from '../components/confirm-dialog';
import { type Item, ItemPicker } from '../components/item-picker';
import { MoreButton } from '../components/more';
import { LocationSelect, SiteFilter } from '../components/site-filter';
import {
  Card,
  Checkbox,
  Empty,
  ErrorBox,
  Loading,
  PageHeader,
  SelectField,
  TextField,
} from '../components/ui';
import { type MessageKey, useI18n } from '../i18n/i18n';
import { saveBlob } from '../lib/download';
import { usePaged } from '../lib/paged';
import { locationLabel, siteName, useSites } from '../lib/sites';
import { useAction, useApi } from '../lib/use-api';
import './stocktake.css';

type Session = Json<'/v1/stocktakes/{id}', 'get'>;
type Line = Session['lines'][number];
type Status = Session['status'];
type Abc = 'A' | 'B' | 'C';

const STATUS_LABEL: Record<Status, MessageKey> = {
  counting: 'stocktake.status.counting',
  submitted: 'stocktake.status.submitted',
  approved: 'stocktake.status.approved',
  posted: 'stocktake.status.posted',
  cancelled: 'stocktake.status.cancelled',
};
const ABC_LABEL: Record<Abc, MessageKey> = {
  A: 'stocktake.abc.A',
  B: 'stocktake.abc.B',
  C: 'stocktake.abc.C',
};

const headers = () => ({ 'Idempotency-Key': idempotencyKey() });

function StatusChip({ status }: { status: Status }) {
  const { t } = useI18n();
  return (
    <span class={`badge stocktake-${status}`} data-status={status}>
      {t(STATUS_LABEL[status])}
    </span>
  );
}

/** 盘点: the list of sessions and a new one; `id` opens one session's sheet and review. */
export default function StocktakePage({ id }: { id?: string }) {
  return id ? <SessionPage id={id} /> : <SessionsPage />;
}

function SessionsPage() {
  const { t } = useI18n();
  return (
    <div class="page" data-page="stocktake">
      <PageHeader title={t('stocktake.title')} />
      {can('stock:write') && <NewSession />}
      <SessionList />
    </div>
  );
}

function NewSession() {
  const { t } = useI18n();
  const sites = useSites();
  const [, navigate] = useLocation();
  const [scope, setScope] = useState<'location' | 'site'>('location');
  const [locationId, setLocationId] = useState('');
  const [siteId, setSiteId] = useState('');
  const [classes, setClasses] = useState<Abc[]>([]);
  const [blind, setBlind] = useState(false);
  const [note, setNote] = useState('');
  const firstLocation = sites.data?.flatMap((s) => s.locations.map((l) => l.id))[0] ?? '';
  const firstSite = sites.data?.[0]?.id ?? '';
  const create = useAction(async () => {
    const body = {
      ...(scope === 'location'
        ? { locationId: locationId || firstLocation }
        : { siteId: siteId || firstSite }),
      ...(classes.length ? { abcClasses: classes } : {}),
      blind,
      ...(note.trim() ? { note: note.trim() } : {}),
    };
    const s = await call(api.POST('/v1/stocktakes', { body, headers: headers() }));
    navigate(`/stocktake/${s.id}`);
  });
  return (
    <Card title={t('stocktake.new')}>
      <form
        class="stocktake-new"
        aria-label={t('stocktake.new')}
        onSubmit={(e) => {
          e.preventDefault();
          void create.run();
        }}
      >
        <p class="hint">{t('stocktake.hint')}</p>
        <div class="grid-2">
          <SelectField
            label={t('stocktake.scope')}
            name="scope"
            value={scope}
            onValue={setScope}
            options={[
              { value: 'location', label: t('stocktake.scope.location') },
              { value: 'site', label: t('stocktake.scope.site') },
            ]}
          />
          {scope === 'location' ? (
            <LocationSelect
              label={t('stocktake.location')}
              name="locationId"
              value={locationId || firstLocation}
              onValue={setLocationId}
            />
          ) : (
            <SelectField
              label={t('field.site')}
              name="siteId"
              value={siteId || firstSite}
              onValue={setSiteId}
              options={(sites.data ?? []).map((s) => ({ value: s.id, label: s.name }))}
            />
          )}
          <TextField label={t('stocktake.note')} name="note" value={note} onValue={setNote} maxLength={500} />
        </div>
        <fieldset class="abc-classes">
          <legend>{t('stocktake.abc')}</legend>
          {ABC_CLASSES.map((c) => (
            <Checkbox
              key={c}
              name={`abc-${c}`}
              label={t(ABC_LABEL[c])}
              checked={classes.includes(c)}
              onValue={(on) => setClasses((x) => (on ? [...x, c].sort() : x.filter((y) => y !== c)))}
            />
          ))}
        </fieldset>
        <Checkbox name="blind" label={t('stocktake.blind')} checked={blind} onValue={setBlind} />
        <ErrorBox error={create.error} />
        <button type="submit" class="primary" disabled={create.busy}>
          {t('stocktake.create')}
        </button>
      </form>
    </Card>
  );
}

function whereLabel(
  sites: ReturnType<typeof useSites>['data'],
  s: { siteId: string; locationId: string | null },
  t: ReturnType<typeof useI18n>['t'],
) {
  return s.locationId
    ? locationLabel(sites, s.locationId)
    : t('stocktake.allLocations', { site: siteName(sites, s.siteId) });
}

function SessionList() {
  const { t, money, dateTime } = useI18n();
  const sites = useSites();
  const [siteId, setSiteId] = useState('');
  const [status, setStatus] = useState<Status | ''>('');
  const list = usePaged(
    (cursor) =>
      call(
        api.GET('/v1/stocktakes', {
          params: {
            query: {
              limit: 50,
              ...(siteId ? { siteId } : {}),
              ...(status ? { status } : {}),
              ...(cursor ? { cursor } : {}),
            },
          },
        }),
      ),
    [siteId, status],
  );
  return (
    <Card title={t('stocktake.list')}>
      <div class="filters">
        <SiteFilter value={siteId} onValue={setSiteId} />
        <SelectField
          label={t('stocktake.status')}
          name="status"
          value={status}
          onValue={setStatus}
          options={[
            { value: '' as const, label: t('stocktake.allStatuses') },
            ...(Object.keys(STATUS_LABEL) as Status[]).map((v) => ({ value: v, label: t(STATUS_LABEL[v]) })),
          ]}
        />
      </div>
      <ErrorBox error={list.error} />
      {list.loading && list.items.length === 0 && <Loading />}
      {!list.loading && list.items.length === 0 && <Empty>{t('stocktake.empty')}</Empty>}
      {list.items.length > 0 && (
        <div class="table-wrap">
          <table data-testid="stocktakes">
            <thead>
              <tr>
                <th>{t('stocktake.number')}</th>
                <th>{t('stocktake.where')}</th>
                <th>{t('stocktake.status')}</th>
                <th class="num">{t('stocktake.progress')}</th>
                <th class="num">{t('stocktake.review.value')}</th>
                <th>{t('stocktake.created')}</th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((s) => (
                <tr key={s.id} data-number={s.number}>
                  <td>
                    <Link href={`/stocktake/${s.id}`}>{s.number}</Link>
                    {s.blind && <span class="badge">{t('stocktake.blindBadge')}</span>}
                    {s.abcClasses && (
                      <span class="badge">
                        {t('stocktake.cycleBadge', { classes: s.abcClasses.join('') })}
                      </span>
                    )}
                  </td>
                  <td>{whereLabel(sites.data, s, t)}</td>
                  <td>
                    <StatusChip status={s.status} />
                  </td>
                  <td class="num">
                    {t('stocktake.progressOf', { counted: s.summary.counted, lines: s.summary.lines })}
                  </td>
                  <td class="num">{money(s.summary.varianceValue)}</td>
                  <td>
                    {dateTime(s.createdAt)} · {s.createdByName ?? ''}
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

type Confirming = 'approve' | 'post' | 'cancel' | null;

function SessionPage({ id }: { id: string }) {
  const { t, money, dateTime, locale } = useI18n();
  const sites = useSites();
  const loaded = useApi(() => call(api.GET('/v1/stocktakes/{id}', { params: { path: { id } } })), [id]);
  const [fresh, setFresh] = useState<Session | null>(null);
  const [confirming, setConfirming] = useState<Confirming>(null);
  const s = fresh?.id === id ? fresh : loaded.data;
  const transition = useAction(async (action: 'submit' | 'reopen') => {
    const req = { params: { path: { id } }, body: {}, headers: headers() };
    setFresh(
      await call(
        action === 'submit'
          ? api.POST('/v1/stocktakes/{id}/submit', req)
          : api.POST('/v1/stocktakes/{id}/reopen', req),
      ),
    );
  });
  // A site-wide session: each location's own sheet, on screen, on paper and as a PDF.
  const [sheetLocation, setSheetLocation] = useState('');
  const pdf = useAction(async () => {
    const r = await api.GET('/v1/stocktakes/{id}/pdf', {
      params: { path: { id }, query: { locale, ...(sheetLocation ? { locationId: sheetLocation } : {}) } },
      parseAs: 'blob',
    });
    const blob = await call(Promise.resolve(r));
    saveBlob(blob as unknown as Blob, r.response, 'stocktake.pdf');
  });
  if (!s)
    return (
      <div class="page" data-page="stocktake-session">
        <ErrorBox error={loaded.error} />
        <Loading />
      </div>
    );
  const writable = can('stock:write');
  const who = (name: string | null) => name ?? '—';
  const hidden = s.blind && s.status === 'counting';
  const confirmDialog = confirming && (
    <ConfirmDialog
      title={t(
        confirming === 'approve'
          ? 'stocktake.confirm.approve.title'
          : confirming === 'post'
            ? 'stocktake.confirm.post.title'
            : 'stocktake.confirm.cancel.title',
      )}
      message={
        confirming === 'approve'
          ? t('stocktake.confirm.approve', {
              number: s.number,
              lines: s.summary.varianceLines ?? 0,
              value: money(s.summary.varianceValue),
            })
          : confirming === 'post'
            ? t('stocktake.confirm.post', { number: s.number })
            : t('stocktake.confirm.cancel', { number: s.number })
      }
      confirmLabel={t('stocktake.confirm.go')}
      {...(confirming === 'cancel' ? { reasonLabel: t('stocktake.confirm.reason') } : {})}
      onConfirm={async (reason) => {
        const path = { params: { path: { id } }, headers: headers() };
        setFresh(
          confirming === 'approve'
            ? await call(api.POST('/v1/stocktakes/{id}/approve', { ...path, body: {} }))
            : confirming === 'post'
              ? await call(api.POST('/v1/stocktakes/{id}/post', { ...path, body: {} }))
              : await call(api.POST('/v1/stocktakes/{id}/cancel', { ...path, body: { reason } })),
        );
      }}
      onClose={() => setConfirming(null)}
    />
  );
  return (
    <div class="page stocktake-session" data-page="stocktake-session" data-status={s.status}>
      <PageHeader title={`${t('stocktake.title')} ${s.number}`}>
        <Link href="/stocktake" class="no-print">
          {t('stocktake.back')}
        </Link>
        <button type="button" class="no-print" onClick={() => window.print()}>
          {t('stocktake.print')}
        </button>
        <button
          type="button"
          class="no-print"
          data-testid="stocktake-pdf"
          disabled={pdf.busy}
          onClick={() => void pdf.run()}
        >
          {t('stocktake.pdf')}
        </button>
      </PageHeader>
      <Card>
        <p class="session-head">
          <StatusChip status={s.status} /> {whereLabel(sites.data, s, t)}
          {s.blind && <span class="badge">{t('stocktake.blindBadge')}</span>}
          {s.abcClasses && (
            <span class="badge">{t('stocktake.cycleBadge', { classes: s.abcClasses.join('') })}</span>
          )}
          {s.note && <span class="muted"> · {s.note}</span>}
        </p>
        <ErrorBox error={pdf.error} />
        <ul class="who-when" data-testid="stocktake-history">
          <li>{t('stocktake.who.created', { who: who(s.createdByName), when: dateTime(s.createdAt) })}</li>
          {s.submittedAt && (
            <li>
              {t('stocktake.who.submitted', { who: who(s.submittedByName), when: dateTime(s.submittedAt) })}
            </li>
          )}
          {s.approvedAt && (
            <li>
              {t('stocktake.who.approved', { who: who(s.approvedByName), when: dateTime(s.approvedAt) })}
            </li>
          )}
          {s.postedAt && (
            <li>{t('stocktake.who.posted', { who: who(s.postedByName), when: dateTime(s.postedAt) })}</li>
          )}
          {s.cancelledAt && (
            <li>
              {t('stocktake.who.cancelled', {
                who: who(s.cancelledByName),
                when: dateTime(s.cancelledAt),
                reason: s.cancelReason ?? '',
              })}
            </li>
          )}
        </ul>
        <p class="print-only">{t('stocktake.printedAt', { when: dateTime(new Date().toISOString()) })}</p>
      </Card>
      {writable && s.status === 'counting' && <CountEntry session={s} onSaved={setFresh} />}
      {!s.locationId && (
        <div class="filters no-print">
          <SelectField
            label={t('stocktake.sheetOf')}
            name="sheetLocation"
            value={sheetLocation}
            onValue={setSheetLocation}
            options={[
              { value: '', label: t('stocktake.sheetOf.all') },
              ...(sites.data?.find((x) => x.id === s.siteId)?.locations ?? []).map((l) => ({
                value: l.id,
                label: l.name,
              })),
            ]}
          />
        </div>
      )}
      <CountSheet
        session={sheetLocation ? { ...s, lines: s.lines.filter((l) => l.locationId === sheetLocation) } : s}
        onSaved={setFresh}
      />
      <Card title={t('stocktake.review')} class="stocktake-review">
        {hidden ? (
          <p class="hint">{t('stocktake.review.blind')}</p>
        ) : (
          <dl class="review-figures" data-testid="stocktake-review">
            <dt>{t('stocktake.review.lines')}</dt>
            <dd>{t('stocktake.progressOf', { counted: s.summary.counted, lines: s.summary.lines })}</dd>
            <dt>{t('stocktake.review.varianceLines')}</dt>
            <dd data-testid="variance-lines">{s.summary.varianceLines}</dd>
            <dt>{t('stocktake.review.quantity')}</dt>
            <dd data-testid="variance-quantity">{s.summary.varianceQuantity}</dd>
            <dt>{t('stocktake.review.value')}</dt>
            <dd data-testid="variance-value">{money(s.summary.varianceValue)}</dd>
          </dl>
        )}
        {writable && (
          <div class="actions-row no-print">
            {s.status === 'counting' && (
              <button
                type="button"
                class="primary"
                disabled={transition.busy}
                onClick={() => void transition.run('submit')}
              >
                {t('stocktake.submit')}
              </button>
            )}
            {s.status === 'submitted' && (
              <button type="button" class="primary" onClick={() => setConfirming('approve')}>
                {t('stocktake.approve')}
              </button>
            )}
            {s.status === 'approved' && (
              <button type="button" class="primary" onClick={() => setConfirming('post')}>
                {t('stocktake.post')}
              </button>
            )}
            {(s.status === 'submitted' || s.status === 'approved') && (
              <button type="button" disabled={transition.busy} onClick={() => void transition.run('reopen')}>
                {t('stocktake.reopen')}
              </button>
            )}
            {s.status !== 'posted' && s.status !== 'cancelled' && (
              <button type="button" class="danger" onClick={() => setConfirming('cancel')}>
                {t('stocktake.cancel')}
              </button>
            )}
          </div>
        )}
        {s.status === 'submitted' && <p class="hint">{t('stocktake.fourEyes')}</p>}
        <ErrorBox error={transition.error} />
        <p class="print-only signature">{t('stocktake.signature')}</p>
      </Card>
      {confirmDialog}
    </div>
  );
}

/** One count typed or scanned: a GS1 scan carries item, lot and count; no lot = the item as a whole. */
function CountEntry({ session, onSaved }: { session: Session; onSaved: (s: Session) => void }) {
  const { t } = useI18n();
  const [scan, setScan] = useState('');
  const [item, setItem] = useState<Item | null>(null);
  const [lotNumber, setLotNumber] = useState('');
  const [expiryDate, setExpiryDate] = useState('');
  const [quantity, setQuantity] = useState('');
  const [locationId, setLocationId] = useState('');
  const [done, setDone] = useState(false);
  const sites = useSites();
  const siteLocations = sites.data?.find((x) => x.id === session.siteId)?.locations ?? [];
  const where = session.locationId ?? (locationId || siteLocations[0]?.id || '');
  const record = useAction(async () => {
    setDone(false);
    const count = {
      locationId: where,
      ...(scan.trim() ? { scan: scan.trim() } : {}),
      ...(item ? { itemId: item.id } : {}),
      ...(lotNumber.trim() ? { lotNumber: lotNumber.trim() } : {}),
      ...(expiryDate ? { expiryDate } : {}),
      ...(quantity !== '' ? { quantity: Number(quantity) } : {}),
    };
    const s = await call(
      api.POST('/v1/stocktakes/{id}/counts', {
        params: { path: { id: session.id } },
        body: { counts: [count] },
        headers: headers(),
      }),
    );
    onSaved(s);
    setScan('');
    setLotNumber('');
    setExpiryDate('');
    setQuantity('');
    setDone(true);
    // Ready for the next scan: a keyboard-wedge scanner types into whatever has focus.
    document.querySelector<HTMLInputElement>('.stocktake-entry input[name=scan]')?.focus();
  });
  const fields: Record<string, string> = {};
  for (const e of record.error?.problem.errors ?? []) {
    const name = e.field.split('/').pop() ?? '';
    if (name && !fields[name]) fields[name] = e.message;
  }
  return (
    <Card title={t('stocktake.enter')} class="no-print">
      <form
        class="stocktake-entry"
        aria-label={t('stocktake.enter')}
        onSubmit={(e) => {
          e.preventDefault();
          void record.run();
        }}
      >
        <p class="hint">{t('stocktake.enterHint')}</p>
        <div class="grid-2">
          <TextField
            label={t('stocktake.scan')}
            name="scan"
            value={scan}
            onValue={setScan}
            error={fields.scan}
            autoFocus
          />
          <ItemPicker label={t('stocktake.item')} value={item} onValue={setItem} error={fields.itemId} />
          {!session.locationId && (
            <SelectField
              label={t('stocktake.location')}
              name="locationId"
              value={where}
              onValue={setLocationId}
              options={siteLocations.map((l) => ({ value: l.id, label: l.name }))}
              error={fields.locationId}
            />
          )}
          <TextField
            label={t('stocktake.lot')}
            name="lotNumber"
            value={lotNumber}
            onValue={setLotNumber}
            error={fields.lotNumber}
          />
          <TextField
            label={t('stocktake.expiry')}
            name="expiryDate"
            type="date"
            value={expiryDate}
            onValue={setExpiryDate}
            error={fields.expiryDate}
          />
          <TextField
            label={t('stocktake.quantity')}
            name="quantity"
            type="number"
            min={0}
            value={quantity}
            onValue={setQuantity}
            error={fields.quantity}
          />
        </div>
        <ErrorBox error={record.error} />
        <button type="submit" class="primary" disabled={record.busy}>
          {t('stocktake.record')}
        </button>
        {done && (
          <span class="success" role="status">
            {t('stocktake.recorded')}
          </span>
        )}
      </form>
    </Card>
  );
}

/** The sheet: location × item × lot; while counting, each line takes its count in place. */
function CountSheet({ session, onSaved }: { session: Session; onSaved: (s: Session) => void }) {
  const { t, name, num, money, date, locale } = useI18n();
  const sites = useSites();
  const [drafts, setDrafts] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState(false);
  const editable = can('stock:write') && session.status === 'counting';
  const save = useAction(async () => {
    setSaved(false);
    const counts = Object.entries(drafts).map(([lineId, v]) => ({
      lineId,
      quantity: v.trim() === '' ? null : Number(v),
    }));
    if (!counts.length) return;
    onSaved(
      await call(
        api.POST('/v1/stocktakes/{id}/counts', {
          params: { path: { id: session.id } },
          body: { counts },
          headers: headers(),
        }),
      ),
    );
    setDrafts({});
    setSaved(true);
  });
  const lotText = (l: Line) =>
    l.wholeItem ? t('stocktake.wholeItem') : l.lotNumber ? l.lotNumber : t('stocktake.noLot');
  const hidden = session.blind && session.status === 'counting';
  // Lots of an item-location counted as a whole are covered by that count, not left uncounted.
  const whole = new Set(
    session.lines.filter((l) => l.wholeItem && l.counted !== null).map((l) => `${l.locationId}|${l.itemId}`),
  );
  const inWhole = (l: Line) => !l.wholeItem && l.counted === null && whole.has(`${l.locationId}|${l.itemId}`);
  // One location: its name is in the heading, not on every row.
  const manyLocations = session.locationId === null;
  return (
    <Card title={t('stocktake.sheet')} class="stocktake-sheet">
      {session.lines.length === 0 ? (
        <Empty>{t('stocktake.sheetEmpty')}</Empty>
      ) : (
        <form
          aria-label={t('stocktake.sheet')}
          onSubmit={(e) => {
            e.preventDefault();
            void save.run();
          }}
        >
          <div class="table-wrap">
            <table data-testid="count-sheet">
              <thead>
                <tr>
                  {manyLocations && <th>{t('stocktake.col.location')}</th>}
                  <th>{t('stocktake.col.item')}</th>
                  <th>{t('stocktake.col.spec')}</th>
                  <th>{t('stocktake.col.lot')}</th>
                  <th>{t('stocktake.col.expiry')}</th>
                  <th>{t('stocktake.col.abc')}</th>
                  <th class="num">{t('stocktake.col.book')}</th>
                  <th class="num">{t('stocktake.col.counted')}</th>
                  <th class="num">{t('stocktake.col.variance')}</th>
                  <th class="num">{t('stocktake.col.value')}</th>
                  <th>{t('stocktake.col.countedBy')}</th>
                </tr>
              </thead>
              <tbody>
                {session.lines.map((l) => (
                  <tr
                    key={l.id}
                    data-line={`${l.itemCode}|${l.lotNumber ?? '*'}`}
                    class={l.variance ? 'has-variance' : ''}
                  >
                    {manyLocations && <td>{locationLabel(sites.data, l.locationId)}</td>}
                    <td>
                      {l.itemCode} {name(l)}
                    </td>
                    <td>{l.specification}</td>
                    <td>
                      {lotText(l)}
                      {l.added && !l.wholeItem && <span class="badge">{t('stocktake.found')}</span>}
                    </td>
                    <td>{date(l.expiryDate)}</td>
                    <td>{l.abcClass ?? ''}</td>
                    <td class="num book">{hidden ? t('stocktake.hidden') : num(l.book)}</td>
                    <td class="num counted">
                      {inWhole(l) ? (
                        <small class="muted">{t('stocktake.inWhole')}</small>
                      ) : editable ? (
                        <input
                          type="number"
                          min={0}
                          class="count-input"
                          name={`count-${l.id}`}
                          aria-label={t('stocktake.countFor', { item: l.itemCode, lot: lotText(l) })}
                          value={drafts[l.id] ?? (l.counted === null ? '' : String(l.counted))}
                          onInput={(e) =>
                            setDrafts((d) => ({ ...d, [l.id]: (e.currentTarget as HTMLInputElement).value }))
                          }
                        />
                      ) : (
                        num(l.counted)
                      )}
                    </td>
                    <td class={`num variance ${(l.variance ?? 0) < 0 ? 'neg' : ''}`}>
                      {l.variance === null ? '' : num(l.variance)}
                      {l.attribution && l.attribution.length > 0 && (
                        <small class="attribution">
                          {t('stocktake.attribution', {
                            lots: l.attribution
                              .map((a) => `${a.lotNumber || t('stocktake.noLot')} ${num(a.quantity)}`)
                              .join(locale === 'zh-CN' ? '、' : ', '),
                          })}
                        </small>
                      )}
                    </td>
                    <td class="num">{l.varianceValue === null ? '' : money(l.varianceValue)}</td>
                    <td>{l.countedByName ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {editable && (
            <div class="actions-row no-print">
              <button type="submit" disabled={save.busy || Object.keys(drafts).length === 0}>
                {t('stocktake.saveCounts')}
              </button>
              {saved && (
                <span class="success" role="status">
                  {t('stocktake.saved')}
                </span>
              )}
            </div>
          )}
          <ErrorBox error={save.error} />
        </form>
      )}
    </Card>
  );
}
