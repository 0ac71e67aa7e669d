import { useEffect, useState } from 'preact/hooks';
import { api, call, idempotencyKey, type Json } from '../../api/client';
import { ROBOT_LANGUAGES, ROLES } from '../../api/enums';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { Card, Checkbox, ErrorBox, Loading, SelectField, TextField } from '../../components/ui';
import { type MessageKey, useI18n } from '../../i18n/i18n';
import { useAction, useApi } from '../../lib/use-api';

type Settings = Json<'/v1/notification-settings', 'get'>;
type Channel = Json<'/v1/robot-channels', 'get'>['items'][number];
const LANGS = ROBOT_LANGUAGES;

/** A member's name by id, for "who changed it" (the settings page is for admins, who may list members). */
function useWho() {
  const { t } = useI18n();
  const users = useApi(() => call(api.GET('/v1/users', { params: { query: { limit: 200 } } })), []);
  return (id: string | null) => {
    const u = users.data?.items.find((x) => x.id === id);
    return u ? u.name || u.email : t('notify.someone');
  };
}

/** 通知: the daily digest, quiet hours and the WeCom/DingTalk group robots of the organisation. */
export function NotificationSettings() {
  return (
    <>
      <DigestSettings />
      <RobotChannels />
    </>
  );
}

function DigestSettings() {
  const { t, dateTime } = useI18n();
  const who = useWho();
  const loaded = useApi(() => call(api.GET('/v1/notification-settings')), []);
  const [s, setS] = useState<Settings | null>(null);
  useEffect(() => {
    if (loaded.data) setS(loaded.data);
  }, [loaded.data]);
  const save = useAction(async (next: Settings) => {
    const { updatedAt: _u, updatedBy: _b, ...body } = next;
    setS(await call(api.PUT('/v1/notification-settings', { body })));
  });
  if (!s) return loaded.error ? <ErrorBox error={loaded.error} /> : <Loading />;
  const set = (patch: Partial<Settings>) => setS({ ...s, ...patch });
  const fields = save.error?.fieldErrors() ?? {};
  return (
    <Card title={t('notify.digestTitle')}>
      <p class="muted">{t('notify.digestIntro')}</p>
      <Checkbox
        label={t('notify.digestEnabled')}
        checked={s.digestEnabled}
        onValue={(v) => set({ digestEnabled: v })}
      />
      <div class="filters">
        <TextField
          label={t('notify.digestHour')}
          name="digestHour"
          type="number"
          min={0}
          max={23}
          value={s.digestHour}
          onValue={(v) => set({ digestHour: Number(v) })}
        />
        <TextField
          label={t('notify.expiryDays')}
          name="expiryDays"
          type="number"
          min={1}
          max={365}
          value={s.expiryDays}
          onValue={(v) => set({ expiryDays: Number(v) })}
        />
      </div>
      <fieldset>
        <legend>{t('notify.digestRoles')}</legend>
        {ROLES.map((r) => (
          <Checkbox
            key={r}
            label={t(`role.${r}` as MessageKey)}
            checked={s.digestRoles.includes(r)}
            onValue={(on) =>
              set({ digestRoles: on ? [...s.digestRoles, r] : s.digestRoles.filter((x) => x !== r) })
            }
          />
        ))}
      </fieldset>
      <h3>{t('notify.quietTitle')}</h3>
      <Checkbox
        label={t('notify.quietEnabled')}
        checked={s.quietHours !== null}
        onValue={(on) => set({ quietHours: on ? { start: '22:00', end: '07:00' } : null })}
      />
      {s.quietHours && (
        <div class="filters">
          <TextField
            label={t('notify.quietStart')}
            name="quietStart"
            type="time"
            value={s.quietHours.start}
            onValue={(v) => set({ quietHours: { ...s.quietHours!, start: v } })}
          />
          <TextField
            label={t('notify.quietEnd')}
            name="quietEnd"
            type="time"
            value={s.quietHours.end}
            error={fields.quietHours}
            onValue={(v) => set({ quietHours: { ...s.quietHours!, end: v } })}
          />
        </div>
      )}
      <Checkbox
        label={t('notify.criticalInQuiet')}
        checked={s.criticalInQuietHours}
        onValue={(v) => set({ criticalInQuietHours: v })}
      />
      <SelectField
        label={t('notify.robotLanguage')}
        name="robotLanguage"
        value={s.robotLanguage}
        onValue={(v) => set({ robotLanguage: v as Settings['robotLanguage'] })}
        options={LANGS.map((l) => ({ value: l, label: t(`notify.lang.${l}`) }))}
      />
      <ErrorBox error={save.error} />
      <div class="actions">
        <button
          type="button"
          class="primary"
          data-testid="notify-save"
          disabled={save.busy}
          onClick={() => void save.run(s)}
        >
          {t('notify.save')}
        </button>
        <span class="muted" role="status">
          {s.updatedBy
            ? t('notify.saved', { who: who(s.updatedBy), at: dateTime(s.updatedAt) })
            : t('notify.defaults')}
        </span>
      </div>
    </Card>
  );
}

