import { useState } from 'preact/hooks';
import type { ApiError, Json } from '../api/client';
import { useI18n } from '../i18n/i18n';
import { itemUnitWord } from '../lib/units';
import { type Item, ItemPicker } from './item-picker';
import { TextField } from './ui';

/** One line of a procedure kit (手术包) being edited: the item and its quantity per procedure. */
export interface KitLine {
  itemId: string;
  code: string;
  nameZh: string;
  nameEn: string;
  baseUnit: { code: string; zh?: string | null; en?: string | null };
  /** Per procedure, in the item's base unit, as typed. */
  quantity: string;
}

/** A kit line as the API lists it (the generated client's type, base units). */
type SavedKitLine = Json<'/v1/procedure-types', 'get'>['items'][number]['kit'][number];

/** A saved kit line as an editable line. */
export function kitLineOf(k: SavedKitLine): KitLine {
  return {
    itemId: k.itemId,
    code: k.itemCode,
    nameZh: k.nameZh,
    nameEn: k.nameEn,
    baseUnit: { code: k.baseUnit, ...k.baseUnitName },
    quantity: String(k.quantity),
  };
}

/** The lines as the API takes them: base units, in the order shown (problems point at an index). */
export function kitBody(lines: readonly KitLine[]): { itemId: string; quantity: number }[] {
  return lines.map((l) => ({ itemId: l.itemId, quantity: Number(l.quantity) }));
}

/** The API's problems about single lines (`body:/items/2/quantity`), by line index. */
function lineErrors(error: ApiError | undefined, field: string): Record<number, string> {
  const out: Record<number, string> = {};
  const prefix = `body:/${field}/`;
  for (const e of error?.problem.errors ?? []) {
    if (!e.field.startsWith(prefix)) continue;
    const i = Number(e.field.slice(prefix.length).split('/')[0]);
    if (Number.isInteger(i) && out[i] === undefined) out[i] = e.message;
  }
  return out;
}

/**
 * The kit-line editor of the procedures page, for a new procedure type and for an existing one's
 * kit: add an item (picked by code, name or GTIN) with its quantity in the item's base unit,
 * change a line's quantity, remove a line. `field` is the body field the lines are sent as, so a
 * refused line shows its problem beside it.
 */
export function KitEditor(props: {
  lines: KitLine[];
  onLines: (lines: KitLine[]) => void;
  error?: ApiError | undefined;
  field: 'kit' | 'items';
}) {
  const { t, name, locale } = useI18n();
  const [item, setItem] = useState<Item | null>(null);
  const [qty, setQty] = useState('1');
  // A new picker after each added line, so its search box starts empty.
  const [picks, setPicks] = useState(0);
  const errors = lineErrors(props.error, props.field);
  const unit = (l: Pick<KitLine, 'baseUnit'>) => itemUnitWord(l.baseUnit, locale);
  const label = (l: Pick<KitLine, 'code' | 'nameZh' | 'nameEn'>) => `${l.code} ${name(l)}`;
  const setQuantity = (itemId: string, quantity: string) =>
    props.onLines(props.lines.map((l) => (l.itemId === itemId ? { ...l, quantity } : l)));
  const add = () => {
    if (!item) return;
    const line: KitLine = {
      itemId: item.id,
      code: item.code,
      nameZh: item.nameZh,
      nameEn: item.nameEn,
      baseUnit: item.baseUnit,
      quantity: qty,
    };
    // An item already in the kit keeps its place and takes the new quantity.
    props.onLines(
      props.lines.some((l) => l.itemId === item.id)
        ? props.lines.map((l) => (l.itemId === item.id ? line : l))
        : [...props.lines, line],
    );
    setItem(null);
    setQty('1');
    setPicks((n) => n + 1);
  };
  return (
    <div class="kit-editor" data-testid="kit-editor">
      {props.lines.length === 0 ? (
        <p class="muted">{t('proc.kitEmpty')}</p>
      ) : (
        <ul class="kit-lines">
          {props.lines.map((l, i) => (
            <li key={l.itemId} data-item={l.code} class={errors[i] ? 'has-error' : undefined}>
              <span class="kit-line-item">{label(l)}</span>
              <input
                type="number"
                name="kitLineQty"
                min={1}
                step={1}
                required
                aria-label={t('proc.kitLineQty', { item: label(l) })}
                aria-invalid={errors[i] ? true : undefined}
                value={l.quantity}
                onInput={(e) => setQuantity(l.itemId, (e.currentTarget as HTMLInputElement).value)}
              />
              <span class="muted">{unit(l)}</span>
              <button
                type="button"
                class="link-button danger"
                aria-label={t('proc.kitRemoveLineLabel', { item: label(l) })}
                onClick={() => props.onLines(props.lines.filter((x) => x.itemId !== l.itemId))}
              >
                {t('proc.kitRemoveLine')}
              </button>
              {errors[i] && (
                <small class="error-text" role="alert">
                  {errors[i]}
                </small>
              )}
            </li>
          ))}
        </ul>
      )}
      <div class="inline-form">
        <ItemPicker key={picks} label={t('proc.kitItem')} value={item} onValue={setItem} />
        <TextField
          label={item ? t('proc.kitQtyIn', { unit: unit(item) }) : t('proc.kitQty')}
          name="kitQty"
          type="number"
          min={1}
          step={1}
          value={qty}
          onValue={setQty}
        />
        <button type="button" disabled={!item || !(Number(qty) > 0)} onClick={add}>
          {t('proc.addKitLine')}
        </button>
      </div>
    </div>
  );
}
