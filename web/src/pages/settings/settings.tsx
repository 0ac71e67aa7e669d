import { Link } from 'wouter-preact';
import { can, type Scope } from '../../api/session';
import { PageHeader } from '../../components/ui';
import { type MessageKey, useI18n } from '../../i18n/i18n';
import { AlertRulesSettings } from './alert-rules';
import { ApiKeysSettings } from './api-keys';
import { BillingSettings } from './billing';
import { NotificationSettings } from './notifications';
import { OrganizationSettings } from './organization';
import { SessionsSettings } from './sessions';
import { SitesSettings } from './sites';
import { UsersSettings } from './users';
import { WebhooksSettings } from './webhooks';

/** Settings sections; a later one is one more entry here. */
const SECTIONS: { id: string; label: MessageKey; scope?: Scope; view: () => preact.JSX.Element }[] = [
  { id: 'sites', label: 'settings.sites', view: SitesSettings },
  { id: 'users', label: 'settings.users', scope: 'admin', view: UsersSettings },
  { id: 'api-keys', label: 'settings.apiKeys', scope: 'admin', view: ApiKeysSettings },
  { id: 'webhooks', label: 'settings.webhooks', scope: 'admin', view: WebhooksSettings },
  { id: 'notifications', label: 'settings.notifications', scope: 'admin', view: NotificationSettings },
  { id: 'alert-rules', label: 'settings.alertRules', view: AlertRulesSettings },
  { id: 'billing', label: 'settings.billing', view: BillingSettings },
  { id: 'organization', label: 'settings.organization', view: OrganizationSettings },
  { id: 'sessions', label: 'settings.sessions', view: SessionsSettings },
];

export default function SettingsPage({ section }: { section: string }) {
  const { t } = useI18n();
  const visible = SECTIONS.filter((s) => !s.scope || can(s.scope));
  const current = visible.find((s) => s.id === section) ?? visible[0]!;
  const View = current.view;
  return (
    <div class="page settings" data-page={`settings-${current.id}`}>
      <PageHeader title={t('nav.settings')} />
      <div class="settings-layout">
        <nav aria-label={t('nav.settings')} class="side-nav">
          {visible.map((s) => (
            <Link
              key={s.id}
              href={`/settings/${s.id}`}
              class={s.id === current.id ? 'active' : ''}
              aria-current={s.id === current.id ? 'page' : undefined}
            >
              {t(s.label)}
            </Link>
          ))}
        </nav>
        <div class="settings-body">
          <View />
        </div>
      </div>
    </div>
  );
}
