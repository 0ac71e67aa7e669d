import { useEffect, useRef, useState } from 'preact/hooks';
import { parseGs1 } from '../../../core/src/gs1/parse-gs1.ts';
import { api, call, idempotencyKey, type Json } from '../api/client';
import { everyOf, type MovementKind } from '../api/enums';
import { can } from '../api/session';
import { ConfirmDialog } from '../components/confirm-dialog';
import {
  destinationBody,
  type IssueDestination,
  IssueDestinationFields,
  NO_DESTINATION,
} from '../components/issue-destination';
import { type Item, ItemPicker } from '../components/item-picker';
import { LinkGtin } from '../components/link-gtin';
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
  SupplierField,
  useSupplierOptions,
} from '../components/receiving-fields';
import { LocationSelect, SiteFilter } from '../components/site-filter';
import { Card, Empty, ErrorBox, Loading, PageHeader, SelectField, TextField } from '../components/ui';
import { type MessageKey, useI18n } from '../i18n/i18n';
import { usePaged } from '../lib/paged';
import { useQueryParam } from '../lib/query-string';
import { locationLabel, useSites } from '../lib/sites';
import { itemUnitWord, unitForCount } from '../lib/units';
import { useAction } from '../lib/use-api';

// Every kind the API takes but adjustment (signed corrections have their own form): a new kind
// fails the type check until it is added here or left out on purpose.
type EntryType = Exclude<MovementKind, 'adjustment'>;
const TYPES: readonly EntryType[] = everyOf<EntryType>()([
  'receipt',
  'issue',
  'transfer',
  'stocktake',
  'write_off',
  'return',
]);
type WriteOffReason = 'damaged' | 'expired' | 'lost' | 'other';
const WRITE_OFF_REASONS: WriteOffReason[] = ['damaged', 'expired', 'lost', 'other'];
type Posted = Json<'/v1/movements', 'post'>;

const LOCATION_KEY = 'medstock.movement.location';
function rememberedLocation(): string | null {
  try {
    return localStorage.getItem(LOCATION_KEY);
  } catch {
    return null;
  }
}
function rememberLocation(id: string) {
  try {
    localStorage.setItem(LOCATION_KEY, id);
  } catch {}
}

export default function MovementsPage() {
  const { t } = useI18n();
  const [posted, setPosted] = useState(0);
  return (
    <div class="page" data-page="movements">
      <PageHeader title={t('movements.title')} />
      {can('stock:write') && <MovementForm onPosted={() => setPosted((n) => n + 1)} />}
      <History refresh={posted} />
    </div>
  );
}

