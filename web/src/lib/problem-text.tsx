import type { ApiError } from '../api/client';
import { ErrorBox } from '../components/ui';
import { CATALOGUES, type MessageKey, useI18n } from '../i18n/i18n';

/** The web catalogue's words for a problem's stable `code` (key `problem.<code>`), when it has them. */
export function problemKey(error: ApiError | undefined): MessageKey | null {
  const key = `problem.${error?.problem.code ?? ''}`;
  return key in CATALOGUES.en ? (key as MessageKey) : null;
}

/**
 * A problem in the reader's language. The API words every problem in the language the client
 * asked for (Accept-Language carries the reader's locale): its detail and each field error's
 * label and message are shown as they came (ErrorBox). The web's own words (`problem.<code>`)
 * stand in only for an answer that carries none.
 */
export function ProblemBox({ error }: { error: ApiError | undefined }) {
  const { t } = useI18n();
  const key = problemKey(error);
  if (!error || error.status === 0 || error.problem.detail || error.problem.title || !key)
    return <ErrorBox error={error} />;
  return (
    <div class="error-box" role="alert" data-code={error.problem.code}>
      <strong>{t(key)}</strong>
    </div>
  );
}
