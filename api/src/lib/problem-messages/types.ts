/**
 * The words of a problem, per language. `title` names the kind of problem; `detail` says what
 * happened, with `{param}` placeholders filled from the problem's `params` (`{@param}` inserts the
 * param's catalogue term, e.g. {@resource} → 采购单). Integrators branch on the stable
 * `code` and read the words in the language they asked for (Accept-Language).
 *
 * Keys of the catalogue:
 * - `<code>` (or `<code>.<variant>` when one code has several wordings): a problem;
 * - `field.<name>`: a request field's label (title only), e.g. `field.quantity` → 数量;
 * - `term.<param>.<value>` (or `term.<value>`): the noun `{@param}` inserts, e.g.
 *   `term.resource.purchase_order` → 采购单;
 * - `validation.<keyword>`: a request-validation message (title only), e.g. 必须大于 {limit}.
 * Both languages must use the same placeholders (tested).
 */
export type ProblemLocale = 'zh-CN' | 'en';

export interface ProblemText {
  title: string;
  detail?: string;
  /** The short message of a field error with this code ("库位不存在"); the detail otherwise. */
  field?: string;
}

/** Problem code → its words in both languages. One file per area; index.ts merges them. */
export type ProblemMessages = Record<string, Record<ProblemLocale, ProblemText>>;
