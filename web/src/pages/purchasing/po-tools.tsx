import { useState } from 'preact/hooks';
import { Link } from 'wouter-preact';
import { api, call, idempotencyKey, type Json } from '../../api/client';
import { can } from '../../api/session';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { type Item, ItemPicker } from '../../components/item-picker';
import { Card, ErrorBox, SelectField, TextField } from '../../components/ui';
import { type MessageKey, useI18n } from '../../i18n/i18n';
import { useAction } from '../../lib/use-api';

export type PO = Json<'/v1/purchase-orders/{id}', 'get'>;
const key = () => ({ 'Idempotency-Key': idempotencyKey() });

/** Who created, approved, sent and cancelled the order, and when: four eyes made visible. */
export function PoPeople({ po }: { po: PO }) {
  const { t, dateTime } = useI18n();
  const who = (name: string | null) => name ?? t('poDay.someone');
  return (
    <dl class="po-people" data-testid="po-people">
      <dt>{t('poDay.createdBy')}</dt>
      <dd>
        {who(po.createdByName)} · {dateTime(po.createdAt)}
      </dd>
      <dt>{t('poDay.approvedBy')}</dt>
      <dd data-testid="po-approver">
        {po.approvedAt
          ? `${who(po.approvedByName)} · ${dateTime(po.approvedAt)}`
          : t('poDay.awaitingApproval')}
      </dd>
      {po.sentAt && (
        <>
          <dt>{t('poDay.sentBy')}</dt>
          <dd>
            {who(po.sentByName)} · {dateTime(po.sentAt)}
          </dd>
        </>
      )}
      {po.cancelledAt && (
        <>
          <dt>{t('poDay.cancelledBy')}</dt>
          <dd>
            {who(po.cancelledByName)} · {dateTime(po.cancelledAt)} — {po.cancelReason ?? ''}
          </dd>
        </>
      )}
      {po.notes && (
        <>
          <dt>{t('poDay.notes')}</dt>
          <dd>{po.notes}</dd>
        </>
      )}
    </dl>
  );
}

