import { useState } from 'preact/hooks';
import { api, call } from '../api/client';
import { MoreButton } from '../components/more';
import { Card, Empty, ErrorBox, Loading, PageHeader, SelectField } from '../components/ui';
import { CATALOGUES, type MessageKey, useI18n } from '../i18n/i18n';
import { usePaged } from '../lib/paged';
import { useApi } from '../lib/use-api';

/** The resource a request path is about, as a catalogue key (`/v1/purchase-orders/…` → purchase-orders). */
function areaKey(path: string): MessageKey | null {
  const segments = path.replace(/^\/v1\//, '').split('/');
  // A sub-resource names the change better than its parent: /v1/items/{id}/gtins → gtins.
  const named = segments.filter((s) => /^[a-z][a-z-]*$/.test(s));
  for (const s of [...named].reverse()) {
    const key = `audit.area.${s}`;
    if (key in CATALOGUES.en) return key as MessageKey;
  }
  return null;
}

/** 操作日志: every change made in the organisation — who, what, when, and whether it went through. */
export default function AuditPage() {
  const { t, dateTime } = useI18n();
  const users = useApi(() => call(api.GET('/v1/users', { params: { query: { limit: 200 } } })), []);
  const [actorId, setActorId] = useState('');
  const list = usePaged(
    (cursor) =>
      call(
        api.GET('/v1/audit-log', {
          params: { query: { limit: 50, ...(actorId ? { actorId } : {}), ...(cursor ? { cursor } : {}) } },
        }),
      ),
    [actorId],
  );
  const who = (type: string, id: string | null) => {
    if (type === 'api_key') return t('audit.apiKey');
    if (!id) return t('audit.anonymous');
    const u = users.data?.items.find((x) => x.id === id);
    return u ? u.name || u.email : t('audit.formerMember');
  };
  return (
    <div class="page" data-page="audit">
      <PageHeader title={t('audit.title')} />
      <p class="muted">{t('audit.intro')}</p>
      <Card>
        <div class="filters">
          <SelectField
            label={t('audit.actor')}
            name="actorId"
            value={actorId}
            onValue={setActorId}
            options={[
              { value: '', label: t('audit.everyone') },
              ...(users.data?.items ?? []).map((u) => ({ value: u.id, label: u.name || u.email })),
            ]}
          />
        </div>
        <ErrorBox error={list.error} />
        {list.loading && list.items.length === 0 && <Loading />}
        {!list.loading && list.items.length === 0 && <Empty>{t('audit.none')}</Empty>}
        {list.items.length > 0 && (
          <div class="table-wrap">
            <table data-testid="audit-table">
              <thead>
                <tr>
                  <th>{t('audit.at')}</th>
                  <th>{t('audit.actor')}</th>
                  <th>{t('audit.action')}</th>
                  <th>{t('audit.outcome')}</th>
                  <th>{t('audit.details')}</th>
                </tr>
              </thead>
              <tbody>
                {list.items.map((e) => {
                  const area = areaKey(e.path);
                  const method = t(`audit.method.${e.action.split(' ')[0]}` as MessageKey);
                  return (
                    <tr key={e.id}>
                      <td>{dateTime(e.at)}</td>
                      <td>{who(e.actorType, e.actorId)}</td>
                      <td>
                        {method} · {area ? t(area) : t('audit.area.other')}
                      </td>
                      <td>
                        <span class={`badge ${e.statusCode < 400 ? 'status-resolved' : 'sev-high'}`}>
                          {e.statusCode < 400 ? t('audit.ok') : t('audit.refused', { status: e.statusCode })}
                        </span>
                      </td>
                      <td>
                        <code class="path">{e.path}</code>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
        <MoreButton hasMore={list.hasMore} more={list.more} />
      </Card>
    </div>
  );
}
