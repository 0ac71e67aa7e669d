/**
 * The words of a problem, per language. `title` names the kind of problem; `detail` says what
 * happened, with `{param}` placeholders filled from the problem's `params`. Integrators branch on
 * the stable `code` and read the words in the language they asked for (Accept-Language).
 */
export type ProblemLocale = 'zh-CN' | 'en';

export interface ProblemText {
  title: string;
  detail?: string;
}

/** Problem code → its words in both languages. One file per area; index.ts merges them. */
export type ProblemMessages = Record<string, Record<ProblemLocale, ProblemText>>;
