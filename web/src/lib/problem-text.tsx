import type { ApiError } from '../api/client';
import { ErrorBox } from '../components/ui';
import { CATALOGUES, type MessageKey, useI18n } from '../i18n/i18n';

/** The catalogue's words for a problem's stable `code` (key `problem.<code>`), when it has them. */
export function problemKey(error: ApiError | undefined): MessageKey | null {
  const key = `problem.${error?.problem.code ?? ''}`;
  return key in CATALOGUES.en ? (key as MessageKey) : null;
}

/** ErrorBox, but a problem the catalogue knows by its code is said in the reader's language. */
export function ProblemBox({ error }: { error: ApiError | undefined }) {
  const { t } = useI18n();
  const key = problemKey(error);
  if (!key) return <ErrorBox error={error} />;
  return (
    <div class="error-box" role="alert" data-code={error?.problem.code}>
      <strong>{t(key)}</strong>
    </div>
  );
}
