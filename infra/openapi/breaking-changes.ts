import { apiCompare, type Diff } from 'api-smart-diff';

export interface ContractChanges {
  /** Changes that break an existing client: CI fails on them. */
  breaking: string[];
  /** Changes a client should hear about that do not break it (printed, never failing). */
  notices: string[];
}

const where = (d: Diff) => d.path.map(String).join(' › ');
const describe = (d: Diff) => `${d.description ?? d.action} (${where(d)})`;
const isOperationIdRename = (d: Diff) => d.action === 'replace' && d.path.at(-1) === 'operationId';
// api-smart-diff lets these through; a client reading the answer breaks on them: an optional
// property it uses when present disappears, or a value changes its type.
const isResponsePropertyRemoval = (d: Diff) =>
  d.action === 'remove' && d.path.includes('responses') && d.path.at(-2) === 'properties';
const isTypeChange = (d: Diff) => d.action === 'replace' && d.path.at(-1) === 'type';
// A new value in an enum the API answers with: old clients may meet a value they do not know.
// oasdiff reports this as a warning, not an error; so do we, or adding an alert kind would fail CI.
const isResponseEnumWidening = (d: Diff) =>
  d.action === 'add' && d.path.includes('responses') && d.path.includes('enum');

/**
 * The changes from one OpenAPI document to the next, as api-smart-diff classifies them (removed
 * operations or response codes, new required request fields, removed response properties,
 * narrowed request enums are breaking), with house rules: a renamed operationId is breaking (the
 * generated client names its methods by it), so are a removed optional response property and a
 * changed type; a widened response enum is a notice.
 */
export function contractChanges(before: unknown, after: unknown): ContractChanges {
  const { diffs } = apiCompare(before, after);
  const breaking: string[] = [];
  const notices: string[] = [];
  for (const d of diffs) {
    if (isOperationIdRename(d))
      breaking.push(`operationId renamed from ${d.before} to ${d.after} (${where(d)})`);
    else if (d.type === 'breaking' && isResponseEnumWidening(d)) notices.push(describe(d));
    else if (d.type === 'breaking' || isResponsePropertyRemoval(d) || isTypeChange(d))
      breaking.push(describe(d));
    else if (d.type === 'deprecated') notices.push(describe(d));
  }
  return { breaking, notices };
}
