import { useState } from 'preact/hooks';
import { api, call } from '../api/client';
import { type Item, ItemPicker } from '../components/item-picker';
import { Card, ErrorBox, PageHeader, TextField } from '../components/ui';
import { useI18n } from '../i18n/i18n';
import { useAction } from '../lib/use-api';

interface Sheet {
  item: Item;
  svg: string;
  hri: string;
  lot: string;
  expiry: string;
  quantity: string;
  copies: number;
}

/**
 * GS1 label sheet for repackaged items: the DataMatrix from the API (GTIN, expiry, lot, count),
 * repeated as many times as asked, laid out for printing (the header hides on paper).
 */
export default function LabelsPage() {
  const { t, name, date } = useI18n();
  const [item, setItem] = useState<Item | null>(null);
  const [lot, setLot] = useState('');
  const [expiry, setExpiry] = useState('');
  const [quantity, setQuantity] = useState('');
  const [copies, setCopies] = useState('6');
  const [sheet, setSheet] = useState<Sheet | null>(null);
  const make = useAction(async () => {
    if (!item) return;
    const query = {
      ...(lot ? { lotNumber: lot } : {}),
      ...(expiry ? { expiryDate: expiry } : {}),
      ...(quantity ? { quantity: Number(quantity) } : {}),
    };
    const [svg, json] = await Promise.all([
      call(api.GET('/v1/items/{id}/label', { params: { path: { id: item.id }, query }, parseAs: 'text' })),
      call(
        api.GET('/v1/items/{id}/label', {
          params: { path: { id: item.id }, query: { ...query, format: 'json' } },
        }),
      ),
    ]);
    const hri = typeof json === 'object' && json && 'hri' in json ? json.hri : '';
    setSheet({
      item,
      svg: String(svg),
      hri,
      lot,
      expiry,
      quantity,
      copies: Math.max(1, Math.min(100, Number(copies) || 1)),
    });
  });
  const fields = make.error?.fieldErrors() ?? {};
  return (
    <div class="page" data-page="labels">
      <div class="no-print">
        <PageHeader title={t('labels.title')} />
        <Card>
          <p class="muted">{t('labels.intro')}</p>
          <div class="filters">
            <ItemPicker label={t('movement.item')} value={item} onValue={setItem} />
            <TextField
              label={t('labels.lot')}
              name="lotNumber"
              value={lot}
              onValue={setLot}
              error={fields.lotNumber}
            />
            <TextField
              label={t('labels.expiry')}
              name="expiryDate"
              type="date"
              value={expiry}
              onValue={setExpiry}
            />
            <TextField
              label={t('labels.quantity')}
              name="quantity"
              type="number"
              min={1}
              value={quantity}
              onValue={setQuantity}
            />
            <TextField
              label={t('labels.copies')}
              name="copies"
              type="number"
              min={1}
              max={100}
              value={copies}
              onValue={setCopies}
            />
          </div>
          <ErrorBox error={make.error} />
          {!item && <p class="muted">{t('labels.pick')}</p>}
          <div class="actions">
            <button
              type="button"
              class="primary"
              data-testid="labels-make"
              disabled={!item || make.busy}
              onClick={() => void make.run()}
            >
              {t('labels.make')}
            </button>
            {sheet && (
              <button type="button" onClick={() => window.print()}>
                {t('labels.print')}
              </button>
            )}
          </div>
        </Card>
      </div>
      {sheet && (
        <div class="label-sheet" data-testid="label-sheet">
          {Array.from({ length: sheet.copies }, (_, i) => (
            <div class="gs1-label" key={i}>
              {/* The SVG is the API's own rendering of the symbol (bwip-js), not user text. */}
              <div class="symbol" dangerouslySetInnerHTML={{ __html: sheet.svg }} />
              <div>
                <strong>{name(sheet.item)}</strong>
                <div>{sheet.item.code}</div>
                {sheet.lot && (
                  <div>
                    {t('labels.lot')} {sheet.lot}
                  </div>
                )}
                {sheet.expiry && (
                  <div>
                    {t('labels.expiry')} {date(sheet.expiry)}
                  </div>
                )}
                {sheet.quantity && (
                  <div>
                    {t('labels.quantity')} {sheet.quantity}
                  </div>
                )}
                <div class="hri">{sheet.hri}</div>
              </div>
            </div>
          ))}
        </div>
      )}
    </div>
  );
}
