import { useState } from 'preact/hooks';
import { api, call, idempotencyKey, type Json } from '../api/client';
import { PROCEDURE_STATUSES } from '../api/enums';
import { can } from '../api/session';
import { ConfirmDialog } from '../components/confirm-dialog';
import { KitEditor, type KitLine, kitBody, kitLineOf } from '../components/kit-editor';
import { MoreButton } from '../components/more';
import { LocationSelect, SiteFilter } from '../components/site-filter';
import { Card, Empty, ErrorBox, Loading, PageHeader, SelectField, TextField } from '../components/ui';
import { type MessageKey, useI18n } from '../i18n/i18n';
import { usePaged } from '../lib/paged';
import { locationLabel, useSites } from '../lib/sites';
import { itemUnitWord } from '../lib/units';
import { useAction, useApi } from '../lib/use-api';

type ProcedureType = Json<'/v1/procedure-types', 'get'>['items'][number];
type Scheduled = Json<'/v1/scheduled-procedures', 'get'>['items'][number];
const STATUSES = PROCEDURE_STATUSES;

/** Scheduled procedures (手术排程) and their kits (手术包): planned demand the forecast sees. */
export default function ProceduresPage() {
  const { t } = useI18n();
  const types = useApi(() => call(api.GET('/v1/procedure-types', { params: { query: { limit: 200 } } })), []);
  const [scheduled, setScheduled] = useState(0);
  return (
    <div class="page" data-page="procedures">
      <PageHeader title={t('proc.title')} />
      <p class="muted">{t('proc.intro')}</p>
      <ErrorBox error={types.error} />
      {can('stock:write') && types.data && (
        <ScheduleForm types={types.data.items} onDone={() => setScheduled((n) => n + 1)} />
      )}
      <Schedule types={types.data?.items ?? []} refresh={scheduled} />
      <Kits types={types.data?.items} onChanged={types.reload} />
    </div>
  );
}

function ScheduleForm({ types, onDone }: { types: ProcedureType[]; onDone: () => void }) {
  const { t, name } = useI18n();
  const [form, setForm] = useState({ procedureTypeId: '', locationId: '', scheduledFor: '' });
  const save = useAction(async () => {
    await call(
      api.POST('/v1/scheduled-procedures', { body: form, headers: { 'Idempotency-Key': idempotencyKey() } }),
    );
    setForm((f) => ({ ...f, scheduledFor: '' }));
    onDone();
  });
  const fields = save.error?.fieldErrors() ?? {};
  if (types.length === 0) return null;
  return (
    <Card title={t('proc.schedule')}>
      <form
        class="inline-form"
        data-testid="schedule-form"
        onSubmit={(e) => {
          e.preventDefault();
          void save.run();
        }}
      >
        <SelectField
          label={t('proc.type')}
          name="procedureTypeId"
          required
          value={form.procedureTypeId}
          onValue={(v) => setForm((f) => ({ ...f, procedureTypeId: v }))}
          options={[
            { value: '', label: t('common.choose') },
            ...types.map((p) => ({ value: p.id, label: `${p.code} ${name(p)}` })),
          ]}
        />
        <LocationSelect
          label={t('field.location')}
          name="locationId"
          allowEmpty={t('common.choose')}
          value={form.locationId}
          onValue={(v) => setForm((f) => ({ ...f, locationId: v }))}
          error={fields.locationId}
        />
        <TextField
          label={t('proc.date')}
          name="scheduledFor"
          type="date"
          required
          value={form.scheduledFor}
          onValue={(v) => setForm((f) => ({ ...f, scheduledFor: v }))}
          error={fields.scheduledFor}
        />
        <button
          type="submit"
          class="primary"
          disabled={save.busy || !form.procedureTypeId || !form.locationId}
        >
          {t('proc.scheduleSubmit')}
        </button>
      </form>
      <ErrorBox error={save.error} />
    </Card>
  );
}

