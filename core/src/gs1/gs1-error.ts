/**
 * Stable error codes: the API and the web client map these to translated messages, so the code
 * must never change once shipped; the English message is for logs and developers.
 */
export type Gs1ErrorCode =
  | 'gs1.empty'
  | 'gs1.not_gs1'
  | 'gs1.bad_syntax'
  | 'gs1.unknown_ai'
  | 'gs1.truncated'
  | 'gs1.too_long'
  | 'gs1.bad_char'
  | 'gs1.bad_length'
  | 'gs1.check_digit'
  | 'gs1.bad_date'
  | 'gs1.duplicate_ai';

export class Gs1ParseError extends Error {
  override readonly name = 'Gs1ParseError';
  readonly code: Gs1ErrorCode;
  /** The application identifier the problem belongs to, when one was recognised. */
  readonly ai: string | undefined;
  /** 0-based offset into the original input (symbology prefix included) where the problem starts. */
  readonly position: number | undefined;

  constructor(code: Gs1ErrorCode, message: string, details: { ai?: string; position?: number } = {}) {
    super(message);
    this.code = code;
    this.ai = details.ai;
    this.position = details.position;
  }
}
