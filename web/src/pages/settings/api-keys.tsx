import { useState } from 'preact/hooks';
import { api, call, idempotencyKey } from '../../api/client';
import { SCOPES, type Scope } from '../../api/enums';
import { currentMe } from '../../api/session';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { Card, Checkbox, ErrorBox, Loading, TextField } from '../../components/ui';
import { type MessageKey, useI18n } from '../../i18n/i18n';
import { siteName, useSites } from '../../lib/sites';
import { useAction, useApi } from '../../lib/use-api';
import { ownSiteLimit, SiteLimit } from './users';

type KeyScope = Scope;

export function ApiKeysSettings() {
  const { t, dateTime } = useI18n();
  const sites = useSites();
  const keys = useApi(() => call(api.GET('/v1/api-keys', { params: { query: { limit: 200 } } })), []);
  // Members by id, to say who created and who revoked each key.
  const members = useApi(() => call(api.GET('/v1/users', { params: { query: { limit: 200 } } })), []);
  const who = (id: string | null) =>
    id === null ? '—' : (members.data?.items.find((u) => u.id === id)?.email ?? t('apiKeys.someone'));
  const [revoking, setRevoking] = useState<{ id: string; name: string } | null>(null);
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<KeyScope[]>(['read']);
  const [siteIds, setSiteIds] = useState<string[] | null>(ownSiteLimit);
  const [created, setCreated] = useState<{ name: string; key: string } | null>(null);
  const [copied, setCopied] = useState(false);
  const mine = currentMe()?.scopes ?? [];
  const create = useAction(async () => {
    const r = await call(
      api.POST('/v1/api-keys', {
        body: { name, scopes, siteIds },
        headers: { 'Idempotency-Key': idempotencyKey() },
      }),
    );
    setCreated({ name: r.name, key: r.key });
    setCopied(false);
    setName('');
    keys.reload();
  });
  const fields = create.error?.fieldErrors() ?? {};
  return (
    <>
      {created && (
        <Card title={t('apiKeys.createdTitle')} class="key-once">
          <p role="status">{t('apiKeys.shownOnce')}</p>
          <p>
            <code data-testid="new-api-key" class="secret">
              {created.key}
            </code>
          </p>
          <button
            type="button"
            onClick={() => {
              void navigator.clipboard?.writeText(created.key).then(
                () => setCopied(true),
                () => {},
              );
            }}
          >
            {copied ? t('apiKeys.copied') : t('apiKeys.copy')}
          </button>{' '}
          <button type="button" class="primary" onClick={() => setCreated(null)}>
            {t('apiKeys.stored')}
          </button>
        </Card>
      )}
      <Card title={t('settings.apiKeys')}>
        <ErrorBox error={keys.error} />
        {keys.loading && !keys.data && <Loading />}
        {keys.data && (
          <div class="table-wrap">
            <table data-testid="api-keys-table">
              <thead>
                <tr>
                  <th>{t('apiKeys.name')}</th>
                  <th>{t('apiKeys.prefix')}</th>
                  <th>{t('apiKeys.scopes')}</th>
                  <th>{t('users.sites')}</th>
                  <th>{t('apiKeys.createdBy')}</th>
                  <th>{t('apiKeys.lastUsed')}</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {keys.data.items.map((k) => (
                  <tr key={k.id} class={k.revokedAt ? 'revoked' : ''}>
                    <td>{k.name}</td>
                    <td>
                      <code>msk_{k.prefix}_…</code>
                    </td>
                    <td>{k.scopes.map((s) => t(`scope.${s}` as MessageKey)).join('、')}</td>
                    <td>
                      {k.siteIds === null
                        ? t('users.allSites')
                        : k.siteIds.map((s) => siteName(sites.data, s)).join('、')}
                    </td>
                    <td>{who(k.createdBy)}</td>
                    <td>
                      {k.revokedAt
                        ? t('apiKeys.revokedBy', {
                            when: dateTime(k.revokedAt),
                            who: who(k.revokedBy),
                            reason: k.revokeReason ?? '—',
                          })
                        : dateTime(k.lastUsedAt)}
                    </td>
                    <td>
                      {!k.revokedAt && (
                        <button
                          type="button"
                          class="link-button danger"
                          onClick={() => setRevoking({ id: k.id, name: k.name })}
                        >
                          {t('apiKeys.revoke')}
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
      <Card title={t('apiKeys.create')}>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void create.run();
          }}
        >
          <TextField
            label={t('apiKeys.name')}
            name="keyName"
            required
            value={name}
            onValue={setName}
            error={fields.name}
          />
          <fieldset>
            <legend>{t('apiKeys.scopes')}</legend>
            {SCOPES.filter((s) => mine.includes(s)).map((s) => (
              <Checkbox
                key={s}
                label={t(`scope.${s}` as MessageKey)}
                name={`scope-${s}`}
                checked={scopes.includes(s)}
                onValue={(on) => setScopes((x) => (on ? [...x, s] : x.filter((y) => y !== s)))}
              />
            ))}
          </fieldset>
          <SiteLimit value={siteIds} onValue={setSiteIds} />
          <ErrorBox error={create.error} />
          <button type="submit" class="primary" disabled={create.busy}>
            {t('apiKeys.createSubmit')}
          </button>
        </form>
      </Card>
      {revoking && (
        <ConfirmDialog
          title={t('apiKeys.revokeTitle')}
          message={t('apiKeys.revokeConfirm', { name: revoking.name })}
          reasonLabel={t('apiKeys.revokeReason')}
          confirmLabel={t('apiKeys.revoke')}
          onConfirm={async (reason) => {
            await call(
              api.DELETE('/v1/api-keys/{id}', { params: { path: { id: revoking.id } }, body: { reason } }),
            );
            keys.reload();
          }}
          onClose={() => setRevoking(null)}
        />
      )}
    </>
  );
}
