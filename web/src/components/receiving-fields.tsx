import { type ApiError, api, call } from '../api/client';
import { useI18n } from '../i18n/i18n';
import { useApi } from '../lib/use-api';
import { Checkbox, SelectField, TextField } from './ui';

/**
 * The parts a receipt shares wherever it is entered (the movement form, a purchase-order
 * receipt): the documents that came with the goods, inspection, and the explicit override of an
 * expired or short-dated lot — offered only once the server refused one, so it is never a habit.
 */
export interface ReceiptDocuments {
  invoiceNumber: string;
  deliveryNoteNumber: string;
  inspection: boolean;
}

export const NO_DOCUMENTS: ReceiptDocuments = {
  invoiceNumber: '',
  deliveryNoteNumber: '',
  inspection: false,
};

/** The request members of the documents (blank ones left out). */
export function documentsBody(d: ReceiptDocuments) {
  return {
    ...(d.invoiceNumber.trim() ? { invoiceNumber: d.invoiceNumber.trim() } : {}),
    ...(d.deliveryNoteNumber.trim() ? { deliveryNoteNumber: d.deliveryNoteNumber.trim() } : {}),
    ...(d.inspection ? { inspection: true } : {}),
  };
}

export function ReceiptDocumentFields(props: {
  value: ReceiptDocuments;
  onValue: (v: ReceiptDocuments) => void;
  fields: Record<string, string>;
}) {
  const { t } = useI18n();
  const v = props.value;
  return (
    <>
      <TextField
        label={t('receiving.invoiceNumber')}
        name="invoiceNumber"
        value={v.invoiceNumber}
        maxLength={60}
        onValue={(invoiceNumber) => props.onValue({ ...v, invoiceNumber })}
        error={props.fields.invoiceNumber}
      />
      <TextField
        label={t('receiving.deliveryNoteNumber')}
        name="deliveryNoteNumber"
        value={v.deliveryNoteNumber}
        maxLength={60}
        onValue={(deliveryNoteNumber) => props.onValue({ ...v, deliveryNoteNumber })}
        error={props.fields.deliveryNoteNumber}
      />
      <Checkbox
        label={t('receiving.inspection')}
        name="inspection"
        checked={v.inspection}
        onValue={(inspection) => props.onValue({ ...v, inspection })}
      />
    </>
  );
}

export interface LotOverride {
  acceptExpired: boolean;
  acceptShortDated: boolean;
  reason: string;
}

export const NO_OVERRIDE: LotOverride = { acceptExpired: false, acceptShortDated: false, reason: '' };

export function overrideBody(o: LotOverride) {
  return {
    ...(o.acceptExpired ? { acceptExpired: true } : {}),
    ...(o.acceptShortDated ? { acceptShortDated: true } : {}),
    ...(o.acceptExpired || o.acceptShortDated ? { reason: o.reason.trim() } : {}),
  };
}

/**
 * After a refusal of an expired (lot_expired_on_receipt) or short-dated (lot_short_dated) lot:
 * the box to accept it anyway and the reason, which the server records with the receipt.
 */
export function LotOverrideFields(props: {
  error: ApiError | undefined;
  value: LotOverride;
  onValue: (v: LotOverride) => void;
  fields: Record<string, string>;
}) {
  const { t } = useI18n();
  const code = props.error?.problem.code;
  const v = props.value;
  const expired = code === 'lot_expired_on_receipt' || v.acceptExpired;
  const short = code === 'lot_short_dated' || v.acceptShortDated;
  if (!expired && !short) return null;
  return (
    <>
      {expired && (
        <Checkbox
          label={t('movement.acceptExpired')}
          name="acceptExpired"
          checked={v.acceptExpired}
          onValue={(acceptExpired) => props.onValue({ ...v, acceptExpired })}
        />
      )}
      {short && (
        <Checkbox
          label={t('receiving.acceptShortDated')}
          name="acceptShortDated"
          checked={v.acceptShortDated}
          onValue={(acceptShortDated) => props.onValue({ ...v, acceptShortDated })}
        />
      )}
      {(v.acceptExpired || v.acceptShortDated) && (
        <TextField
          label={v.acceptExpired ? t('movement.acceptExpiredReason') : t('receiving.acceptShortDatedReason')}
          name="expiredReason"
          value={v.reason}
          onValue={(reason) => props.onValue({ ...v, reason })}
          error={props.fields.reason}
        />
      )}
    </>
  );
}

/** Active suppliers for a select (returns, consignment receipts, statements). */
export function useSupplierOptions() {
  return useApi(
    () =>
      call(api.GET('/v1/suppliers', { params: { query: { limit: 200, active: true } } })).then((r) =>
        r.items.map((s) => ({ value: s.id, label: `${s.code} ${s.name}` })),
      ),
    [],
  );
}

export function SupplierField(props: {
  label: string;
  value: string;
  onValue: (v: string) => void;
  error?: string | undefined;
  required?: boolean;
}) {
  const { t } = useI18n();
  const suppliers = useSupplierOptions();
  return (
    <SelectField
      label={props.label}
      name="supplierId"
      value={props.value}
      onValue={props.onValue}
      required={props.required}
      options={[{ value: '', label: t('common.choose') }, ...(suppliers.data ?? [])]}
      error={props.error}
    />
  );
}