function Schedule({ types, refresh }: { types: ProcedureType[]; refresh: number }) {
  const { t, date, dateTime, name } = useI18n();
  const sites = useSites();
  const [siteId, setSiteId] = useState('');
  const [status, setStatus] = useState<(typeof STATUSES)[number]>('scheduled');
  const [confirm, setConfirm] = useState<{ p: Scheduled; action: 'complete' | 'cancel' } | null>(null);
  const list = usePaged(
    (cursor) =>
      call(
        api.GET('/v1/scheduled-procedures', {
          params: {
            query: { limit: 50, status, ...(siteId ? { siteId } : {}), ...(cursor ? { cursor } : {}) },
          },
        }),
      ),
    [siteId, status, refresh],
  );
  const typeName = (id: string) => {
    const p = types.find((x) => x.id === id);
    return p ? `${p.code} ${name(p)}` : '';
  };
  return (
    <Card title={t('proc.list')}>
      <div class="filters">
        <SiteFilter value={siteId} onValue={setSiteId} />
        <SelectField
          label={t('proc.status')}
          name="status"
          value={status}
          onValue={setStatus}
          options={STATUSES.map((s) => ({ value: s, label: t(`proc.status.${s}` as MessageKey) }))}
        />
      </div>
      <ErrorBox error={list.error} />
      {list.loading && list.items.length === 0 && <Loading />}
      {!list.loading && list.items.length === 0 && <Empty>{t('proc.none')}</Empty>}
      {list.items.length > 0 && (
        <div class="table-wrap">
          <table data-testid="procedures-table">
            <thead>
              <tr>
                <th>{t('proc.date')}</th>
                <th>{t('proc.type')}</th>
                <th>{t('field.location')}</th>
                <th>{t('proc.externalRef')}</th>
                <th>{t('proc.status')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {list.items.map((p) => (
                <tr key={p.id}>
                  <td>{date(p.scheduledFor)}</td>
                  <td>{typeName(p.procedureTypeId) || p.procedureTypeCode}</td>
                  <td>{locationLabel(sites.data, p.locationId)}</td>
                  <td>{p.externalRef ?? ''}</td>
                  <td>
                    {t(`proc.status.${p.status}` as MessageKey)}
                    {p.doneAt && <small class="muted"> {dateTime(p.doneAt)}</small>}
                  </td>
                  <td class="actions">
                    {p.status === 'scheduled' && can('stock:write') && (
                      <>
                        <button
                          type="button"
                          class="link-button"
                          onClick={() => setConfirm({ p, action: 'complete' })}
                        >
                          {t('proc.complete')}
                        </button>{' '}
                        <button
                          type="button"
                          class="link-button danger"
                          onClick={() => setConfirm({ p, action: 'cancel' })}
                        >
                          {t('proc.cancel')}
                        </button>
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <MoreButton hasMore={list.hasMore} more={list.more} />
      {confirm && (
        <ConfirmDialog
          title={confirm.action === 'complete' ? t('proc.completeTitle') : t('proc.cancelTitle')}
          message={
            confirm.action === 'complete'
              ? t('proc.completeConfirm', {
                  type: typeName(confirm.p.procedureTypeId),
                  date: date(confirm.p.scheduledFor),
                })
              : t('proc.cancelConfirm', {
                  type: typeName(confirm.p.procedureTypeId),
                  date: date(confirm.p.scheduledFor),
                })
          }
          confirmLabel={confirm.action === 'complete' ? t('proc.complete') : t('proc.cancel')}
          onConfirm={async () => {
            const path = { params: { path: { id: confirm.p.id } } };
            if (confirm.action === 'complete')
              await call(api.POST('/v1/scheduled-procedures/{id}/complete', { ...path, body: {} }));
            else await call(api.POST('/v1/scheduled-procedures/{id}/cancel', path));
            list.reload();
          }}
          onClose={() => setConfirm(null)}
        />
      )}
    </Card>
  );
}

function Kits({ types, onChanged }: { types: ProcedureType[] | undefined; onChanged: () => void }) {
  const { t } = useI18n();
  const [form, setForm] = useState({ code: '', nameZh: '', nameEn: '' });
  const [kit, setKit] = useState<KitLine[]>([]);
  const create = useAction(async () => {
    await call(
      api.POST('/v1/procedure-types', {
        body: { ...form, kit: kitBody(kit) },
        headers: { 'Idempotency-Key': idempotencyKey() },
      }),
    );
    setForm({ code: '', nameZh: '', nameEn: '' });
    setKit([]);
    onChanged();
  });
  const fields = create.error?.fieldErrors() ?? {};
  return (
    <Card title={t('proc.kits')}>
      {!types && <Loading />}
      {types && types.length === 0 && <Empty>{t('proc.noKits')}</Empty>}
      {types?.map((p) => (
        <KitOf key={p.id} type={p} onChanged={onChanged} />
      ))}
      {can('stock:write') && (
        <form
          class="inline-form"
          aria-label={t('proc.newKit')}
          onSubmit={(e) => {
            e.preventDefault();
            void create.run();
          }}
        >
          <h3>{t('proc.newKit')}</h3>
          <TextField
            label={t('proc.code')}
            name="code"
            required
            value={form.code}
            onValue={(v) => setForm((f) => ({ ...f, code: v }))}
            error={fields.code}
          />
          <TextField
            label={t('md.item.nameZh')}
            name="nameZh"
            required
            value={form.nameZh}
            onValue={(v) => setForm((f) => ({ ...f, nameZh: v }))}
          />
          <TextField
            label={t('md.item.nameEn')}
            name="nameEn"
            required
            value={form.nameEn}
            onValue={(v) => setForm((f) => ({ ...f, nameEn: v }))}
          />
          <KitEditor lines={kit} onLines={setKit} error={create.error} field="kit" />
          <button type="submit" class="primary" disabled={create.busy}>
            {t('proc.createKit')}
          </button>
        </form>
      )}
      <ErrorBox error={create.error} />
    </Card>
  );
}

/**
 * One procedure type's kit; with stock:write (the scope PUT /v1/procedure-types/{id}/kit asks
 * for) it can be edited and saved whole, asking first when the new kit drops lines.
 */
function KitOf({ type: p, onChanged }: { type: ProcedureType; onChanged: () => void }) {
  const { t, name, num, locale } = useI18n();
  const [editing, setEditing] = useState<KitLine[] | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [saved, setSaved] = useState(false);
  const typeLabel = `${p.code} ${name(p)}`;
  const save = useAction(async () => {
    if (!editing) return;
    await call(
      api.PUT('/v1/procedure-types/{id}/kit', {
        params: { path: { id: p.id } },
        body: { items: kitBody(editing) },
      }),
    );
    setEditing(null);
    setSaved(true);
    onChanged();
  });
  const removed = editing ? p.kit.filter((k) => !editing.some((l) => l.itemId === k.itemId)) : [];
  return (
    <details class="kit" data-testid="kit" data-code={p.code}>
      <summary>
        {typeLabel} · {t('proc.kitLines', { n: p.kit.length })}
      </summary>
      {saved && !editing && (
        <p class="success" role="status" data-testid="kit-saved">
          {t('proc.kitSaved', { type: typeLabel })}
        </p>
      )}
      {!editing ? (
        <>
          <ul>
            {p.kit.map((k) => (
              <li key={k.itemId}>
                {k.itemCode} {name(k)} × {num(k.quantity)}{' '}
                {itemUnitWord({ code: k.baseUnit, ...k.baseUnitName }, locale)}
              </li>
            ))}
          </ul>
          {can('stock:write') && (
            <button
              type="button"
              data-testid="kit-edit"
              onClick={() => {
                setSaved(false);
                save.setError(undefined);
                setEditing(p.kit.map(kitLineOf));
              }}
            >
              {t('proc.kitEdit')}
            </button>
          )}
        </>
      ) : (
        <form
          aria-label={t('proc.kitEditTitle', { type: typeLabel })}
          data-testid="kit-edit-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (removed.length > 0) setConfirming(true);
            else void save.run();
          }}
        >
          <KitEditor lines={editing} onLines={setEditing} error={save.error} field="items" />
          <ErrorBox error={save.error} />
          <div class="actions-row">
            <button type="submit" class="primary" disabled={save.busy}>
              {t('proc.kitSave')}
            </button>
            <button type="button" onClick={() => setEditing(null)}>
              {t('proc.kitDiscard')}
            </button>
          </div>
        </form>
      )}
      {confirming && editing && (
        <ConfirmDialog
          title={t('proc.kitRemoveTitle')}
          message={t('proc.kitRemoveConfirm', {
            type: typeLabel,
            items: removed.map((k) => `${k.itemCode} ${name(k)}`).join(locale === 'zh-CN' ? '、' : ', '),
          })}
          confirmLabel={t('proc.kitRemoveSubmit')}
          // A refusal shows beside the lines it names, in the form: the dialog closes either way.
          onConfirm={() => save.run()}
          onClose={() => setConfirming(false)}
        />
      )}
    </details>
  );
}
