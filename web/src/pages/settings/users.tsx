import { useState } from 'preact/hooks';
import { api, call, idempotencyKey, type Json } from '../../api/client';
import { currentMe } from '../../api/session';
import { Card, Checkbox, ErrorBox, Loading, SelectField, TextField } from '../../components/ui';
import { type MessageKey, useI18n } from '../../i18n/i18n';
import { siteName, useSites } from '../../lib/sites';
import { useAction, useApi } from '../../lib/use-api';

const ROLES = ['owner', 'admin', 'purchaser', 'storekeeper', 'nurse', 'viewer'] as const;
type Role = (typeof ROLES)[number];
type User = Json<'/v1/users', 'get'>['items'][number];

/** Site limits: none means every site; otherwise only the ticked ones. */
export function SiteLimit({
  value,
  onValue,
}: {
  value: string[] | null;
  onValue: (v: string[] | null) => void;
}) {
  const { t } = useI18n();
  const sites = useSites();
  return (
    <fieldset class="site-limit">
      <legend>{t('users.sites')}</legend>
      <Checkbox
        label={t('users.allSites')}
        name="allSites"
        checked={value === null}
        onValue={(all) => onValue(all ? null : [])}
      />
      {value !== null &&
        sites.data?.map((s) => (
          <Checkbox
            key={s.id}
            label={s.name}
            name={`site-${s.code}`}
            checked={value.includes(s.id)}
            onValue={(on) => onValue(on ? [...value, s.id] : value.filter((x) => x !== s.id))}
          />
        ))}
    </fieldset>
  );
}

export function UsersSettings() {
  const { t } = useI18n();
  const sites = useSites();
  const users = useApi(() => call(api.GET('/v1/users', { params: { query: { limit: 200 } } })), []);
  const [form, setForm] = useState({ email: '', name: '', password: '', role: 'storekeeper' as Role });
  const [siteIds, setSiteIds] = useState<string[] | null>(null);
  const invite = useAction(async () => {
    await call(
      api.POST('/v1/users', {
        body: {
          email: form.email,
          role: form.role,
          siteIds,
          ...(form.name ? { name: form.name } : {}),
          ...(form.password ? { password: form.password } : {}),
        },
        headers: { 'Idempotency-Key': idempotencyKey() },
      }),
    );
    setForm({ email: '', name: '', password: '', role: 'storekeeper' });
    setSiteIds(null);
    users.reload();
  });
  const remove = useAction(async (u: User) => {
    await call(api.DELETE('/v1/users/{id}', { params: { path: { id: u.id } } }));
    users.reload();
  });
  const fields = invite.error?.fieldErrors() ?? {};
  const me = currentMe();
  return (
    <>
      <Card title={t('settings.users')}>
        <ErrorBox error={users.error ?? remove.error} />
        {users.loading && !users.data && <Loading />}
        {users.data && (
          <div class="table-wrap">
            <table data-testid="users-table">
              <thead>
                <tr>
                  <th>{t('field.email')}</th>
                  <th>{t('users.name')}</th>
                  <th>{t('users.role')}</th>
                  <th>{t('users.sites')}</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {users.data.items.map((u) => (
                  <tr key={u.id}>
                    <td>{u.email}</td>
                    <td>{u.name}</td>
                    <td>{t(`role.${u.role}` as MessageKey)}</td>
                    <td>
                      {u.siteIds === null
                        ? t('users.allSites')
                        : u.siteIds.map((s) => siteName(sites.data, s)).join('、')}
                    </td>
                    <td>
                      {u.id !== me?.userId && u.role !== 'owner' && (
                        <button type="button" class="link-button danger" onClick={() => void remove.run(u)}>
                          {t('users.remove')}
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
      <Card title={t('users.invite')}>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void invite.run();
          }}
        >
          <div class="grid-2">
            <TextField
              label={t('field.email')}
              type="email"
              name="email"
              required
              value={form.email}
              onValue={(v) => setForm((f) => ({ ...f, email: v }))}
              error={fields.email}
            />
            <TextField
              label={t('users.name')}
              name="name"
              value={form.name}
              onValue={(v) => setForm((f) => ({ ...f, name: v }))}
              error={fields.name}
            />
            <TextField
              label={t('users.initialPassword')}
              type="password"
              name="password"
              autoComplete="new-password"
              value={form.password}
              onValue={(v) => setForm((f) => ({ ...f, password: v }))}
              error={fields.password}
              hint={t('users.passwordHint')}
            />
            <SelectField
              label={t('users.role')}
              name="role"
              value={form.role}
              onValue={(v) => setForm((f) => ({ ...f, role: v }))}
              options={ROLES.map((r) => ({ value: r, label: t(`role.${r}` as MessageKey) }))}
            />
          </div>
          <SiteLimit value={siteIds} onValue={setSiteIds} />
          <ErrorBox error={invite.error} />
          <button type="submit" class="primary" disabled={invite.busy}>
            {t('users.inviteSubmit')}
          </button>
        </form>
      </Card>
    </>
  );
}
