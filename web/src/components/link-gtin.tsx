import { useState } from 'preact/hooks';
import { api, call, idempotencyKey } from '../api/client';
import { can } from '../api/session';
import { useI18n } from '../i18n/i18n';
import { type Item, ItemPicker } from './item-picker';
import { ErrorBox, SelectField } from './ui';

/**
 * A scanned GTIN nobody knows: offer to link it to the item it is on (and the pack it marks), so
 * this and every later scan of it finds the item. Without the right to change the catalogue, only
 * say so.
 */
export function LinkGtin({ gtin, onLinked }: { gtin: string; onLinked: () => void }) {
  const { t, pick } = useI18n();
  const [item, setItem] = useState<Item | null>(null);
  const [unit, setUnit] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<import('../api/client').ApiError>();
  const allowed = can('stock:write') || can('purchasing') || can('admin');
  const link = async () => {
    if (!item) return;
    setBusy(true);
    setError(undefined);
    try {
      await call(
        api.POST('/v1/items/{id}/gtins', {
          params: { path: { id: item.id } },
          body: { gtin, unit: unit || null },
          headers: { 'Idempotency-Key': idempotencyKey() },
        }),
      );
      onLinked();
    } catch (e) {
      setError(e as import('../api/client').ApiError);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="link-gtin" aria-label={t('linkGtin.title')} data-testid="link-gtin">
      <p>
        <strong>{t('linkGtin.unknown', { gtin })}</strong>
      </p>
      {allowed ? (
        <>
          <ItemPicker
            label={t('linkGtin.item')}
            value={item}
            onValue={(it) => {
              setItem(it);
              setUnit('');
            }}
          />
          {item && (
            <SelectField
              label={t('linkGtin.unit')}
              name="linkGtinUnit"
              value={unit}
              onValue={setUnit}
              options={[
                { value: '', label: pick(item.baseUnit) || item.baseUnit.code },
                ...item.packUnits.map((p) => ({
                  value: p.code,
                  label: `${pick(p) || p.code} (${p.factor})`,
                })),
              ]}
            />
          )}
          <button type="button" disabled={!item || busy} onClick={() => void link()}>
            {t('linkGtin.link')}
          </button>
          <ErrorBox error={error} />
        </>
      ) : (
        <p class="muted">{t('linkGtin.askSomeone')}</p>
      )}
    </section>
  );
}
