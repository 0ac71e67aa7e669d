import { useEffect, useRef, useState } from 'preact/hooks';
import { Link } from 'wouter-preact';
import { api, call, idempotencyKey } from '../api/client';
import { type MessageKey, useI18n } from '../i18n/i18n';
import { useApi } from '../lib/use-api';

/** How often the bell asks for news while the app is open. */
const POLL_MS = 60_000;

/**
 * The bell in the header: the unread count of the alert feed (per person, their sites only) and,
 * opened, the newest entries linking to their alert, "mark all read" and the person's own digest
 * switch.
 */
export function NotificationBell() {
  const { t, name, dateTime } = useI18n();
  const [open, setOpen] = useState(false);
  const [tick, setTick] = useState(0);
  const inbox = useApi(
    () => call(api.GET('/v1/notifications', { params: { query: { limit: 10 } } })),
    [tick],
  );
  const pref = useApi(() => call(api.GET('/v1/notifications/preferences')), [open]);
  const root = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const id = setInterval(() => setTick((x) => x + 1), POLL_MS);
    return () => clearInterval(id);
  }, []);
  useEffect(() => {
    if (!open) return;
    const close = (e: MouseEvent) => {
      if (root.current && !root.current.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('click', close);
    return () => document.removeEventListener('click', close);
  }, [open]);
  const unread = inbox.data?.unread ?? 0;
  const markAll = async () => {
    await call(
      api.POST('/v1/notifications/read', { body: {}, headers: { 'Idempotency-Key': idempotencyKey() } }),
    );
    setTick((x) => x + 1);
  };
  const setDigest = async (digestEnabled: boolean) => {
    await call(api.PUT('/v1/notifications/preferences', { body: { digestEnabled } }));
    pref.reload();
  };
  return (
    <div class="bell" ref={root}>
      <button
        type="button"
        class="bell-button"
        data-testid="bell"
        aria-label={unread ? `${t('bell.label')} · ${t('bell.unread', { n: unread })}` : t('bell.label')}
        aria-expanded={open}
        onClick={() => setOpen(!open)}
      >
        {/* Drawn, not an emoji: clinic PCs often lack a colour emoji font. */}
        <svg viewBox="0 0 24 24" aria-hidden="true">
          <path d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2Z" />
        </svg>
        {unread > 0 && (
          <span class="bell-count" data-testid="bell-count">
            {unread > 99 ? '99+' : unread}
          </span>
        )}
      </button>
      {open && (
        <div class="bell-panel" role="dialog" aria-label={t('bell.label')} data-testid="bell-panel">
          <div class="bell-head">
            <strong>{unread ? t('bell.unread', { n: unread }) : t('bell.label')}</strong>
            {unread > 0 && (
              <button
                type="button"
                class="link-button"
                data-testid="bell-read-all"
                onClick={() => void markAll()}
              >
                {t('bell.markAllRead')}
              </button>
            )}
          </div>
          {inbox.data && inbox.data.items.length === 0 && <p class="muted">{t('bell.none')}</p>}
          <ul class="bell-list">
            {(inbox.data?.items ?? []).map((e) => (
              <li key={e.id} class={e.unread ? 'unread' : ''}>
                <Link href={`/alerts/${e.alertId}`} onClick={() => setOpen(false)}>
                  <span class={`badge sev-${e.severity}`}>{t(`severity.${e.severity}` as MessageKey)}</span>{' '}
                  <span class="bell-kind">{t(`bell.kind.${e.kind}` as MessageKey)}</span>{' '}
                  {t(`alertType.${e.type}` as MessageKey)} · {name(e)}
                  <small class="muted"> {dateTime(e.at)}</small>
                </Link>
              </li>
            ))}
          </ul>
          <div class="bell-foot">
            <Link href="/alerts" onClick={() => setOpen(false)}>
              {t('bell.allAlerts')}
            </Link>
            {pref.data && (
              <label class="checkbox">
                <input
                  type="checkbox"
                  data-testid="bell-digest"
                  checked={pref.data.digestEnabled}
                  onChange={(e) => void setDigest((e.currentTarget as HTMLInputElement).checked)}
                />
                {t('bell.digest')}
              </label>
            )}
          </div>
        </div>
      )}
    </div>
  );
}
