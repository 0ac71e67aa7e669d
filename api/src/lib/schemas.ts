import { Type } from 'typebox';

/** Small shared schema pieces. Route schemas live beside their routes. */
export const Uuid = Type.String({ format: 'uuid' });
export const IdParams = Type.Object({ id: Uuid }, { additionalProperties: false });
export const DateTime = Type.String({ format: 'date-time' });
export const NullableDateTime = Type.Union([DateTime, Type.Null()]);
export const Role = Type.Union(
  ['owner', 'admin', 'purchaser', 'storekeeper', 'nurse', 'viewer'].map((r) => Type.Literal(r)),
  { description: 'owner/admin: everything; purchaser: read + purchasing; storekeeper and nurse: read + stock writes; viewer: read' },
);
export const Scope = Type.Union(['read', 'stock:write', 'purchasing', 'admin'].map((s) => Type.Literal(s)));
export const SiteIds = Type.Union([Type.Array(Uuid, { maxItems: 500, uniqueItems: true }), Type.Null()], {
  description: 'null: every site; otherwise only these sites',
});
export const Locale = Type.Union([Type.Literal('zh-CN'), Type.Literal('en')]);

export const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);
