import { useState } from 'preact/hooks';
import { api, call } from '../../api/client';
import { can } from '../../api/session';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { ErrorBox } from '../../components/ui';
import { useI18n } from '../../i18n/i18n';
import type { Location, Site } from '../../lib/sites';
import { useAction } from '../../lib/use-api';

/**
 * Rename and (de)activate a site or a location. Deactivating asks first: a deactivated one takes
 * no new movements, and the API refuses while it still holds stock (the problem says how much).
 */
function RenameDeactivate(props: {
  kind: 'site' | 'location';
  name: string;
  active: boolean;
  save: (patch: { name?: string; active?: boolean }) => Promise<unknown>;
  onChanged: () => void;
}) {
  const { t } = useI18n();
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(props.name);
  const [confirm, setConfirm] = useState(false);
  const rename = useAction(async () => {
    await props.save({ name: name.trim() });
    setEditing(false);
    props.onChanged();
  });
  const reactivate = useAction(async () => {
    await props.save({ active: true });
    props.onChanged();
  });
  if (!can('admin')) return null;
  return (
    <span class="row-actions">
      {editing ? (
        <form
          class="inline-rename"
          onSubmit={(e) => {
            e.preventDefault();
            void rename.run();
          }}
        >
          <input
            aria-label={props.kind === 'site' ? t('sites.renameSite') : t('sites.renameLocation')}
            name="rename"
            required
            maxLength={200}
            value={name}
            onInput={(e) => setName((e.currentTarget as HTMLInputElement).value)}
          />
          <button type="submit" disabled={rename.busy}>
            {t('common.save')}
          </button>
          <button type="button" class="link-button" onClick={() => setEditing(false)}>
            {t('confirm.cancel')}
          </button>
        </form>
      ) : (
        <button type="button" class="link-button" onClick={() => setEditing(true)}>
          {t('sites.rename')}
        </button>
      )}{' '}
      {props.active ? (
        <button type="button" class="link-button danger" onClick={() => setConfirm(true)}>
          {t('sites.deactivate')}
        </button>
      ) : (
        <button type="button" class="link-button" onClick={() => void reactivate.run()}>
          {t('sites.reactivate')}
        </button>
      )}
      <ErrorBox error={rename.error ?? reactivate.error} />
      {confirm && (
        <ConfirmDialog
          title={props.kind === 'site' ? t('sites.deactivateSiteTitle') : t('sites.deactivateLocationTitle')}
          message={
            props.kind === 'site'
              ? t('sites.deactivateSiteConfirm', { name: props.name })
              : t('sites.deactivateLocationConfirm', { name: props.name })
          }
          confirmLabel={t('sites.deactivate')}
          onConfirm={async () => {
            await props.save({ active: false });
            props.onChanged();
          }}
          onClose={() => setConfirm(false)}
        />
      )}
    </span>
  );
}

export function SiteActions({ site, onChanged }: { site: Site; onChanged: () => void }) {
  return (
    <RenameDeactivate
      kind="site"
      name={site.name}
      active={site.active}
      onChanged={onChanged}
      save={(body) => call(api.PATCH('/v1/sites/{id}', { params: { path: { id: site.id } }, body }))}
    />
  );
}

export function LocationActions({ location, onChanged }: { location: Location; onChanged: () => void }) {
  return (
    <RenameDeactivate
      kind="location"
      name={location.name}
      active={location.active}
      onChanged={onChanged}
      save={(body) => call(api.PATCH('/v1/locations/{id}', { params: { path: { id: location.id } }, body }))}
    />
  );
}

/** "停用" beside a deactivated site or location. */
export function InactiveBadge({ active }: { active: boolean }) {
  const { t } = useI18n();
  return active ? null : <span class="badge">{t('md.inactive')}</span>;
}
