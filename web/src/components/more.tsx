import { useI18n } from '../i18n/i18n';

export function MoreButton({ hasMore, more }: { hasMore: boolean; more: () => Promise<void> }) {
  const { t } = useI18n();
  if (!hasMore) return null;
  return (
    <button type="button" class="more" onClick={() => void more()}>
      {t('common.loadMore')}
    </button>
  );
}