function RobotChannels() {
  const { t, dateTime, num } = useI18n();
  const who = useWho();
  const list = useApi(() => call(api.GET('/v1/robot-channels')), []);
  const [kind, setKind] = useState<Channel['kind']>('wecom');
  const [name, setName] = useState('');
  const [url, setUrl] = useState('');
  const [secret, setSecret] = useState('');
  const [removing, setRemoving] = useState<Channel | null>(null);
  const add = useAction(async () => {
    await call(
      api.POST('/v1/robot-channels', {
        body: { kind, name, url, ...(kind === 'dingtalk' && secret ? { secret } : {}) },
        headers: { 'Idempotency-Key': idempotencyKey() },
      }),
    );
    setName('');
    setUrl('');
    setSecret('');
    list.reload();
  });
  const toggle = useAction(async (c: Channel) => {
    await call(
      api.PATCH('/v1/robot-channels/{id}', { params: { path: { id: c.id } }, body: { active: !c.active } }),
    );
    list.reload();
  });
  const fields = add.error?.fieldErrors() ?? {};
  return (
    <Card title={t('notify.robotsTitle')}>
      <p class="muted">{t('notify.robotsIntro')}</p>
      <ErrorBox error={list.error ?? toggle.error} />
      {list.data && list.data.items.length === 0 && <p class="muted">{t('notify.noRobots')}</p>}
      <ul class="plain-list" data-testid="robot-list">
        {(list.data?.items ?? []).map((c) => (
          <li key={c.id}>
            <strong>{c.name}</strong> · {t(`notify.kind.${c.kind}`)} · <code>{c.urlHint}</code>
            {c.signed && <> · {t('notify.signed')}</>} · {c.active ? t('notify.active') : t('notify.paused')}{' '}
            ·{' '}
            <span class="muted">
              {t('notify.addedBy', { who: who(c.createdBy), at: dateTime(c.createdAt) })}
              {c.lastSentAt && <> · {t('notify.lastSent', { at: dateTime(c.lastSentAt) })}</>}
              {c.failedMessages > 0 && <> · {t('notify.failed', { n: num(c.failedMessages) })}</>}
            </span>{' '}
            <button type="button" class="link-button" onClick={() => void toggle.run(c)}>
              {c.active ? t('notify.pause') : t('notify.resume')}
            </button>{' '}
            <button type="button" class="link-button danger" onClick={() => setRemoving(c)}>
              {t('notify.remove')}
            </button>
          </li>
        ))}
      </ul>
      <div class="filters">
        <SelectField
          label={t('notify.robotKind')}
          name="kind"
          value={kind}
          onValue={(v) => setKind(v as Channel['kind'])}
          options={[
            { value: 'wecom', label: t('notify.kind.wecom') },
            { value: 'dingtalk', label: t('notify.kind.dingtalk') },
          ]}
        />
        <TextField
          label={t('notify.robotName')}
          name="name"
          value={name}
          onValue={setName}
          error={fields.name}
        />
        <TextField
          label={t('notify.robotUrl')}
          name="url"
          type="url"
          value={url}
          onValue={setUrl}
          error={fields.url}
        />
        {kind === 'dingtalk' && (
          <TextField
            label={t('notify.robotSecret')}
            name="secret"
            type="password"
            autoComplete="off"
            value={secret}
            onValue={setSecret}
            error={fields.secret}
          />
        )}
      </div>
      <ErrorBox error={add.error} />
      <button
        type="button"
        class="primary"
        disabled={add.busy || !name || !url}
        onClick={() => void add.run()}
      >
        {t('notify.addRobot')}
      </button>
      {removing && (
        <ConfirmDialog
          title={t('notify.remove')}
          message={t('notify.removeConfirm', { name: removing.name })}
          confirmLabel={t('notify.remove')}
          onConfirm={async () => {
            await call(api.DELETE('/v1/robot-channels/{id}', { params: { path: { id: removing.id } } }));
            list.reload();
          }}
          onClose={() => setRemoving(null)}
        />
      )}
    </Card>
  );
}
