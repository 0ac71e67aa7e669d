import { useEffect, useState } from 'preact/hooks';
import { api, call, idempotencyKey, type Json } from '../../api/client';
import { ABC_CLASSES, VEDS } from '../../api/enums';
import { can } from '../../api/session';
import { Card, Checkbox, ErrorBox, Loading } from '../../components/ui';
import { useI18n } from '../../i18n/i18n';
import { useAction, useApi } from '../../lib/use-api';

type Rules = Json<'/v1/alert-rules', 'get'>['rules'];
const ABC = ABC_CLASSES;
const VED = VEDS;

/** Target cycle service level per ABC × VED class, stockout-probability limits, and rule switches. */
export function AlertRulesSettings() {
  const { t, dateTime } = useI18n();
  const current = useApi(() => call(api.GET('/v1/alert-rules')), []);
  const [rules, setRules] = useState<Rules | null>(null);
  useEffect(() => {
    if (current.data) setRules(structuredClone(current.data.rules));
  }, [current.data]);
  const save = useAction(async () => {
    if (!rules) return;
    await call(api.PUT('/v1/alert-rules', { body: rules, headers: { 'Idempotency-Key': idempotencyKey() } }));
    current.reload();
  });
  if (!rules) return current.error ? <ErrorBox error={current.error} /> : <Loading />;
  const admin = can('admin');
  const toggles = [
    'stockedOut',
    'stockoutRisk',
    'belowSafetyStock',
    'belowParMinimum',
    'expired',
    'expiryRisk',
    'overstock',
    'deadStock',
    'consumptionAnomaly',
    'latePurchaseOrder',
    'leadTimeDrift',
  ] as const;
  return (
    <Card title={t('settings.alertRules')}>
      <p class="muted">
        {t('rules.version', { v: current.data?.version ?? 0 })}{' '}
        {current.data?.isDefault ? t('rules.default') : dateTime(current.data?.createdAt)}
      </p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void save.run();
        }}
      >
        <table class="matrix">
          <caption>{t('rules.serviceLevels')}</caption>
          <thead>
            <tr>
              <th />
              {VED.map((v) => (
                <th key={v} scope="col">
                  {v}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {ABC.map((a) => (
              <tr key={a}>
                <th scope="row">{a}</th>
                {VED.map((v) => {
                  const k = `${a}${v}` as keyof Rules['serviceLevels'];
                  return (
                    <td key={v}>
                      <input
                        type="number"
                        aria-label={t('rules.serviceLevelFor', { cls: k })}
                        min={0.5}
                        max={0.9999}
                        step="0.001"
                        disabled={!admin}
                        value={rules.serviceLevels[k]}
                        onInput={(e) =>
                          setRules({
                            ...rules,
                            serviceLevels: {
                              ...rules.serviceLevels,
                              [k]: Number((e.currentTarget as HTMLInputElement).value),
                            },
                          })
                        }
                      />
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
        <table class="matrix">
          <caption>{t('rules.maxProbability')}</caption>
          <tbody>
            <tr>
              {VED.map((v) => (
                <td key={v}>
                  <label>
                    {v}{' '}
                    <input
                      type="number"
                      min={0}
                      max={1}
                      step="0.01"
                      disabled={!admin}
                      value={rules.stockoutRisk.maxProbability[v]}
                      onInput={(e) =>
                        setRules({
                          ...rules,
                          stockoutRisk: {
                            ...rules.stockoutRisk,
                            maxProbability: {
                              ...rules.stockoutRisk.maxProbability,
                              [v]: Number((e.currentTarget as HTMLInputElement).value),
                            },
                          },
                        })
                      }
                    />
                  </label>
                </td>
              ))}
            </tr>
          </tbody>
        </table>
        <fieldset disabled={!admin}>
          <legend>{t('rules.enabled')}</legend>
          {toggles.map((k) => (
            <Checkbox
              key={k}
              label={t(`rules.toggle.${k}`)}
              checked={rules[k].enabled}
              onValue={(on) => setRules({ ...rules, [k]: { ...rules[k], enabled: on } })}
            />
          ))}
        </fieldset>
        <ErrorBox error={save.error} />
        {admin && (
          <button type="submit" class="primary" disabled={save.busy}>
            {t('common.save')}
          </button>
        )}
      </form>
    </Card>
  );
}
