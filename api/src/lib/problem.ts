/**
 * RFC 9457 problem details. Every error the API returns has this shape, with a stable `code`
 * that integrators can branch on and the request id for support.
 */
export interface FieldError {
  field: string;
  message: string;
  code?: string;
}

export class ProblemError extends Error {
  constructor(
    public readonly status: number,
    public readonly code: string,
    public readonly title: string,
    public readonly detail?: string,
    public readonly errors?: FieldError[],
    public readonly extra?: Record<string, unknown>,
  ) {
    super(detail ?? title);
  }
}

export const notFound = (what: string) =>
  new ProblemError(404, 'not_found', 'Not found', `${what} was not found.`);
export const forbidden = (detail: string) => new ProblemError(403, 'forbidden', 'Forbidden', detail);
export const unauthorized = (detail = 'Authentication is required.') =>
  new ProblemError(401, 'unauthorized', 'Unauthorized', detail);
export const conflict = (code: string, detail: string) => new ProblemError(409, code, 'Conflict', detail);
export const unprocessable = (code: string, detail: string, errors?: FieldError[]) =>
  new ProblemError(422, code, 'Unprocessable content', detail, errors);