function MovementForm({ onPosted }: { onPosted: () => void }) {
  const { t, name, num, locale } = useI18n();
  const sites = useSites();
  const initialType = useQueryParam('type') as EntryType;
  const [type, setType] = useState<EntryType>(TYPES.includes(initialType) ? initialType : 'receipt');
  const [scan, setScan] = useState('');
  const [item, setItem] = useState<Item | null>(null);
  const [locationId, setLocationId] = useState('');
  const [toLocationId, setToLocationId] = useState('');
  const [quantity, setQuantity] = useState('');
  const [unit, setUnit] = useState('');
  // The item a scanned GTIN named, and the pack unit that GTIN marks (a box's own GTIN): the
  // quantity typed after a scan counts what was scanned (scan a box of 10, type 2 → 20 pieces).
  const [scanned, setScanned] = useState<{ gtin: string; item: Item; unit: string } | null>(null);
  // A scanned GTIN no item has: offered to be linked to one (LinkGtin).
  const [unknownGtin, setUnknownGtin] = useState<string | null>(null);
  const [lotNumber, setLotNumber] = useState('');
  const [expiryDate, setExpiryDate] = useState('');
  const [reference, setReference] = useState('');
  // An expired or short-dated lot is received only on purpose: the server refuses it until the
  // user accepts it with a reason (LotOverrideFields).
  const [override, setOverride] = useState<LotOverride>(NO_OVERRIDE);
  const [documents, setDocuments] = useState<ReceiptDocuments>(NO_DOCUMENTS);
  const [supplierId, setSupplierId] = useState('');
  // Issues may name where the stock goes: a department (its cost centre) and a patient reference.
  const [destination, setDestination] = useState<IssueDestination>(NO_DESTINATION);
  // Write-offs say why (报损原因); returns go back to a supplier with a reason. Both are confirmed.
  // Opened from an alert (请报损): the item, store, lot and reason come in the address.
  const initialReason = useQueryParam('writeOffReason') as WriteOffReason;
  const initialItem = useQueryParam('itemId');
  const initialLot = useQueryParam('lot');
  const initialLocation = useQueryParam('locationId');
  const [writeOffReason, setWriteOffReason] = useState<WriteOffReason>(
    WRITE_OFF_REASONS.includes(initialReason) ? initialReason : 'damaged',
  );
  useEffect(() => {
    if (initialLot) setLotNumber(initialLot);
    if (initialLocation) setLocationId(initialLocation);
    if (!initialItem) return;
    void call(api.GET('/v1/items/{id}', { params: { path: { id: initialItem } } }))
      .then((it) => setItem(it as unknown as Item))
      .catch(() => undefined);
  }, [initialItem, initialLot, initialLocation]);
  const [reasonText, setReasonText] = useState('');
  const [confirming, setConfirming] = useState(false);
  const suppliers = useSupplierOptions();
  const [last, setLast] = useState<Posted | null>(null);
  const quantityRef = useRef<HTMLInputElement>(null);
  const scanRef = useRef<HTMLInputElement>(null);
  // A keyboard-wedge scanner types into whatever has focus: start in the scan field.
  useEffect(() => scanRef.current?.focus(), []);
  // The store room's tablet keeps recording at the same location: remember the last one used.
  const remembered = rememberedLocation();
  const known = sites.data?.flatMap((s) => s.locations.map((l) => l.id)) ?? [];
  const from = locationId || (remembered && known.includes(remembered) ? remembered : (known[0] ?? ''));

  const recognise = async (code: string) => {
    let gtin: string | undefined;
    try {
      gtin = parseGs1(code).gtin;
    } catch {
      return; // the server says what is wrong with the code when it is posted
    }
    if (!gtin) return;
    setUnknownGtin(null);
    const found = await call(api.GET('/v1/items', { params: { query: { q: gtin, limit: 5 } } })).catch(
      () => null,
    );
    type WithGtins = Item & { gtins?: { gtin: string; unitCode: string | null }[] };
    const it = (found?.items as WithGtins[] | undefined)?.find(
      (x) => x.gtin === gtin || x.gtins?.some((g) => g.gtin === gtin),
    );
    if (!it) {
      if (found) setUnknownGtin(gtin);
      return;
    }
    const packUnit = it.gtins?.find((g) => g.gtin === gtin)?.unitCode ?? it.baseUnit.code;
    setItem(it);
    setUnit(packUnit);
    setScanned({ gtin, item: it, unit: packUnit });
  };

  const submit = useAction(async () => {
    const body: NonNullable<
      import('../api/client').Paths['/v1/movements']['post']['requestBody']
    >['content']['application/json'] = {
      type,
      locationId: from,
      ...(scan.trim() ? { scan: scan.trim() } : {}),
      ...(item ? { itemId: item.id } : {}),
      ...(quantity !== '' ? { quantity: Number(quantity) } : {}),
      ...(unit ? { unit } : {}),
      ...(lotNumber.trim() ? { lotNumber: lotNumber.trim() } : {}),
      ...(expiryDate ? { expiryDate } : {}),
      ...(reference.trim() ? { reference: reference.trim() } : {}),
      ...(type === 'transfer' ? { toLocationId } : {}),
      ...(type === 'receipt' ? { ...documentsBody(documents), ...overrideBody(override) } : {}),
      ...((type === 'receipt' || type === 'return') && supplierId ? { supplierId } : {}),
      ...(type === 'write_off' ? { writeOffReason } : {}),
      ...(type === 'issue' ? destinationBody(destination) : {}),
      ...((type === 'write_off' || type === 'return') && reasonText.trim()
        ? { reason: reasonText.trim() }
        : {}),
    };
    const r = await call(
      api.POST('/v1/movements', { body, headers: { 'Idempotency-Key': idempotencyKey() } }),
    );
    rememberLocation(from);
    setLast(r);
    setScan('');
    setScanned(null);
    setQuantity('');
    setLotNumber('');
    setExpiryDate('');
    setOverride(NO_OVERRIDE);
    setReasonText('');
    setDocuments((d) => ({ ...d, invoiceNumber: '', deliveryNoteNumber: '' }));
    onPosted();
    // Ready for the next scan without touching the screen.
    scanRef.current?.focus();
  });
  const fields = submit.error?.fieldErrors() ?? {};
  // Posted anyway: the server names the GTIN it did not know.
  useEffect(() => {
    const p = submit.error?.problem;
    const gtin = p?.code === 'unknown_item' ? (p.params as { gtin?: string } | undefined)?.gtin : undefined;
    if (gtin) setUnknownGtin(gtin);
  }, [submit.error]);
  const unitLabel = (it: Item, code: string) => {
    const u = code === it.baseUnit.code ? it.baseUnit : it.packUnits.find((x) => x.code === code);
    return itemUnitWord(u ?? { code }, locale);
  };
  const supplierName = suppliers.data?.find((s) => s.value === supplierId)?.label ?? '';
  const units = item
    ? [
        { code: item.baseUnit.code, label: name({ nameZh: item.baseUnit.zh, nameEn: item.baseUnit.en }) },
        ...item.packUnits.map((u) => ({
          code: u.code,
          label: `${name({ nameZh: u.zh, nameEn: u.en })} (×${u.factor})`,
        })),
      ]
    : [];

  // "2 盒 = 20 支": what a quantity in a pack unit posts, in base units, before it is posted.
  const pack = item && unit ? item.packUnits.find((u) => u.code === unit) : undefined;
  const packEquals =
    item && pack && quantity !== '' && Number.isFinite(Number(quantity))
      ? t('scan.packEquals', {
          quantity: num(Number(quantity)),
          unit: unitForCount(unitLabel(item, pack.code), Number(quantity), locale),
          base: num(Number(quantity) * pack.factor),
          baseUnit: unitForCount(unitLabel(item, item.baseUnit.code), Number(quantity) * pack.factor, locale),
        })
      : '';

  return (
    <Card title={t('movement.new')}>
      <form
        class="movement-form"
        aria-label={t('movement.new')}
        onSubmit={(e) => {
          e.preventDefault();
          // Stock that leaves the books is confirmed first (who and when are recorded with it).
          if (type === 'write_off' || type === 'return') setConfirming(true);
          else void submit.run();
        }}
      >
        <fieldset class="segmented">
          <legend>{t('movement.type')}</legend>
          {TYPES.map((x) => (
            <label key={x} class={type === x ? 'active' : ''}>
              <input type="radio" name="type" value={x} checked={type === x} onChange={() => setType(x)} />
              {t(`movementType.${x}` as MessageKey)}
            </label>
          ))}
        </fieldset>
        <div class="grid-2">
          <div class="field scan-field">
            <label for="scan">{t('movement.scan')}</label>
            <input
              id="scan"
              name="scan"
              ref={scanRef}
              autoComplete="off"
              inputMode="text"
              aria-describedby="scan-hint"
              value={scan}
              onInput={(e) => {
                setScan((e.currentTarget as HTMLInputElement).value);
                setScanned(null);
              }}
              onKeyDown={(e) => {
                // A keyboard-wedge scanner ends each code with Enter: move on to the quantity
                // instead of submitting half a form.
                if (e.key === 'Enter') {
                  e.preventDefault();
                  void recognise(scan.trim());
                  quantityRef.current?.focus();
                }
              }}
              onBlur={() => {
                if (scan.trim() && !scanned) void recognise(scan.trim());
              }}
            />
            <small id="scan-hint" class="hint">
              {t('movement.scanHint')}
            </small>
            {fields.scan && (
              <small class="error-text" role="alert">
                {fields.scan}
              </small>
            )}
            {unknownGtin && !scanned && (
              <LinkGtin
                gtin={unknownGtin}
                onLinked={() => {
                  setUnknownGtin(null);
                  submit.setError(undefined);
                  void recognise(scan.trim());
                }}
              />
            )}
            {scanned && (
              <small class="hint" data-testid="scan-recognised">
                {t('scan.recognised', {
                  item: `${scanned.item.code} ${name(scanned.item)}`,
                  unit: unitLabel(scanned.item, scanned.unit),
                })}
              </small>
            )}
          </div>
          <ItemPicker
            label={t('movement.item')}
            value={item}
            onValue={(it) => {
              setItem(it);
              setUnit('');
            }}
            error={fields.itemId}
          />
          <LocationSelect
            label={type === 'transfer' ? t('movement.fromLocation') : t('field.location')}
            name="locationId"
            value={from}
            onValue={setLocationId}
            error={fields.locationId}
          />
          {type === 'transfer' && (
            <LocationSelect
              label={t('movement.toLocation')}
              name="toLocationId"
              value={toLocationId}
              onValue={setToLocationId}
              error={fields.toLocationId}
              allowEmpty={t('common.choose')}
            />
          )}
          <div class="field">
            <label for="quantity">
              {type === 'stocktake' ? t('movement.counted') : t('movement.quantity')}
            </label>
            <input
              id="quantity"
              name="quantity"
              ref={quantityRef}
              type="number"
              inputMode="numeric"
              min={0}
              step="any"
              value={quantity}
              aria-invalid={fields.quantity ? true : undefined}
              onInput={(e) => setQuantity((e.currentTarget as HTMLInputElement).value)}
            />
            {fields.quantity && (
              <small class="error-text" role="alert">
                {fields.quantity}
              </small>
            )}
            {packEquals && (
              <small class="hint" data-testid="pack-equals">
                {packEquals}
              </small>
            )}
          </div>
          {units.length > 1 && (
            <SelectField
              label={t('movement.unit')}
              name="unit"
              value={unit || units[0]!.code}
              onValue={setUnit}
              options={units.map((u) => ({ value: u.code, label: u.label }))}
              error={fields.unit}
            />
          )}
          {(type === 'receipt' || type === 'stocktake' || type === 'write_off' || type === 'return') && (
            <>
              <TextField
                label={t('field.lot')}
                name="lotNumber"
                value={lotNumber}
                onValue={setLotNumber}
                error={fields.lotNumber}
                {...(type === 'stocktake' ? { hint: t('stocktake.movementLotHint') } : {})}
              />
              {(type === 'receipt' || type === 'stocktake') && (
                <TextField
                  label={t('field.expiry')}
                  type="date"
                  name="expiryDate"
                  value={expiryDate}
                  onValue={setExpiryDate}
                  error={fields.expiryDate}
                />
              )}
            </>
          )}
          {type === 'receipt' && (
            <>
              <SupplierField
                label={t('receiving.supplierOptional')}
                value={supplierId}
                onValue={setSupplierId}
                error={fields.supplierId}
              />
              <ReceiptDocumentFields value={documents} onValue={setDocuments} fields={fields} />
            </>
          )}
          {type === 'issue' && (
            <IssueDestinationFields value={destination} onValue={setDestination} fields={fields} />
          )}
          {type === 'write_off' && (
            <SelectField
              label={t('receiving.writeOffReason')}
              name="writeOffReason"
              value={writeOffReason}
              onValue={setWriteOffReason}
              options={WRITE_OFF_REASONS.map((r) => ({
                value: r,
                label: t(`receiving.writeOffReason.${r}` as MessageKey),
              }))}
              error={fields.writeOffReason}
            />
          )}
          {type === 'return' && (
            <SupplierField
              label={t('receiving.supplier')}
              value={supplierId}
              onValue={setSupplierId}
              error={fields.supplierId}
              required
            />
          )}
          {(type === 'write_off' || type === 'return') && (
            <TextField
              label={type === 'return' ? t('receiving.returnReason') : t('receiving.reasonText')}
              name="reason"
              value={reasonText}
              onValue={setReasonText}
              required={type === 'return' || writeOffReason === 'other'}
              error={fields.reason}
            />
          )}
          {type === 'receipt' && (
            <LotOverrideFields error={submit.error} value={override} onValue={setOverride} fields={fields} />
          )}
          <TextField
            label={t('movement.reference')}
            name="reference"
            value={reference}
            onValue={setReference}
            error={fields.reference}
          />
        </div>
        <ErrorBox error={submit.error} />
        <button
          type="submit"
          class={type === 'write_off' || type === 'return' ? 'danger' : 'primary'}
          disabled={submit.busy}
        >
          {t(`movement.submit.${type}` as MessageKey)}
        </button>
      </form>
      {confirming && (
        <ConfirmDialog
          title={type === 'return' ? t('receiving.confirmReturnTitle') : t('receiving.confirmWriteOffTitle')}
          message={
            type === 'return'
              ? t('receiving.confirmReturn', {
                  quantity: quantity || '?',
                  unit: item ? unitLabel(item, unit || item.baseUnit.code) : '',
                  item: item ? `${item.code} ${name(item)}` : scan,
                  location: locationLabel(sites.data, from),
                  supplier: supplierName,
                })
              : t('receiving.confirmWriteOff', {
                  quantity: quantity || '?',
                  unit: item ? unitLabel(item, unit || item.baseUnit.code) : '',
                  item: item ? `${item.code} ${name(item)}` : scan,
                  location: locationLabel(sites.data, from),
                  reason:
                    t(`receiving.writeOffReason.${writeOffReason}` as MessageKey) +
                    (reasonText.trim() ? ` · ${reasonText.trim()}` : ''),
                })
          }
          confirmLabel={t(`movement.submit.${type}` as MessageKey)}
          onConfirm={async () => {
            await submit.run();
          }}
          onClose={() => setConfirming(false)}
        />
      )}
      {last && (
        <div class="success" role="status" data-testid="movement-posted">
          {t('movement.posted')}{' '}
          {last.movements.map((m) => (
            <span key={m.id}>
              {t(`movementType.${m.type}` as MessageKey)} {m.itemCode} {num(m.quantity)}{' '}
              {m.lotNumber ? `· ${m.lotNumber}` : ''} · {locationLabel(sites.data, m.locationId)};{' '}
            </span>
          ))}
        </div>
      )}
    </Card>
  );
}

