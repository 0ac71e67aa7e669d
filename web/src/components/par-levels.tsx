import { useState } from 'preact/hooks';
import { api, call, idempotencyKey } from '../api/client';
import { can } from '../api/session';
import { useI18n } from '../i18n/i18n';
import { usePaged } from '../lib/paged';
import { useSites } from '../lib/sites';
import { unitWord } from '../lib/units';
import { useAction } from '../lib/use-api';
import { type Item, ItemPicker } from './item-picker';
import { MoreButton } from './more';
import { LocationSelect } from './site-filter';
import { Card, Empty, ErrorBox, Loading, SelectField, TextField } from './ui';

/**
 * A location's par levels (基数: the minimum and maximum a store or ward keeps). The minimum is the
 * clinic's own floor: it warns from the first day, before any usage history exists.
 */
export function ParLevels() {
  const { t, name, num, locale } = useI18n();
  const sites = useSites();
  const [chosen, setChosen] = useState('');
  const locationId = chosen || sites.data?.[0]?.locations[0]?.id || '';
  const [item, setItem] = useState<Item | null>(null);
  const [minQty, setMinQty] = useState('');
  const [maxQty, setMaxQty] = useState('');
  const [unit, setUnit] = useState('');
  const [refresh, setRefresh] = useState(0);
  const list = usePaged(
    (cursor) =>
      locationId
        ? call(
            api.GET('/v1/locations/{id}/par-levels', {
              params: { path: { id: locationId }, query: { limit: 100, ...(cursor ? { cursor } : {}) } },
            }),
          )
        : Promise.resolve({ items: [], nextCursor: null }),
    [locationId, refresh],
  );
  const save = useAction(async () => {
    if (!item) return;
    await call(
      api.PUT('/v1/locations/{id}/par-levels/{itemId}', {
        params: { path: { id: locationId, itemId: item.id } },
        body: {
          minQty: Number(minQty),
          maxQty: maxQty === '' ? null : Number(maxQty),
          ...(unit ? { unit } : {}),
        },
        headers: { 'Idempotency-Key': idempotencyKey() },
      }),
    );
    setItem(null);
    setMinQty('');
    setMaxQty('');
    setUnit('');
    setRefresh((n) => n + 1);
  });
  const remove = useAction(async (itemId: string, label: string) => {
    if (!window.confirm(t('par.confirmRemove', { item: label }))) return;
    await call(
      api.DELETE('/v1/locations/{id}/par-levels/{itemId}', {
        params: { path: { id: locationId, itemId } },
        headers: { 'Idempotency-Key': idempotencyKey() },
      }),
    );
    setRefresh((n) => n + 1);
  });
  const fields = save.error?.fieldErrors() ?? {};
  const writer = can('stock:write') || can('admin');
  const units = item
    ? [
        { value: item.baseUnit.code, label: name({ nameZh: item.baseUnit.zh, nameEn: item.baseUnit.en }) },
        ...item.packUnits.map((u) => ({
          value: u.code,
          label: `${name({ nameZh: u.zh, nameEn: u.en })} (×${u.factor})`,
        })),
      ]
    : [];
  return (
    <Card>
      <p class="hint">{t('par.intro')}</p>
      <div class="filters">
        <LocationSelect
          label={t('field.location')}
          name="parLocation"
          value={locationId}
          onValue={setChosen}
        />
      </div>
      <ErrorBox error={list.error ?? remove.error} />
      {list.loading && list.items.length === 0 && <Loading />}
      {!list.loading && list.items.length === 0 && <Empty>{t('par.empty')}</Empty>}
      {list.items.length > 0 && (
        <div class="table-wrap">
          <table data-testid="par-levels">
            <thead>
              <tr>
                <th>{t('item.code')}</th>
                <th>{t('item.name')}</th>
                <th class="num">{t('par.min')}</th>
                <th class="num">{t('par.max')}</th>
                {writer && <th />}
              </tr>
            </thead>
            <tbody>
              {list.items.map((p) => (
                <tr key={p.itemId}>
                  <td>{p.itemCode}</td>
                  <td>{name(p)}</td>
                  <td class="num">
                    {num(p.minQty)} <small>{unitWord(p.baseUnit, locale)}</small>
                  </td>
                  <td class="num">
                    {p.maxQty === null ? '—' : num(p.maxQty)}{' '}
                    {p.maxQty !== null && <small>{unitWord(p.baseUnit, locale)}</small>}
                  </td>
                  {writer && (
                    <td>
                      <button
                        type="button"
                        class="link-button"
                        disabled={remove.busy}
                        onClick={() => void remove.run(p.itemId, `${p.itemCode} ${name(p)}`)}
                      >
                        {t('par.remove')}
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <MoreButton hasMore={list.hasMore} more={list.more} />
      {writer && (
        <form
          class="inline-form"
          aria-label={t('par.set')}
          onSubmit={(e) => {
            e.preventDefault();
            void save.run();
          }}
        >
          <h3>{t('par.set')}</h3>
          <ItemPicker
            label={t('movement.item')}
            value={item}
            onValue={(it) => {
              setItem(it);
              setUnit('');
            }}
            error={fields.itemId}
          />
          <TextField
            label={t('par.min')}
            type="number"
            min={0}
            step="1"
            name="minQty"
            required
            value={minQty}
            onValue={setMinQty}
            error={fields.minQty}
          />
          <TextField
            label={t('par.maxOptional')}
            type="number"
            min={0}
            step="1"
            name="maxQty"
            value={maxQty}
            onValue={setMaxQty}
            error={fields.maxQty}
          />
          {units.length > 1 && (
            <SelectField
              label={t('movement.unit')}
              name="parUnit"
              value={unit || units[0]!.value}
              onValue={setUnit}
              options={units}
              error={fields.unit}
            />
          )}
          <ErrorBox error={save.error} />
          <button type="submit" class="primary" disabled={save.busy || !item || minQty === ''}>
            {t('common.save')}
          </button>
        </form>
      )}
    </Card>
  );
}
