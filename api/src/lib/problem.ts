/**
 * RFC 9457 problem details. Every error the API returns has this shape, with a stable `code`
 * that integrators can branch on, the `params` its words are filled from, and the request id for
 * support. The words themselves (`title`, `detail`, field messages) come from the catalogue in
 * ./problem-messages/, in the language the request asked for (Accept-Language); the English
 * strings given here are the fallback for a code the catalogue does not know yet (a test fails
 * on any such code).
 */
export interface FieldError {
  /** Machine path of the field: `body:/lines/0/quantity`, `querystring:/limit`. */
  field: string;
  message: string;
  code?: string;
  /** The field's name as a person reads it, in the response's language ("数量"). */
  label?: string;
  /** Values for the placeholders of this field's message. */
  params?: ProblemParams;
  /** The catalogue entry of the message, when not `code` (never sent). */
  messageKey?: string;
}

import type { LedgerError } from '@medstock/db';

/** Placeholder values: strings, numbers, lists of them (sent as given in the body's `params`). */
export type ProblemParams = Record<string, unknown>;

export class ProblemError extends Error {
  constructor(
    public readonly status: number,
    public readonly code: string,
    public readonly title: string,
    public readonly detail?: string,
    public readonly errors?: FieldError[],
    /**
     * More members of the body. `params` (placeholder values) is sent as the body's `params`;
     * `messageKey` (never sent) picks a catalogue entry other than `code` when one code has
     * several wordings (`forbidden.owner_only`).
     */
    public readonly extra?: Record<string, unknown> & { params?: ProblemParams; messageKey?: string },
  ) {
    super(detail ?? title);
  }

  get params(): ProblemParams {
    return this.extra?.params ?? {};
  }

  /** The catalogue entry this problem's words come from. */
  get messageKey(): string {
    return this.extra?.messageKey ?? this.code;
  }
}

/**
 * The resource a not-found problem names, as a catalogue term key: 'The purchase order' and
 * 'purchase_order' both give 'purchase_order' (the catalogue says 采购单 / purchase order).
 */
export const resourceKey = (what: string) =>
  what
    .replace(/^the\s+/i, '')
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_');

/** `what`: the resource, 'The supplier' or 'supplier'; its words are the catalogue's `term.<key>`. */
export const notFound = (what: string) =>
  new ProblemError(404, 'not_found', 'Not found', `${what} was not found.`, undefined, {
    params: { resource: resourceKey(what) },
  });

/**
 * `variant` picks the catalogue wording `forbidden.<variant>`; the code stays `forbidden`.
 */
export const forbidden = (detail: string, variant?: string, params?: ProblemParams) =>
  new ProblemError(403, 'forbidden', 'Forbidden', detail, undefined, {
    ...(params ? { params } : {}),
    ...(variant ? { messageKey: `forbidden.${variant}` } : {}),
  });

/** `variant` picks the catalogue wording `unauthorized.<variant>`; the code stays `unauthorized`. */
export const unauthorized = (detail = 'Authentication is required.', variant?: string) =>
  new ProblemError(
    401,
    'unauthorized',
    'Unauthorized',
    detail,
    undefined,
    variant ? { messageKey: `unauthorized.${variant}` } : undefined,
  );

export const conflict = (code: string, detail: string, params?: ProblemParams) =>
  new ProblemError(409, code, 'Conflict', detail, undefined, params ? { params } : undefined);

export const unprocessable = (code: string, detail: string, errors?: FieldError[], params?: ProblemParams) =>
  new ProblemError(422, code, 'Unprocessable content', detail, errors, params ? { params } : undefined);

/**
 * A ledger refusal raised for one line of a larger request, its field error pointing into that
 * request (`body:/lines/2/expiryDate`); code, params and wording stay the ledger's.
 */
export const lineLedgerProblem = (err: LedgerError, field: string, detail = err.message) =>
  new ProblemError(
    err.status,
    err.code,
    err.status === 409 ? 'Conflict' : 'Unprocessable content',
    detail,
    [
      {
        field,
        message: err.message,
        code: err.code,
        ...(err.variant ? { messageKey: `${err.code}.${err.variant}` } : {}),
      },
    ],
    { params: err.params, ...(err.variant ? { messageKey: `${err.code}.${err.variant}` } : {}) },
  );
