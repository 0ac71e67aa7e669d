import { useEffect, useId, useState } from 'preact/hooks';
import { api, call, type Json } from '../api/client';
import { useI18n } from '../i18n/i18n';

export type Item = Json<'/v1/items', 'get'>['items'][number];

/** Finds an item by code, name or GTIN (typed or scanned) and picks it. */
export function ItemPicker(props: {
  label: string;
  value: Item | null;
  onValue: (item: Item | null) => void;
  error?: string | undefined;
}) {
  const { t, name } = useI18n();
  const id = useId();
  const [q, setQ] = useState('');
  const [results, setResults] = useState<Item[]>([]);
  const [open, setOpen] = useState(false);
  useEffect(() => {
    const text = q.trim();
    if (!text || (props.value && text === label(props.value))) {
      setResults([]);
      return;
    }
    const timer = setTimeout(() => {
      call(api.GET('/v1/items', { params: { query: { q: text, limit: 8, active: true } } })).then(
        (r) => {
          setResults(r.items);
          setOpen(true);
        },
        () => setResults([]),
      );
    }, 200);
    return () => clearTimeout(timer);
  }, [q]);
  const label = (it: Item) => `${it.code} ${name(it)}`;
  const choose = (it: Item) => {
    props.onValue(it);
    setQ(label(it));
    setOpen(false);
  };
  return (
    <div class={`field item-picker${props.error ? ' has-error' : ''}`}>
      <label for={id}>{props.label}</label>
      <input
        id={id}
        name="item"
        aria-controls={`${id}-list`}
        autoComplete="off"
        placeholder={t('movement.itemPlaceholder')}
        value={q}
        onInput={(e) => {
          setQ((e.currentTarget as HTMLInputElement).value);
          if (props.value) props.onValue(null);
        }}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && results[0] && open) {
            e.preventDefault();
            choose(results[0]);
          } else if (e.key === 'Escape') setOpen(false);
        }}
      />
      {open && results.length > 0 && (
        <ul id={`${id}-list`} class="picker-list" aria-label={t('movement.item')}>
          {results.map((it) => (
            <li key={it.id}>
              <button type="button" onClick={() => choose(it)}>
                <strong>{it.code}</strong> {name(it)} <small>{it.specification}</small>
              </button>
            </li>
          ))}
        </ul>
      )}
      {props.error && (
        <small class="error-text" role="alert">
          {props.error}
        </small>
      )}
    </div>
  );
}
