import type { ComponentChildren } from 'preact';
import { useEffect, useId, useRef, useState } from 'preact/hooks';
import type { ApiError } from '../api/client';
import { useI18n } from '../i18n/i18n';
import { ErrorBox } from './ui';

/**
 * Asks before a destructive action (remove a member, revoke a session, deactivate a location).
 * With `reasonLabel` the person must say why: the reason goes to the API with the action, which
 * keeps it with who did it and when. `onConfirm` may throw an ApiError: it is shown here and the
 * dialog stays open.
 */
export function ConfirmDialog(props: {
  title: string;
  message: string;
  confirmLabel: string;
  reasonLabel?: string;
  onConfirm: (reason: string) => Promise<unknown>;
  onClose: () => void;
  /** More choices that go with the action (what happens to rejected goods), above the reason. */
  children?: ComponentChildren;
}) {
  const { t } = useI18n();
  const id = useId();
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();
  const first = useRef<HTMLTextAreaElement & HTMLButtonElement>(null);
  useEffect(() => first.current?.focus(), []);
  const needsReason = props.reasonLabel !== undefined;
  const submit = async () => {
    if (needsReason && !reason.trim()) return;
    setBusy(true);
    setError(undefined);
    try {
      await props.onConfirm(reason.trim());
      props.onClose();
    } catch (e) {
      setError(e as ApiError);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="dialog-backdrop">
      <div
        class="dialog card"
        role="dialog"
        aria-modal="true"
        aria-labelledby={`${id}-title`}
        data-testid="confirm-dialog"
        onKeyDown={(e) => {
          if (e.key === 'Escape') props.onClose();
        }}
      >
        <h2 id={`${id}-title`}>{props.title}</h2>
        <p>{props.message}</p>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void submit();
          }}
        >
          {props.children}
          {needsReason && (
            <div class="field">
              <label for={`${id}-reason`}>{props.reasonLabel}</label>
              <textarea
                id={`${id}-reason`}
                name="reason"
                required
                maxLength={500}
                ref={first}
                value={reason}
                onInput={(e) => setReason((e.currentTarget as HTMLTextAreaElement).value)}
              />
            </div>
          )}
          <ErrorBox error={error} />
          <div class="actions-row">
            <button type="submit" class="danger" disabled={busy || (needsReason && !reason.trim())}>
              {props.confirmLabel}
            </button>
            <button type="button" onClick={props.onClose} ref={needsReason ? undefined : first}>
              {t('confirm.back')}
            </button>
          </div>
        </form>
      </div>
    </div>
  );
}
