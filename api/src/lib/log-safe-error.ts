/**
 * The log serializer for errors. A PostgreSQL error carries the request's values — `detail`
 * (`Key (code)=(…) already exists`), the message (`invalid input syntax for type uuid: "…"`),
 * and Drizzle's wrapper adds the query parameters to its message — so a database error is logged
 * by what identifies it only: SQLSTATE, constraint, table, column. Other errors keep type,
 * message and stack, and no enumerable extras (they may hold values too).
 */
export interface LoggedError {
  [key: string]: unknown;
  type: string;
  message: string;
  stack: string;
  code?: string;
  statusCode?: number;
  database?: {
    code: string;
    constraint?: string;
    table?: string;
    column?: string;
    schema?: string;
    routine?: string;
  };
  cause?: LoggedError;
}

type ErrorLike = Record<string, unknown> & {
  name?: unknown;
  message?: unknown;
  stack?: unknown;
  cause?: unknown;
};

/** A PostgreSQL server error (pg's DatabaseError): a SQLSTATE plus the server's severity. */
function databaseErrorIn(err: unknown): ErrorLike | undefined {
  for (let e = err as ErrorLike | undefined, depth = 0; e && typeof e === 'object' && depth < 8; depth++) {
    if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) && typeof e.severity === 'string')
      return e;
    e = e.cause as ErrorLike | undefined;
  }
  return undefined;
}

/** Drizzle's wrapper puts the SQL and every parameter value into its message. */
const isQueryWrapper = (e: ErrorLike) => 'params' in e && 'query' in e;

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
const frames = (stack: unknown) =>
  typeof stack === 'string'
    ? stack
        .split('\n')
        .filter((l) => l.startsWith('    at '))
        .join('\n')
    : '';

export function logSafeError(err: unknown, depth = 0): LoggedError {
  if (!err || typeof err !== 'object') return { type: typeof err, message: String(err), stack: '' };
  const e = err as ErrorLike;
  const type =
    (e.constructor?.name && e.constructor.name !== 'Object' ? e.constructor.name : str(e.name)) ?? 'Error';
  const db = databaseErrorIn(e);
  if (db || isQueryWrapper(e)) {
    return {
      type,
      message: 'database error (values withheld from the log)',
      stack: frames(e.stack),
      ...(db
        ? {
            database: {
              code: db.code as string,
              ...(str(db.constraint) ? { constraint: str(db.constraint) } : {}),
              ...(str(db.table) ? { table: str(db.table) } : {}),
              ...(str(db.column) ? { column: str(db.column) } : {}),
              ...(str(db.schema) ? { schema: str(db.schema) } : {}),
              ...(str(db.routine) ? { routine: str(db.routine) } : {}),
            },
          }
        : {}),
    };
  }
  return {
    type,
    message: str(e.message) ?? '',
    stack: str(e.stack) ?? '',
    ...(str(e.code) ? { code: str(e.code) } : {}),
    ...(typeof e.statusCode === 'number' ? { statusCode: e.statusCode } : {}),
    ...(e.cause && depth < 5 ? { cause: logSafeError(e.cause, depth + 1) } : {}),
  };
}
