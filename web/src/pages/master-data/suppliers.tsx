import { useState } from 'preact/hooks';
import { api, call, idempotencyKey, type Json } from '../../api/client';
import { can } from '../../api/session';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { MoreButton } from '../../components/more';
import { Card, Empty, ErrorBox, Loading, TextField } from '../../components/ui';
import { useI18n } from '../../i18n/i18n';
import { usePaged } from '../../lib/paged';
import { useAction } from '../../lib/use-api';

type Supplier = Json<'/v1/suppliers', 'get'>['items'][number];

const blank = { code: '', name: '', contactEmail: '', phone: '', nominalLeadTimeDays: '7' };

/** 基础数据 · 供应商: created, edited, deactivated (a deactivated one takes no new orders). */
export function SuppliersMasterData() {
  const { t, num, date } = useI18n();
  const writer = can('purchasing') || can('admin');
  const list = usePaged(
    (cursor) =>
      call(api.GET('/v1/suppliers', { params: { query: { limit: 100, ...(cursor ? { cursor } : {}) } } })),
    [],
  );
  const [editing, setEditing] = useState<Supplier | null>(null);
  const [form, setForm] = useState(blank);
  const [deactivating, setDeactivating] = useState<Supplier | null>(null);
  const save = useAction(async () => {
    const body = {
      name: form.name,
      contactEmail: form.contactEmail.trim() || null,
      phone: form.phone.trim() || null,
      nominalLeadTimeDays: Number(form.nominalLeadTimeDays),
    };
    if (editing) {
      await call(api.PATCH('/v1/suppliers/{id}', { params: { path: { id: editing.id } }, body }));
    } else {
      await call(
        api.POST('/v1/suppliers', {
          body: { ...body, code: form.code },
          headers: { 'Idempotency-Key': idempotencyKey() },
        }),
      );
    }
    setEditing(null);
    setForm(blank);
    list.reload();
  });
  const reactivate = useAction(async (s: Supplier) => {
    await call(api.PATCH('/v1/suppliers/{id}', { params: { path: { id: s.id } }, body: { active: true } }));
    list.reload();
  });
  const fields = save.error?.fieldErrors() ?? {};
  const set = (k: keyof typeof form) => (v: string) => setForm((f) => ({ ...f, [k]: v }));
  return (
    <>
      <Card title={t('md.suppliers.title')}>
        <ErrorBox error={list.error ?? reactivate.error} />
        {list.loading && list.items.length === 0 && <Loading />}
        {!list.loading && list.items.length === 0 && <Empty>{t('suppliers.empty')}</Empty>}
        {list.items.length > 0 && (
          <div class="table-wrap">
            <table data-testid="md-suppliers-table">
              <thead>
                <tr>
                  <th>{t('suppliers.code')}</th>
                  <th>{t('suppliers.name')}</th>
                  <th>{t('field.email')}</th>
                  <th>{t('md.suppliers.phone')}</th>
                  <th class="num">{t('suppliers.leadTime')}</th>
                  <th>{t('md.item.status')}</th>
                  <th>{t('md.createdAt')}</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {list.items.map((s) => (
                  <tr key={s.id} class={s.active ? '' : 'muted'}>
                    <td>{s.code}</td>
                    <td>{s.name}</td>
                    <td>{s.contactEmail ?? ''}</td>
                    <td>{s.phone ?? ''}</td>
                    <td class="num">{num(s.nominalLeadTimeDays)}</td>
                    <td>{s.active ? t('md.active') : t('md.inactive')}</td>
                    <td>{date(s.createdAt)}</td>
                    <td class="actions">
                      {writer && (
                        <>
                          <button
                            type="button"
                            class="link-button"
                            onClick={() => {
                              setEditing(s);
                              setForm({
                                code: s.code,
                                name: s.name,
                                contactEmail: s.contactEmail ?? '',
                                phone: s.phone ?? '',
                                nominalLeadTimeDays: String(s.nominalLeadTimeDays),
                              });
                            }}
                          >
                            {t('md.edit')}
                          </button>{' '}
                          {s.active ? (
                            <button
                              type="button"
                              class="link-button danger"
                              onClick={() => setDeactivating(s)}
                            >
                              {t('md.deactivate')}
                            </button>
                          ) : (
                            <button type="button" class="link-button" onClick={() => void reactivate.run(s)}>
                              {t('md.reactivate')}
                            </button>
                          )}
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
      </Card>
      {writer && (
        <Card title={editing ? t('md.suppliers.editTitle', { code: editing.code }) : t('suppliers.add')}>
          <form
            data-testid="supplier-form"
            class="inline-form"
            onSubmit={(e) => {
              e.preventDefault();
              void save.run();
            }}
          >
            <TextField
              label={t('suppliers.code')}
              name="code"
              required
              disabled={editing !== null}
              value={form.code}
              onValue={set('code')}
              hint={t('md.codeHint')}
              error={fields.code}
            />
            <TextField
              label={t('suppliers.name')}
              name="name"
              required
              value={form.name}
              onValue={set('name')}
              error={fields.name}
            />
            <TextField
              label={t('field.email')}
              type="email"
              name="contactEmail"
              value={form.contactEmail}
              onValue={set('contactEmail')}
              error={fields.contactEmail}
            />
            <TextField
              label={t('md.suppliers.phone')}
              name="phone"
              value={form.phone}
              onValue={set('phone')}
              error={fields.phone}
            />
            <TextField
              label={t('suppliers.leadTime')}
              type="number"
              min={0}
              step="0.5"
              name="nominalLeadTimeDays"
              value={form.nominalLeadTimeDays}
              onValue={set('nominalLeadTimeDays')}
              error={fields.nominalLeadTimeDays}
            />
            <ErrorBox error={save.error} />
            <button type="submit" class="primary" disabled={save.busy}>
              {editing ? t('common.save') : t('common.add')}
            </button>
            {editing && (
              <button
                type="button"
                onClick={() => {
                  setEditing(null);
                  setForm(blank);
                }}
              >
                {t('md.close')}
              </button>
            )}
          </form>
        </Card>
      )}
      {deactivating && (
        <ConfirmDialog
          title={t('md.suppliers.deactivateTitle')}
          message={t('md.suppliers.deactivateConfirm', { name: deactivating.name })}
          confirmLabel={t('md.deactivate')}
          onConfirm={async () => {
            await call(
              api.PATCH('/v1/suppliers/{id}', {
                params: { path: { id: deactivating.id } },
                body: { active: false },
              }),
            );
            list.reload();
          }}
          onClose={() => setDeactivating(null)}
        />
      )}
    </>
  );
}
