import { ROLES, SCOPES } from '@medstock/core';
import { type TSchemaOptions, Type } from 'typebox';

/**
 * A string enum (JSON Schema `enum`), typed as the union of the given values. Give it core's
 * `as const` arrays (ROLES, MOVEMENT_KINDS, …) so a value added in core reaches the API's
 * schema, and through the OpenAPI document the web app, without a hand-kept copy.
 */
export const StringEnum = <const T extends string[]>(values: readonly [...T], options: TSchemaOptions = {}) =>
  Type.Enum(values, options);

export const Uuid = Type.String({ format: 'uuid' });
export const IdParams = Type.Object({ id: Uuid }, { additionalProperties: false });
/**
 * Calendar dates and instants are limited to the years 1900–2200: far outside any stock record,
 * and inside what PostgreSQL and JavaScript dates both represent (year 0 and 9999 + a day broke
 * both), so out-of-range input is a field error, not a database error.
 */
const YEAR_1900_TO_2200 = '(?:19\\d\\d|2[01]\\d\\d|2200)';
export const IsoDate = Type.String({
  format: 'date',
  pattern: `^${YEAR_1900_TO_2200}-`,
  description: 'A calendar day, YYYY-MM-DD, years 1900–2200.',
});
/** A calendar month, YYYY-MM, in the same years. */
export const IsoMonth = Type.String({
  pattern: `^${YEAR_1900_TO_2200}-(0[1-9]|1[0-2])$`,
  description: 'A calendar month, YYYY-MM, years 1900–2200.',
});
export const DateTime = Type.String({
  format: 'date-time',
  pattern: `^${YEAR_1900_TO_2200}-`,
  description: 'An instant, RFC 3339 with offset, years 1900–2200.',
});
export const NullableDateTime = Type.Union([DateTime, Type.Null()]);
export const Role = StringEnum(ROLES, {
  description:
    'owner/admin: everything; purchaser: read + purchasing; storekeeper and nurse: read + stock writes; viewer: read',
});
export const Scope = StringEnum(SCOPES);
export const SiteIds = Type.Union([Type.Array(Uuid, { maxItems: 500, uniqueItems: true }), Type.Null()], {
  description: 'null: every site; otherwise only these sites',
});
export const Locale = Type.Union([Type.Literal('zh-CN'), Type.Literal('en')]);

/** Raw SQL rows carry timestamps as strings, Drizzle selects as Dates: accept both. */
export const iso = (d: Date | string | null | undefined) => (d ? new Date(d).toISOString() : null);
export const isoRequired = (d: Date | string) => new Date(d).toISOString();

/**
 * Codes of sites, locations and suppliers as a clinic writes them: letters of any script (so
 * 一院 or 国药 are fine), digits and _ . - / inside. No spaces, control or format characters, so a
 * code prints on a label and reads the same everywhere.
 */
export const MasterCode = (maxLength: number) =>
  Type.String({
    minLength: 1,
    maxLength,
    pattern: '^[\\p{L}\\p{N}][\\p{L}\\p{N}\\p{M}_.\\-/]*$',
    description: 'Letters (Chinese too), digits and _ . - /; starts with a letter or digit.',
  });
