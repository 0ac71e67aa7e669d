import { Type } from 'typebox';
import { ProblemError } from './problem.ts';

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

export function decodeCursor(cursor: string | undefined, arity: number): (string | number)[] | undefined {
  if (cursor === undefined) return undefined;
  try {
    const parts = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parts) && parts.length === arity) return parts;
  } catch {}
  throw new ProblemError(400, 'invalid_cursor', 'Bad request', 'The cursor is not valid.', [
    { field: '/cursor', message: 'not a cursor returned by this endpoint' },
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
