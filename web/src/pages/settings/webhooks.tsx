import { useState } from 'preact/hooks';
import { api, call, idempotencyKey, type Json } from '../../api/client';
import { Card, Checkbox, ErrorBox, Loading, TextField } from '../../components/ui';
import { type MessageKey, useI18n } from '../../i18n/i18n';
import { useAction, useApi } from '../../lib/use-api';

const EVENTS = [
  'movement.created',
  'purchase_order.status_changed',
  'purchase_order.cancelled',
  'import.finished',
  'alert.opened',
  'alert.updated',
  'alert.resolved',
] as const;
type Event = (typeof EVENTS)[number];

/** An event type in words, with its code beside it (integrators subscribe by the code). */
function useEventLabel() {
  const { t } = useI18n();
  return (code: string) => {
    const key = `event.${code}`;
    const name = t(key as MessageKey);
    return name === key ? (
      <code>{code}</code>
    ) : (
      <span class="event-name">
        {name} <code>{code}</code>
      </span>
    );
  };
}
type Endpoint = Json<'/v1/webhooks', 'get'>['items'][number];

/** Webhook endpoints: the signing secret shown once, a test delivery, and the delivery log. */
export function WebhooksSettings() {
  const { t } = useI18n();
  const eventLabel = useEventLabel();
  const list = useApi(() => call(api.GET('/v1/webhooks', { params: { query: { limit: 100 } } })), []);
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<Event[]>(['alert.opened', 'alert.resolved']);
  const [secret, setSecret] = useState<string | null>(null);
  const create = useAction(async () => {
    const r = await call(
      api.POST('/v1/webhooks', { body: { url, events }, headers: { 'Idempotency-Key': idempotencyKey() } }),
    );
    setSecret(r.secret);
    setUrl('');
    list.reload();
  });
  const fields = create.error?.fieldErrors() ?? {};
  return (
    <>
      {secret && (
        <Card title={t('webhooks.secretTitle')} class="key-once">
          <p role="status">{t('webhooks.secretOnce')}</p>
          <code class="secret" data-testid="webhook-secret">
            {secret}
          </code>{' '}
          <button type="button" class="primary" onClick={() => setSecret(null)}>
            {t('apiKeys.stored')}
          </button>
        </Card>
      )}
      <ErrorBox error={list.error} />
      {list.loading && !list.data && <Loading />}
      {list.data?.items.map((e) => (
        <EndpointCard key={e.id} endpoint={e} onChanged={list.reload} />
      ))}
      <Card title={t('webhooks.add')}>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void create.run();
          }}
        >
          <TextField
            label={t('webhooks.url')}
            type="url"
            name="url"
            required
            placeholder="https://his.example.org/medstock"
            value={url}
            onValue={setUrl}
            error={fields.url}
          />
          <fieldset>
            <legend>{t('webhooks.events')}</legend>
            {EVENTS.map((ev) => (
              <Checkbox
                key={ev}
                label={eventLabel(ev)}
                checked={events.includes(ev)}
                onValue={(on) => setEvents((x) => (on ? [...x, ev] : x.filter((y) => y !== ev)))}
              />
            ))}
          </fieldset>
          <ErrorBox error={create.error} />
          <button type="submit" class="primary" disabled={create.busy}>
            {t('common.add')}
          </button>
        </form>
      </Card>
    </>
  );
}

function EndpointCard({ endpoint, onChanged }: { endpoint: Endpoint; onChanged: () => void }) {
  const { t, dateTime } = useI18n();
  const eventLabel = useEventLabel();
  const deliveries = useApi(
    () =>
      call(
        api.GET('/v1/webhooks/{id}/deliveries', {
          params: { path: { id: endpoint.id }, query: { limit: 20 } },
        }),
      ),
    [endpoint.id],
  );
  const act = useAction(async (kind: 'test' | 'delete' | 'redeliver', deliveryId?: string) => {
    const path = { id: endpoint.id };
    if (kind === 'test')
      await call(
        api.POST('/v1/webhooks/{id}/test', {
          params: { path },
          headers: { 'Idempotency-Key': idempotencyKey() },
        }),
      );
    if (kind === 'redeliver' && deliveryId)
      await call(
        api.POST('/v1/webhooks/{id}/deliveries/{deliveryId}/redeliver', {
          params: { path: { ...path, deliveryId } },
          headers: { 'Idempotency-Key': idempotencyKey() },
        }),
      );
    if (kind === 'delete') {
      await call(api.DELETE('/v1/webhooks/{id}', { params: { path } }));
      onChanged();
      return;
    }
    deliveries.reload();
  });
  return (
    <Card title={endpoint.url}>
      <p class="muted">
        {endpoint.events.map((e, i) => (
          <span key={e}>
            {i > 0 ? '、' : ''}
            {eventLabel(e)}
          </span>
        ))}{' '}
        · {t('webhooks.secretHint')} <code>{endpoint.secretHint}</code> ·{' '}
        {endpoint.active ? t('webhooks.active') : t('webhooks.inactive')}
      </p>
      <ErrorBox error={act.error ?? deliveries.error} />
      <div class="actions-row">
        <button type="button" disabled={act.busy} onClick={() => void act.run('test')}>
          {t('webhooks.test')}
        </button>
        <button type="button" onClick={() => deliveries.reload()}>
          {t('webhooks.refresh')}
        </button>
        <button type="button" class="danger" disabled={act.busy} onClick={() => void act.run('delete')}>
          {t('webhooks.delete')}
        </button>
      </div>
      {deliveries.data && deliveries.data.items.length > 0 && (
        <div class="table-wrap">
          <table>
            <caption>{t('webhooks.log')}</caption>
            <thead>
              <tr>
                <th>{t('movements.when')}</th>
                <th>{t('webhooks.event')}</th>
                <th>{t('alerts.status')}</th>
                <th class="num">{t('webhooks.attempts')}</th>
                <th>{t('webhooks.response')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {deliveries.data.items.map((d) => (
                <tr key={d.id}>
                  <td>{dateTime(d.createdAt)}</td>
                  <td>{eventLabel(d.eventType)}</td>
                  <td>{t(`webhooks.status.${d.status}` as MessageKey)}</td>
                  <td class="num">{d.attempts}</td>
                  <td>{d.lastStatusCode ?? d.lastError ?? '—'}</td>
                  <td>
                    {d.status === 'failed' && (
                      <button
                        type="button"
                        class="link-button"
                        onClick={() => void act.run('redeliver', d.id)}
                      >
                        {t('webhooks.redeliver')}
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
  );
}
