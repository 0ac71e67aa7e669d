import type { ComponentChildren, JSX } from 'preact';
import { useId } from 'preact/hooks';
import type { ApiError } from '../api/client';
import { type MessageKey, useI18n } from '../i18n/i18n';

/** A labelled form control; `error` is shown under it and announced via aria-describedby. */
export function Field(props: {
  label: string;
  error?: string | undefined;
  hint?: string;
  children: (id: string, describedBy: string | undefined) => ComponentChildren;
}) {
  const id = useId();
  const errId = `${id}-err`;
  const hintId = `${id}-hint`;
  const describedBy =
    [props.error ? errId : '', props.hint ? hintId : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div class={`field${props.error ? ' has-error' : ''}`}>
      <label for={id}>{props.label}</label>
      {props.children(id, describedBy)}
      {props.hint && (
        <small id={hintId} class="hint">
          {props.hint}
        </small>
      )}
      {props.error && (
        <small id={errId} class="error-text" role="alert">
          {props.error}
        </small>
      )}
    </div>
  );
}

type InputProps = Omit<JSX.InputHTMLAttributes<HTMLInputElement>, 'onInput' | 'value' | 'label'> & {
  label: string;
  value: string | number;
  onValue: (v: string) => void;
  error?: string | undefined;
  hint?: string;
};

export function TextField({ label, value, onValue, error, hint, ...rest }: InputProps) {
  return (
    <Field label={label} error={error} hint={hint}>
      {(id, describedBy) => (
        <input
          id={id}
          aria-describedby={describedBy}
          aria-invalid={error ? true : undefined}
          value={value}
          onInput={(e) => onValue((e.currentTarget as HTMLInputElement).value)}
          {...rest}
        />
      )}
    </Field>
  );
}

export function SelectField<T extends string>(props: {
  label: string;
  value: T;
  onValue: (v: T) => void;
  options: { value: T; label: string }[];
  error?: string | undefined;
  required?: boolean;
  name?: string;
}) {
  return (
    <Field label={props.label} error={props.error}>
      {(id, describedBy) => (
        <select
          id={id}
          name={props.name}
          aria-describedby={describedBy}
          required={props.required}
          value={props.value}
          onChange={(e) => props.onValue((e.currentTarget as HTMLSelectElement).value as T)}
        >
          {props.options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

/** A problem response in words: title/detail and any field errors not shown beside a field. */
export function ErrorBox({ error }: { error: ApiError | undefined }) {
  const { t } = useI18n();
  if (!error) return null;
  const p = error.problem;
  // The API words its problems in the reader's language (the client sends Accept-Language):
  // its detail says what happened; the web's own words only when it said nothing.
  const text =
    error.status === 0
      ? t('error.network')
      : (p.detail ??
        p.title ??
        (error.status === 403
          ? t('error.forbidden')
          : error.status === 404
            ? t('error.notFound')
            : t('error.generic')));
  return (
    <div class="error-box" role="alert" data-code={p.code}>
      <strong>{text}</strong>
      {p.errors && p.errors.length > 0 && (
        <ul>
          {p.errors.map((e) => (
            <li key={`${e.field}:${e.code ?? ''}`}>
              <span class="field-label">{e.label ?? e.field.replace(/^[a-z]+:\/?/, '')}</span>
              {'：'}
              {e.message}
            </li>
          ))}
        </ul>
      )}
      {p.requestId && <small class="muted"> {t('error.requestId', { id: p.requestId })}</small>}
    </div>
  );
}

export function Loading() {
  const { t } = useI18n();
  return (
    <p class="muted" aria-busy="true">
      {t('common.loading')}
    </p>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="empty">{children}</p>;
}

export function PageHeader({ title, children }: { title: string; children?: ComponentChildren }) {
  return (
    <div class="page-header">
      <h1>{title}</h1>
      {children && <div class="actions">{children}</div>}
    </div>
  );
}

export function Card({
  title,
  children,
  class: cls,
}: {
  title?: string;
  children: ComponentChildren;
  class?: string;
}) {
  return (
    <section class={`card ${cls ?? ''}`}>
      {title && <h2>{title}</h2>}
      {children}
    </section>
  );
}

export function Tile({
  label,
  value,
  tone,
  sub,
  help,
}: {
  label: string;
  value: string;
  tone?: string;
  sub?: string;
  /** The figure's definition: shown under it and as the tooltip. */
  help?: string;
}) {
  return (
    <div class={`tile ${tone ? `tone-${tone}` : ''}`} title={help}>
      <div class="tile-label">{label}</div>
      <div class="tile-value">{value}</div>
      {sub && <div class="tile-sub">{sub}</div>}
      {help && <div class="tile-help">{help}</div>}
    </div>
  );
}

export function SeverityBadge({ severity }: { severity: string }) {
  const { t } = useI18n();
  return <span class={`badge sev-${severity}`}>{t(`severity.${severity}` as MessageKey)}</span>;
}

export function StatusBadge({ status }: { status: string }) {
  const { t } = useI18n();
  return <span class={`badge status-${status}`}>{t(`status.${status}` as MessageKey)}</span>;
}

export function Tabs<T extends string>(props: {
  value: T;
  onValue: (v: T) => void;
  tabs: { value: T; label: string }[];
  label: string;
}) {
  return (
    <div class="tabs" role="tablist" aria-label={props.label}>
      {props.tabs.map((tab) => (
        <button
          type="button"
          role="tab"
          key={tab.value}
          aria-selected={props.value === tab.value}
          class={props.value === tab.value ? 'active' : ''}
          onClick={() => props.onValue(tab.value)}
        >
          {tab.label}
        </button>
      ))}
    </div>
  );
}

export function Checkbox(props: {
  /** Words, or words with a code beside them (<code>), e.g. an event type. */
  label: ComponentChildren;
  checked: boolean;
  onValue: (v: boolean) => void;
  name?: string;
}) {
  return (
    <label class="checkbox">
      <input
        type="checkbox"
        name={props.name}
        checked={props.checked}
        onChange={(e) => props.onValue((e.currentTarget as HTMLInputElement).checked)}
      />
      {props.label}
    </label>
  );
}
