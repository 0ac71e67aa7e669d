import { useState } from 'preact/hooks';
import { api, call, type Json } from '../../api/client';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { Card, Empty, ErrorBox, Loading } from '../../components/ui';
import { useI18n } from '../../i18n/i18n';
import { useApi } from '../../lib/use-api';

type Session = Json<'/v1/auth/sessions', 'get'>['items'][number];

/** A browser in a few words: the user agent is long and means little to a storekeeper. */
function deviceOf(ua: string | null, other: string): string {
  if (!ua) return other;
  const browser = /Edg\//.test(ua)
    ? 'Edge'
    : /Chrome\//.test(ua)
      ? 'Chrome'
      : /Firefox\//.test(ua)
        ? 'Firefox'
        : /Safari\//.test(ua)
          ? 'Safari'
          : '';
  const os = /Windows/.test(ua)
    ? 'Windows'
    : /Android/.test(ua)
      ? 'Android'
      : /iPhone|iPad/.test(ua)
        ? 'iOS'
        : /Mac OS/.test(ua)
          ? 'macOS'
          : /Linux/.test(ua)
            ? 'Linux'
            : '';
  return [browser, os].filter(Boolean).join(' · ') || other;
}

/** 登录会话: where one is signed in; another device's session is ended with a confirmation. */
export function SessionsSettings() {
  const { t, dateTime } = useI18n();
  const sessions = useApi(() => call(api.GET('/v1/auth/sessions')), []);
  const [revoking, setRevoking] = useState<Session | null>(null);
  return (
    <Card title={t('sessions.title')}>
      <p class="muted">{t('sessions.intro')}</p>
      <ErrorBox error={sessions.error} />
      {sessions.loading && !sessions.data && <Loading />}
      {sessions.data && sessions.data.items.length === 0 && <Empty>{t('sessions.none')}</Empty>}
      {sessions.data && sessions.data.items.length > 0 && (
        <div class="table-wrap">
          <table data-testid="sessions-table">
            <thead>
              <tr>
                <th>{t('sessions.device')}</th>
                <th>{t('sessions.signedIn')}</th>
                <th>{t('sessions.lastActive')}</th>
                <th>{t('sessions.expires')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {sessions.data.items.map((s) => (
                <tr key={s.id}>
                  <td title={s.userAgent ?? ''}>
                    {deviceOf(s.userAgent, t('sessions.otherDevice'))}{' '}
                    {s.current && <span class="badge">{t('sessions.current')}</span>}
                  </td>
                  <td>{dateTime(s.createdAt)}</td>
                  <td>{dateTime(s.lastRefreshedAt)}</td>
                  <td>{dateTime(s.expiresAt)}</td>
                  <td>
                    {!s.current && (
                      <button type="button" class="link-button danger" onClick={() => setRevoking(s)}>
                        {t('sessions.revoke')}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {revoking && (
        <ConfirmDialog
          title={t('sessions.revokeTitle')}
          message={t('sessions.revokeConfirm', {
            device: deviceOf(revoking.userAgent, t('sessions.otherDevice')),
            at: dateTime(revoking.createdAt),
          })}
          confirmLabel={t('sessions.revoke')}
          onConfirm={async () => {
            await call(api.DELETE('/v1/auth/sessions/{id}', { params: { path: { id: revoking.id } } }));
            sessions.reload();
          }}
          onClose={() => setRevoking(null)}
        />
      )}
    </Card>
  );
}
