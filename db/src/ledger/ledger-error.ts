/** Values for the placeholders of a problem's catalogue words (the API words it per language). */
export type LedgerErrorParams = Record<string, unknown>;

/**
 * A movement the ledger refuses; the API maps it to a 409 or 422 problem with this code, worded
 * in the caller's language from the API's catalogue with `params` (the message is for logs).
 */
export class LedgerError extends Error {
  constructor(
    public readonly code: string,
    message: string,
    public readonly status: 409 | 422 = 422,
    public readonly field?: string,
    public readonly params: LedgerErrorParams = {},
    /** Picks the catalogue wording `<code>.<variant>` when one code has several. */
    public readonly variant?: string,
  ) {
    super(message);
  }
}
