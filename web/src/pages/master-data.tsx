import { Link } from 'wouter-preact';
import { PageHeader } from '../components/ui';
import { type MessageKey, useI18n } from '../i18n/i18n';
import { ItemsMasterData } from './master-data/items';
import { SuppliersMasterData } from './master-data/suppliers';

/**
 * 基础数据: the catalogue and the suppliers, kept by the clinic. Sites, locations, members and the
 * organisation are under Settings (they are an administrator's); this is the purchaser's.
 */
export const MASTER_DATA_SECTIONS: { id: string; label: MessageKey; view: () => preact.JSX.Element }[] = [
  { id: 'items', label: 'md.section.items', view: ItemsMasterData },
  { id: 'suppliers', label: 'md.section.suppliers', view: SuppliersMasterData },
];

export default function MasterDataPage({ section }: { section: string }) {
  const { t } = useI18n();
  const current = MASTER_DATA_SECTIONS.find((s) => s.id === section) ?? MASTER_DATA_SECTIONS[0]!;
  const View = current.view;
  return (
    <div class="page settings" data-page={`master-data-${current.id}`}>
      <PageHeader title={t('nav.masterData')} />
      <div class="settings-layout">
        <nav aria-label={t('nav.masterData')} class="side-nav">
          {MASTER_DATA_SECTIONS.map((s) => (
            <Link
              key={s.id}
              href={`/master-data/${s.id}`}
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
