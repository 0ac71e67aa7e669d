/**
 * A movement the ledger refuses; the API maps it to a 409 or 422 problem with this code, and
 * `params` fill the placeholders of the code's words in the problem catalogue (zh-CN / en).
 */
export class LedgerError extends Error {
  constructor(
    public readonly code: string,
    message: string,
    public readonly status: 409 | 422 = 422,
    public readonly field?: string,
    public readonly params: Record<string, string | number | boolean | null> = {},
  ) {
    super(message);
  }
}
