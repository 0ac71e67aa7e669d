import { useI18n } from '../i18n/i18n';
import { useSites } from '../lib/sites';
import { SelectField } from './ui';

/** "Whole chain" or one site; a user limited to sites sees only theirs. */
export function SiteFilter({
  value,
  onValue,
  label,
}: {
  value: string;
  onValue: (v: string) => void;
  label?: string;
}) {
  const { t } = useI18n();
  const sites = useSites();
  // A single-site clinic has nothing to choose between, and no chain to call "all sites".
  if ((sites.data?.length ?? 0) <= 1) return null;
  return (
    <SelectField
      label={label ?? t('field.site')}
      name="siteId"
      value={value}
      onValue={onValue}
      options={[
        { value: '', label: t('common.allSites') },
        ...(sites.data ?? []).map((s) => ({ value: s.id, label: s.name })),
      ]}
    />
  );
}

/** Every location, grouped by site. */
export function LocationSelect(props: {
  label: string;
  value: string;
  onValue: (v: string) => void;
  error?: string | undefined;
  name?: string;
  allowEmpty?: string;
}) {
  const sites = useSites();
  const options = [
    ...(props.allowEmpty !== undefined ? [{ value: '', label: props.allowEmpty }] : []),
    ...(sites.data ?? []).flatMap((s) =>
      s.locations.map((l) => ({ value: l.id, label: `${s.name} · ${l.name}` })),
    ),
  ];
  return (
    <SelectField
      label={props.label}
      name={props.name}
      value={props.value}
      onValue={props.onValue}
      options={options}
      error={props.error}
    />
  );
}