function History({ refresh }: { refresh: number }) {
  const { t, num, dateTime, date } = useI18n();
  const sites = useSites();
  const [siteId, setSiteId] = useState('');
  const list = usePaged(
    (cursor) =>
      call(
        api.GET('/v1/movements', {
          params: { query: { limit: 50, ...(siteId ? { siteId } : {}), ...(cursor ? { cursor } : {}) } },
        }),
      ),
    [siteId, refresh],
  );
  return (
    <Card title={t('movements.history')}>
      <div class="filters">
        <SiteFilter value={siteId} onValue={setSiteId} />
      </div>
      <ErrorBox error={list.error} />
      {list.loading && list.items.length === 0 && <Loading />}
      {!list.loading && list.items.length === 0 && <Empty>{t('movements.empty')}</Empty>}
      {list.items.length > 0 && (
        <div class="table-wrap">
          <table data-testid="movement-history">
            <thead>
              <tr>
                <th>{t('movements.when')}</th>
                <th>{t('movement.type')}</th>
                <th>{t('item.code')}</th>
                <th>{t('field.location')}</th>
                <th>{t('field.lot')}</th>
                <th>{t('field.expiry')}</th>
                <th class="num">{t('movement.quantity')}</th>
                <th>{t('movement.reference')}</th>
                <th>{t('movements.details')}</th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((m) => (
                <tr key={m.id}>
                  <td>{dateTime(m.occurredAt)}</td>
                  <td>{t(`movementType.${m.type}` as MessageKey)}</td>
                  <td>{m.itemCode}</td>
                  <td>{locationLabel(sites.data, m.locationId)}</td>
                  <td>{m.lotNumber ?? ''}</td>
                  <td>{date(m.expiryDate)}</td>
                  <td class={`num ${m.quantity < 0 ? 'neg' : ''}`}>{num(m.quantity)}</td>
                  <td>{m.reference ?? ''}</td>
                  <td>
                    {[
                      m.writeOffReason && t(`receiving.writeOffReason.${m.writeOffReason}` as MessageKey),
                      m.reason,
                      m.invoiceNumber && `${t('receiving.invoiceNumber')} ${m.invoiceNumber}`,
                      m.deliveryNoteNumber && `${t('receiving.deliveryNoteNumber')} ${m.deliveryNoteNumber}`,
                    ]
                      .filter(Boolean)
                      .join(' · ')}
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
