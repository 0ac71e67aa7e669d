import { useState } from 'preact/hooks';
import { api, call, type Json } from '../../api/client';
import { ROLES, type Role } from '../../api/enums';
import { currentMe } from '../../api/session';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { Card, Checkbox, Loading, SelectField, TextField } from '../../components/ui';
import { type MessageKey, useI18n } from '../../i18n/i18n';
import { ProblemBox } from '../../lib/problem-text';
import { siteName, useSites } from '../../lib/sites';
import { useAction, useApi } from '../../lib/use-api';

type User = Json<'/v1/users', 'get'>['items'][number];
type Invitation = Json<'/v1/invitations', 'get'>['items'][number];

/**
 * What a new grant starts from: a site-limited person can only grant their own sites, so their
 * forms start there instead of at "every site" (which the API would refuse).
 */
export function ownSiteLimit(): string[] | null {
  const own = currentMe()?.siteIds;
  return own ? [...own] : null;
}

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
  const limited = (currentMe()?.siteIds ?? null) !== null;
  return (
    <fieldset class="site-limit">
      <legend>{t('users.sites')}</legend>
      {limited ? (
        <small class="hint">{t('users.ownSitesOnly')}</small>
      ) : (
        <Checkbox
          label={t('users.allSites')}
          name="allSites"
          checked={value === null}
          onValue={(all) => onValue(all ? null : [])}
        />
      )}
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

function SitesCell({ siteIds }: { siteIds: string[] | null }) {
  const { t } = useI18n();
  const sites = useSites();
  return (
    <>{siteIds === null ? t('users.allSites') : siteIds.map((s) => siteName(sites.data, s)).join('、')}</>
  );
}

/** Members and pending invitations. People join only by accepting an e-mailed invitation. */
export function UsersSettings() {
  const { t, dateTime } = useI18n();
  const users = useApi(() => call(api.GET('/v1/users', { params: { query: { limit: 200 } } })), []);
  const invitations = useApi(
    () => call(api.GET('/v1/invitations', { params: { query: { limit: 200 } } })),
    [],
  );
  const [form, setForm] = useState({ email: '', role: 'storekeeper' as Role });
  const [siteIds, setSiteIds] = useState<string[] | null>(ownSiteLimit);
  const [notice, setNotice] = useState('');
  const invite = useAction(async () => {
    setNotice('');
    const sent = await call(
      api.POST('/v1/invitations', { body: { email: form.email, role: form.role, siteIds } }),
    );
    setNotice(t('users.invited', { email: sent.email }));
    setForm({ email: '', role: 'storekeeper' });
    setSiteIds(ownSiteLimit());
    invitations.reload();
  });
  const [removing, setRemoving] = useState<User | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const removals = useApi(
    () => call(api.GET('/v1/users/removals', { params: { query: { limit: 50 } } })),
    [],
  );
  const resend = useAction(async (i: Invitation) => {
    setNotice('');
    await call(api.POST('/v1/invitations/{id}/resend', { params: { path: { id: i.id } } }));
    setNotice(t('invitations.resent', { email: i.email }));
    invitations.reload();
  });
  const revoke = useAction(async (i: Invitation) => {
    setNotice('');
    await call(api.DELETE('/v1/invitations/{id}', { params: { path: { id: i.id } } }));
    invitations.reload();
  });
  const fields = invite.error?.fieldErrors() ?? {};
  const me = currentMe();
  const roleName = (r: string) => t(`role.${r}` as MessageKey);
  return (
    <>
      <Card title={t('users.members')}>
        <ProblemBox error={users.error} />
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
                {users.data.items.map((u) =>
                  editing === u.id ? (
                    <MemberEditor
                      key={u.id}
                      user={u}
                      onDone={() => {
                        setEditing(null);
                        users.reload();
                      }}
                    />
                  ) : (
                    <tr key={u.id}>
                      <td>{u.email}</td>
                      <td>{u.name}</td>
                      <td>{roleName(u.role)}</td>
                      <td>
                        <SitesCell siteIds={u.siteIds} />
                      </td>
                      <td class="actions">
                        {u.id !== me?.userId && (
                          <button type="button" class="link-button" onClick={() => setEditing(u.id)}>
                            {t('users.edit')}
                          </button>
                        )}{' '}
                        {u.id !== me?.userId && u.role !== 'owner' && (
                          <button type="button" class="link-button danger" onClick={() => setRemoving(u)}>
                            {t('users.remove')}
                          </button>
                        )}
                      </td>
                    </tr>
                  ),
                )}
              </tbody>
            </table>
          </div>
        )}
      </Card>
      {removing && (
        <ConfirmDialog
          title={t('users.removeTitle')}
          message={t('users.removeConfirm', { email: removing.email })}
          reasonLabel={t('users.removeReason')}
          confirmLabel={t('users.remove')}
          onConfirm={async (reason) => {
            await call(
              api.DELETE('/v1/users/{id}', { params: { path: { id: removing.id } }, body: { reason } }),
            );
            users.reload();
            removals.reload();
          }}
          onClose={() => setRemoving(null)}
        />
      )}
      {removals.data && removals.data.items.length > 0 && (
        <Card title={t('users.removals')}>
          <div class="table-wrap">
            <table data-testid="removals-table">
              <thead>
                <tr>
                  <th>{t('field.email')}</th>
                  <th>{t('users.role')}</th>
                  <th>{t('users.removeReason')}</th>
                  <th>{t('users.removedBy')}</th>
                  <th>{t('users.removedAt')}</th>
                </tr>
              </thead>
              <tbody>
                {removals.data.items.map((r) => (
                  <tr key={r.id}>
                    <td>
                      {r.email} {r.name && <small class="muted">{r.name}</small>}
                    </td>
                    <td>{roleName(r.role)}</td>
                    <td>{r.reason}</td>
                    <td>{r.removedByName ?? ''}</td>
                    <td>{dateTime(r.removedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </Card>
      )}
      <Card title={t('invitations.title')}>
        <ProblemBox error={invitations.error ?? resend.error ?? revoke.error} />
        {notice && (
          <p class="success" role="status" data-testid="invitation-notice">
            {notice}
          </p>
        )}
        {invitations.data && invitations.data.items.length === 0 && (
          <p class="muted">{t('invitations.none')}</p>
        )}
        {invitations.data && invitations.data.items.length > 0 && (
          <div class="table-wrap">
            <table data-testid="invitations-table">
              <thead>
                <tr>
                  <th>{t('field.email')}</th>
                  <th>{t('users.role')}</th>
                  <th>{t('users.sites')}</th>
                  <th>{t('invitations.status')}</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {invitations.data.items.map((i) => (
                  <tr key={i.id}>
                    <td>{i.email}</td>
                    <td>{roleName(i.role)}</td>
                    <td>
                      <SitesCell siteIds={i.siteIds} />
                    </td>
                    <td>
                      {i.status === 'expired'
                        ? t('invitations.expired')
                        : t('invitations.validUntil', { date: dateTime(i.expiresAt) })}
                    </td>
                    <td class="actions">
                      <button type="button" class="link-button" onClick={() => void resend.run(i)}>
                        {t('invitations.resend')}
                      </button>{' '}
                      <button type="button" class="link-button danger" onClick={() => void revoke.run(i)}>
                        {t('invitations.revoke')}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
      <Card title={t('users.invite')}>
        <p class="muted">{t('users.inviteHint')}</p>
        <form
          data-testid="invite-form"
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
            <SelectField
              label={t('users.role')}
              name="role"
              value={form.role}
              onValue={(v) => setForm((f) => ({ ...f, role: v }))}
              options={ROLES.filter((r) => r !== 'owner' || me?.role === 'owner').map((r) => ({
                value: r,
                label: roleName(r),
              }))}
            />
          </div>
          <SiteLimit value={siteIds} onValue={setSiteIds} />
          <ProblemBox error={invite.error} />
          <button type="submit" class="primary" disabled={invite.busy}>
            {t('users.inviteSubmit')}
          </button>
        </form>
      </Card>
    </>
  );
}

/** One member's role and site limits, changed in place (the API applies the grant rules). */
function MemberEditor({ user, onDone }: { user: User; onDone: () => void }) {
  const { t } = useI18n();
  const me = currentMe();
  const [role, setRole] = useState<Role>(user.role);
  const [siteIds, setSiteIds] = useState<string[] | null>(user.siteIds);
  const save = useAction(async () => {
    await call(api.PATCH('/v1/users/{id}', { params: { path: { id: user.id } }, body: { role, siteIds } }));
    onDone();
  });
  return (
    <tr class="editing">
      <td colSpan={5}>
        <form
          data-testid="member-form"
          onSubmit={(e) => {
            e.preventDefault();
            void save.run();
          }}
        >
          <p>
            <strong>{user.email}</strong> {user.name}
          </p>
          <SelectField
            label={t('users.role')}
            name="memberRole"
            value={role}
            onValue={setRole}
            options={ROLES.filter((r) => r !== 'owner' || me?.role === 'owner').map((r) => ({
              value: r,
              label: t(`role.${r}` as MessageKey),
            }))}
          />
          <SiteLimit value={siteIds} onValue={setSiteIds} />
          <ProblemBox error={save.error} />
          <div class="actions-row">
            <button type="submit" class="primary" disabled={save.busy}>
              {t('common.save')}
            </button>
            <button type="button" onClick={onDone}>
              {t('confirm.cancel')}
            </button>
          </div>
        </form>
      </td>
    </tr>
  );
}