/** Every step of the order, oldest first, with who did it and when. */
export function PoHistory({ po }: { po: PO }) {
  const { t, dateTime, num } = useI18n();
  const detail = (h: PO['history'][number]) => {
    const d = h.detail as Record<string, unknown>;
    if (h.action === 'created' && d.source === 'suggestion') return t('poDay.history.fromSuggestions');
    if (h.action === 'emailed') return t('poDay.history.to', { to: String(d.recipient ?? '') });
    if (h.action === 'cancelled') return String(d.reason ?? '');
    if (h.action === 'received') return t('poDay.history.quantity', { n: num(Number(d.quantity ?? 0)) });
    if (h.action === 'edited' && Array.isArray(d.fields))
      return (d.fields as string[]).map((f) => t(`poDay.field.${f}` as MessageKey)).join('、');
    return '';
  };
  return (
    <section class="po-history">
      <h3>{t('poDay.history')}</h3>
      <ol data-testid="po-history">
        {po.history.map((h, i) => (
          <li key={i}>
            <time dateTime={h.at}>{dateTime(h.at)}</time>{' '}
            <strong>{t(`poDay.action.${h.action}` as MessageKey)}</strong> ·{' '}
            {h.actorName ?? t('poDay.someone')} <span class="muted">{detail(h)}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}

type DraftLine = {
  item: Item | null;
  itemId: string;
  label: string;
  quantity: string;
  unitPrice: string;
  expectedAt: string;
};

/**
 * Edits a draft: quantities and prices per base unit, each line's delivery day, lines added and
 * removed, the order's delivery day and notes. Saving replaces the lines (PATCH), and makes the
 * editor one who may no longer approve the order.
 */
export function DraftEditor({ po, onDone }: { po: PO; onDone: (saved: boolean) => void }) {
  const { t, name } = useI18n();
  const [expectedAt, setExpectedAt] = useState(po.expectedAt ?? '');
  const [notes, setNotes] = useState(po.notes ?? '');
  const [lines, setLines] = useState<DraftLine[]>(
    po.lines.map((l) => ({
      item: null,
      itemId: l.itemId,
      label: `${l.itemCode} ${name(l)}`,
      quantity: String(l.quantityOrdered),
      unitPrice: String(l.unitPrice),
      expectedAt: l.expectedAt ?? '',
    })),
  );
  const set = (i: number, patch: Partial<DraftLine>) =>
    setLines((ls) => ls.map((x, j) => (j === i ? { ...x, ...patch } : x)));
  const save = useAction(async () => {
    await call(
      api.PATCH('/v1/purchase-orders/{id}', {
        params: { path: { id: po.id } },
        body: {
          expectedAt: expectedAt || null,
          notes: notes.trim() || null,
          lines: lines
            .filter((l) => (l.item?.id ?? l.itemId) && Number(l.quantity) > 0)
            .map((l) => ({
              itemId: l.item?.id ?? l.itemId,
              quantity: Number(l.quantity),
              ...(l.unitPrice.trim() ? { unitPrice: Number(l.unitPrice) } : {}),
              expectedAt: l.expectedAt || null,
            })),
        },
        headers: key(),
      }),
    );
    onDone(true);
  });
  return (
    <form
      class="po-editor"
      data-testid="po-editor"
      onSubmit={(e) => {
        e.preventDefault();
        void save.run();
      }}
    >
      <p class="hint">{t('poDay.edit.fourEyes')}</p>
      <div class="grid-2">
        <TextField
          label={t('poDay.expectedAt')}
          type="date"
          name="expectedAt"
          value={expectedAt}
          onValue={setExpectedAt}
        />
        <TextField label={t('poDay.notes')} name="notes" maxLength={2000} value={notes} onValue={setNotes} />
      </div>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th>{t('item.name')}</th>
              <th class="num">{t('poDay.edit.quantity')}</th>
              <th class="num">{t('poDay.edit.unitPrice')}</th>
              <th>{t('poDay.lineExpectedAt')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {lines.map((l, i) => (
              <tr key={i} data-line={l.label}>
                <td>
                  {l.itemId ? (
                    l.label
                  ) : (
                    <ItemPicker
                      label={t('po.lineItem', { n: i + 1 })}
                      value={l.item}
                      onValue={(item) => set(i, { item, label: item ? `${item.code} ${name(item)}` : '' })}
                    />
                  )}
                </td>
                <td class="num">
                  <input
                    type="number"
                    min={1}
                    step={1}
                    aria-label={`${t('poDay.edit.quantity')} ${l.label}`}
                    name={`qty-${i}`}
                    value={l.quantity}
                    onInput={(e) => set(i, { quantity: (e.currentTarget as HTMLInputElement).value })}
                  />
                </td>
                <td class="num">
                  <input
                    type="number"
                    min={0}
                    step="0.0001"
                    aria-label={`${t('poDay.edit.unitPrice')} ${l.label}`}
                    name={`price-${i}`}
                    value={l.unitPrice}
                    onInput={(e) => set(i, { unitPrice: (e.currentTarget as HTMLInputElement).value })}
                  />
                </td>
                <td>
                  <input
                    type="date"
                    aria-label={`${t('poDay.lineExpectedAt')} ${l.label}`}
                    value={l.expectedAt}
                    onInput={(e) => set(i, { expectedAt: (e.currentTarget as HTMLInputElement).value })}
                  />
                </td>
                <td>
                  <button
                    type="button"
                    class="link-button"
                    onClick={() => setLines((ls) => ls.filter((_, j) => j !== i))}
                    disabled={lines.length === 1}
                  >
                    {t('poDay.edit.removeLine')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <button
        type="button"
        onClick={() =>
          setLines((ls) => [
            ...ls,
            { item: null, itemId: '', label: '', quantity: '', unitPrice: '', expectedAt: '' },
          ])
        }
      >
        {t('po.addLine')}
      </button>
      <ErrorBox error={save.error} />
      <div class="actions-row">
        <button type="submit" class="primary" disabled={save.busy}>
          {t('poDay.edit.save')}
        </button>
        <button type="button" onClick={() => onDone(false)}>
          {t('poDay.back')}
        </button>
      </div>
    </form>
  );
}

/** Print view, PDF, e-mail to the supplier and cancellation (with a reason, after a confirmation). */
export function PoActions({ po, onChanged, onEdit }: { po: PO; onChanged: () => void; onEdit: () => void }) {
  const { t, locale } = useI18n();
  const [mailing, setMailing] = useState(false);
  const [cancelling, setCancelling] = useState(false);
  const [mailed, setMailed] = useState('');
  const pdf = useAction(async () => {
    const r = await api.GET('/v1/purchase-orders/{id}/pdf', {
      params: { path: { id: po.id }, query: { locale } },
      parseAs: 'blob',
    });
    if (!r.response.ok || !r.data) await call(Promise.resolve(r as never));
    const url = URL.createObjectURL(r.data as Blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = `${po.number}.pdf`;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  });
  const mayBuy = can('purchasing');
  const emailable = po.status === 'approved' || po.status === 'sent' || po.status === 'partially_received';
  const cancellable = po.status === 'draft' || po.status === 'approved' || po.status === 'sent';
  return (
    <>
      <div class="actions-row po-actions">
        {po.status === 'draft' && mayBuy && (
          <button type="button" onClick={onEdit}>
            {t('poDay.edit')}
          </button>
        )}
        <Link href={`/purchasing/orders/${po.id}/print`} class="button">
          {t('poDay.print')}
        </Link>
        <button type="button" disabled={pdf.busy} onClick={() => void pdf.run()}>
          {t('poDay.pdf')}
        </button>
        {emailable && mayBuy && (
          <button type="button" onClick={() => setMailing(true)}>
            {t('poDay.email')}
          </button>
        )}
        {cancellable && mayBuy && (
          <button type="button" class="danger" onClick={() => setCancelling(true)}>
            {t('po.cancel')}
          </button>
        )}
      </div>
      <ErrorBox error={pdf.error} />
      {mailed && (
        <p class="notice" role="status" data-testid="po-mailed">
          {t('poDay.email.sent', { to: mailed })}
        </p>
      )}
      {mailing && (
        <EmailDialog
          po={po}
          onClose={() => setMailing(false)}
          onSent={(to) => {
            setMailed(to);
            setMailing(false);
            onChanged();
          }}
        />
      )}
      {cancelling && (
        <ConfirmDialog
          title={t('poDay.cancel.title', { number: po.number })}
          message={t('poDay.cancel.message')}
          confirmLabel={t('poDay.cancel.confirm')}
          reasonLabel={t('poDay.cancel.reason')}
          onConfirm={async (reason) => {
            await call(
              api.POST('/v1/purchase-orders/{id}/cancel', {
                params: { path: { id: po.id } },
                body: { reason },
                headers: key(),
              }),
            );
            onChanged();
          }}
          onClose={() => setCancelling(false)}
        />
      )}
    </>
  );
}

function EmailDialog({ po, onClose, onSent }: { po: PO; onClose: () => void; onSent: (to: string) => void }) {
  const { t, locale } = useI18n();
  const [to, setTo] = useState('');
  const [lang, setLang] = useState<'zh-CN' | 'en'>(locale);
  const [message, setMessage] = useState('');
  const send = useAction(async () => {
    const r = await call(
      api.POST('/v1/purchase-orders/{id}/email', {
        params: { path: { id: po.id } },
        body: {
          ...(to.trim() ? { to: to.trim() } : {}),
          locale: lang,
          ...(message.trim() ? { message } : {}),
        },
        headers: key(),
      }),
    );
    onSent(r.recipient);
  });
  const fields = send.error?.fieldErrors() ?? {};
  return (
    <div class="dialog-backdrop">
      <div
        class="dialog card"
        role="dialog"
        aria-modal="true"
        aria-label={t('poDay.email.title')}
        data-testid="po-email"
      >
        <h2>{t('poDay.email.title')}</h2>
        <p>{t('poDay.email.explain', { supplier: po.supplierName })}</p>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void send.run();
          }}
        >
          <TextField
            label={t('poDay.email.to')}
            hint={
              po.supplierEmail
                ? t('poDay.email.toDefault', { email: po.supplierEmail })
                : t('poDay.email.noSupplierEmail')
            }
            type="email"
            name="to"
            value={to}
            onValue={setTo}
            error={fields.to}
          />
          <SelectField
            label={t('poDay.email.language')}
            name="locale"
            value={lang}
            onValue={setLang}
            options={[
              { value: 'zh-CN', label: '简体中文' },
              { value: 'en', label: 'English' },
            ]}
          />
          <TextField
            label={t('poDay.email.message')}
            name="message"
            maxLength={2000}
            value={message}
            onValue={setMessage}
          />
          {po.status === 'approved' && <p class="hint">{t('poDay.email.marksSent')}</p>}
          <ErrorBox error={send.error} />
          <div class="actions-row">
            <button type="submit" class="primary" disabled={send.busy}>
              {t('poDay.email.send')}
            </button>
            <button type="button" onClick={onClose}>
              {t('poDay.back')}
            </button>
          </div>
        </form>
      </div>
    </div>
  );
}

/** Shown instead of the suggestions to someone without the purchasing scope (a storekeeper). */
export function NotAllowedToBuy() {
  const { t } = useI18n();
  return (
    <Card>
      <p class="notice" role="status" data-testid="purchasing-not-allowed">
        {t('poDay.notAllowed')}
      </p>
    </Card>
  );
}
