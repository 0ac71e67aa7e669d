import { Type } from 'typebox';
import { Compile } from 'typebox/compile';
import { ProblemError } from './problem.ts';
import { DateTime, IsoDate, Uuid } from './schemas.ts';

/**
 * Opaque cursor pagination: the cursor encodes the sort key of the last row returned, so pages
 * stay stable while rows are inserted (unlike offsets).
 */
export const PageQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, description: 'Page size (default 50).' })),
  cursor: Type.Optional(Type.String({ maxLength: 200, description: 'Opaque cursor from `nextCursor`.' })),
};

export const pageOf = <T extends import('typebox').TSchema>(item: T) =>
  Type.Object({ items: Type.Array(item), nextCursor: Type.Union([Type.String(), Type.Null()]) });

export function encodeCursor(parts: (string | number)[]): string {
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

const isUuid = Compile(Uuid);
const isIsoDate = Compile(IsoDate);
const isDateTime = Compile(DateTime);

/**
 * What each part of a keyset cursor may hold. A cursor is client input like any other: a
 * hand-made one must be refused here, not by PostgreSQL or a comparison deep in a handler.
 */
const CURSOR_PARTS = {
  text: (v: unknown) => typeof v === 'string' && v.length <= 200 && !v.includes('\u0000'),
  int: (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0,
  uuid: (v: unknown) => isUuid.Check(v),
  date: (v: unknown) => isIsoDate.Check(v),
  // Keys are written either as ISO instants or as PostgreSQL's `YYYY-MM-DD HH:MI:SS.US` text
  // (microsecond precision, no offset): both are checked as the instant they denote.
  timestamp: (v: unknown) =>
    typeof v === 'string' &&
    isDateTime.Check(/(Z|[+-]\d\d:\d\d)$/i.test(v) ? v.replace(' ', 'T') : `${v.replace(' ', 'T')}Z`),
} satisfies Record<string, (v: unknown) => boolean>;

export type CursorPart = keyof typeof CURSOR_PARTS;
type CursorValues<S extends readonly CursorPart[]> = {
  -readonly [K in keyof S]: S[K] extends 'int' ? number : string;
};

/** The parts of a cursor this endpoint wrote, checked against `shape`; 400 `invalid_cursor` otherwise. */
export function decodeCursor<const S extends readonly CursorPart[]>(
  cursor: string | undefined,
  shape: S,
): CursorValues<S> | undefined {
  if (cursor === undefined) return undefined;
  let parts: unknown;
  try {
    parts = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {}
  if (
    Array.isArray(parts) &&
    parts.length === shape.length &&
    shape.every((kind, i) => CURSOR_PARTS[kind](parts[i]))
  ) {
    return parts as CursorValues<S>;
  }
  throw new ProblemError(400, 'invalid_cursor', 'Bad request', 'The cursor is not valid.', [
    {
      field: 'querystring:/cursor',
      message: 'not a cursor returned by this endpoint',
      code: 'invalid_cursor',
    },
  ]);
}

export function pageLimit(limit: number | undefined): number {
  return limit ?? 50;
}

/** Takes limit+1 rows, returns the page and the cursor of the last row when more exist. */
export function paginate<T>(rows: T[], limit: number, cursorOf: (row: T) => (string | number)[]) {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(cursorOf(last)) : null };
}
