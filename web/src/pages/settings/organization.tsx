import { useState } from 'preact/hooks';
import { api, call } from '../../api/client';
import { can, reloadMe } from '../../api/session';
import { Card, ErrorBox, Loading, SelectField, TextField } from '../../components/ui';
import { useI18n } from '../../i18n/i18n';
import { useAction, useApi } from '../../lib/use-api';

/** Common zones first; any IANA name the browser knows can be typed. */
const ZONES = [
  'Asia/Shanghai',
  'Asia/Hong_Kong',
  'Asia/Taipei',
  'Asia/Urumqi',
  'Asia/Singapore',
  'Europe/London',
  'UTC',
];

/** The organisation's name, default language and time zone (every day boundary is local to it). */
export function OrganizationSettings() {
  const { t, dateTime } = useI18n();
  const org = useApi(() => call(api.GET('/v1/organization')), []);
  const [form, setForm] = useState<{ name: string; timezone: string; locale: 'zh-CN' | 'en' } | null>(null);
  const [saved, setSaved] = useState(false);
  if (org.data && form === null)
    setForm({
      name: org.data.name,
      timezone: org.data.timezone,
      locale: org.data.locale === 'en' ? 'en' : 'zh-CN',
    });
  const save = useAction(async () => {
    if (!form) return;
    setSaved(false);
    await call(api.PATCH('/v1/organization', { body: form }));
    setSaved(true);
    org.reload();
    await reloadMe();
  });
  const fields = save.error?.fieldErrors() ?? {};
  if (!form) return org.error ? <ErrorBox error={org.error} /> : <Loading />;
  const admin = can('admin');
  const zones = ZONES.includes(form.timezone) ? ZONES : [form.timezone, ...ZONES];
  return (
    <Card title={t('org.title')}>
      <form
        data-testid="organization-form"
        onSubmit={(e) => {
          e.preventDefault();
          void save.run();
        }}
      >
        <TextField
          label={t('org.name')}
          name="name"
          required
          disabled={!admin}
          value={form.name}
          onValue={(v) => setForm((f) => f && { ...f, name: v })}
          error={fields.name}
        />
        <SelectField
          label={t('org.timezone')}
          name="timezone"
          value={form.timezone}
          onValue={(v) => setForm((f) => f && { ...f, timezone: v })}
          options={zones.map((z) => ({ value: z, label: z }))}
          error={fields.timezone}
        />
        <small class="hint">{t('org.timezoneHint')}</small>
        <SelectField
          label={t('org.locale')}
          name="locale"
          value={form.locale}
          onValue={(v) => setForm((f) => f && { ...f, locale: v })}
          options={[
            { value: 'zh-CN', label: '简体中文' },
            { value: 'en', label: 'English' },
          ]}
        />
        <ErrorBox error={save.error} />
        {saved && (
          <p class="success" role="status">
            {t('org.saved')}
          </p>
        )}
        {org.data && <p class="muted">{t('org.created', { at: dateTime(org.data.createdAt) })}</p>}
        {admin && (
          <button type="submit" class="primary" disabled={save.busy}>
            {t('common.save')}
          </button>
        )}
      </form>
    </Card>
  );
}
