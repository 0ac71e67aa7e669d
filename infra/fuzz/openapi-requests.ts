import fc from 'fast-check';

/**
 * fast-check arbitraries for HTTP requests derived from the OpenAPI document: every operation,
 * its path parameters, query parameters and request body, each either valid-shaped (so the
 * request reaches the handler and the database) or mutated with the values that broke APIs
 * before: wrong types, NUL bytes, huge numbers, extreme dates, unicode, over-long strings,
 * forged cursors and malformed JSON.
 */

export interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  minProperties?: number;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
}

interface Parameter {
  in: 'path' | 'query' | 'header' | 'cookie';
  name: string;
  required?: boolean;
  schema: JsonSchema;
}

interface Operation {
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content: Record<string, { schema?: JsonSchema }> };
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
}

/** Who sends the request; the runner turns this into real credentials. */
export type Principal = 'owner' | 'siteKey' | 'anonymous' | 'forged';

export interface FuzzRequest {
  operation: string;
  as: Principal;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  headers: Record<string, string>;
  payload?: string;
}

/**
 * Real ids (and cursors) of the fuzzed organisation by kind: `sites`, `items`, `deliveries`, …
 * (the first path segment after /v1/, or the kind a parameter name points at).
 */
export type IdPool = Record<string, string[]>;

const LONG = 'x'.repeat(5_000);
const HUGE = 'y'.repeat(200_000);

/** Strings that broke APIs before: NUL, control and unusual unicode, dates outside any calendar. */
export const NASTY_STRINGS: readonly string[] = [
  '\u0000',
  'a\u0000b',
  '',
  ' ',
  'x'.repeat(300),
  LONG,
  '🩺💉 𝔘ñí©ødé 中文名称 عربى',
  '\u202Egnp.exe',
  '\u200B\uFEFF',
  '\ud800',
  '\udfff\ud800',
  '\u0007\b\f\v',
  '\n\r\t',
  'null',
  'NaN',
  'Infinity',
  '-1',
  '1e309',
  '0x10',
  "' or 1=1 --",
  '%',
  '%00',
  '\\',
  '../../etc/passwd',
  '<script>alert(1)</script>',
  '$' + '{7*7}{{7*7}}',
  '0000-01-01',
  '9999-12-31',
  '10000-01-01',
  '-000001-01-01',
  '2024-02-30',
  '1899-12-31',
  '2201-01-01',
  '0000-01-01T00:00:00Z',
  '9999-12-31T23:59:59Z',
  '+275760-09-13T00:00:00.000Z',
  '1900-01-01T00:00:00+14:00',
  '2200-12-31T23:59:59-14:00',
  '00000000-0000-0000-0000-000000000000',
  'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF',
  'http://127.0.0.1:1/hook',
  'https://[64:ff9b::7f00:1]/',
  'msk_aaaaaaaa_bbbbbbbb',
];

export const NASTY_NUMBERS: readonly number[] = [
  0,
  -0,
  -1,
  0.5,
  -0.5,
  1e-300,
  1e308,
  -1e308,
  2 ** 31 - 1,
  2 ** 31,
  -(2 ** 31) - 1,
  2 ** 53,
  2 ** 63,
  2 ** 64,
  Number.MAX_SAFE_INTEGER,
  Number.MIN_SAFE_INTEGER,
  123456789.12345679,
  1e21,
];

const WRONG_TYPES: readonly unknown[] = [
  null,
  true,
  false,
  {},
  [],
  [null],
  { a: 1 },
  'str',
  42,
  [[[[]]]],
  { __proto__: { polluted: true } },
  { constructor: { prototype: { polluted: true } } },
];

const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
  { weight: 1, arbitrary: fc.constantFrom('\u0000', 'a\u0000b', '0000-01-01', '9999-12-31T23:59:59Z') },
  { weight: 2, arbitrary: fc.constantFrom(...NASTY_NUMBERS) },
  { weight: 2, arbitrary: fc.constantFrom(...WRONG_TYPES) },
  { weight: 1, arbitrary: fc.constant(HUGE) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);

const isoDay = (d: Date) => d.toISOString().slice(0, 10);
const validDate = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(new Date('1900-01-01T00:00:00Z'), new Date('2200-12-31T00:00:00Z')),
  },
);

/** Valid-shaped string for a string schema (format, pattern and length honoured). */
function stringOf(schema: JsonSchema, pool: IdPool): fc.Arbitrary<string> {
  const min = schema.minLength ?? 0;
  const max = Math.max(min, Math.min(schema.maxLength ?? 40, 40));
  switch (schema.format) {
    case 'uuid':
      return fc.oneof({ weight: 3, arbitrary: anyKnownId(pool) }, { weight: 1, arbitrary: fc.uuid() });
    case 'date':
      return validDate.map(isoDay);
    case 'date-time':
      return validDate.map((d) => d.toISOString());
    case 'email':
      return fc.emailAddress().filter((e) => e.length <= (schema.maxLength ?? 254));
  }
  if (schema.pattern) {
    const re = new RegExp(schema.pattern);
    return fc
      .stringMatching(re, { size: 'xsmall' })
      .filter((s) => s.length >= min && s.length <= (schema.maxLength ?? Number.POSITIVE_INFINITY));
  }
  return fc.oneof(
    { weight: 3, arbitrary: fc.string({ minLength: min, maxLength: max }) },
    { weight: 1, arbitrary: fc.string({ minLength: min, maxLength: max, unit: 'grapheme' }) },
    // At the limit: the longest value the schema allows.
    { weight: 1, arbitrary: fc.constant('m'.repeat(Math.max(min, schema.maxLength ?? 1_000))) },
  );
}

function numberOf(schema: JsonSchema, integer: boolean): fc.Arbitrary<number> {
  const lo = schema.minimum ?? schema.exclusiveMinimum ?? Math.min(-10, schema.maximum ?? 0);
  const hi = schema.maximum ?? schema.exclusiveMaximum ?? Math.max(100_000, lo + 100_000);
  const inside = (n: number) =>
    !(schema.exclusiveMinimum !== undefined && n <= schema.exclusiveMinimum) &&
    !(schema.exclusiveMaximum !== undefined && n >= schema.exclusiveMaximum);
  const intLo = Math.ceil(lo);
  const intHi = Math.floor(hi);
  const ints =
    intLo <= intHi
      ? fc.oneof(fc.integer({ min: intLo, max: intHi }), fc.constantFrom(intLo, intHi)).filter(inside)
      : null;
  if (integer) return ints ?? fc.constant(intLo);
  const double = fc.double({ min: lo, max: hi, noNaN: true, noDefaultInfinity: true }).filter(inside);
  return ints ? fc.oneof(double, ints) : double;
}

/**
 * How a request is mutated: `rate` is the chance that any one value is replaced; `theme` picks
 * one class of hostile value for the whole request (so the rest stays valid and the request
 * reaches the handler and the database), or `any` mixes them all.
 */
export type Theme = 'any' | 'nul' | 'dates' | 'numbers' | 'lengths' | 'types' | 'cursors';
export interface Mutation {
  rate: number;
  theme: Theme;
}
export const VALID: Mutation = { rate: 0, theme: 'any' };
const THEMES: readonly Theme[] = ['any', 'nul', 'dates', 'numbers', 'lengths', 'types', 'cursors'];

/** A value for `schema`, mutated as `m` says; `VALID` gives values the schema accepts. */
export function schemaValue(schema: JsonSchema, pool: IdPool, m: Mutation, depth = 0): fc.Arbitrary<unknown> {
  const valid = validOf(schema, pool, m, depth);
  if (m.rate <= 0) return valid;
  const hostile = hostileOf(schema, pool, m.theme);
  if (!hostile) return valid;
  const w = Math.round(m.rate * 100);
  return fc.oneof({ weight: 100 - w, arbitrary: valid }, { weight: w, arbitrary: hostile });
}

const EXTREME_DATES = NASTY_STRINGS.filter((s) => /^[+-]?\d{4,6}-\d\d-\d\d/.test(s));

/** Hostile values for this schema in this theme, or null when the theme has none for it. */
function hostileOf(schema: JsonSchema, pool: IdPool, theme: Theme): fc.Arbitrary<unknown> | null {
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  const isDate = type === 'string' && (schema.format === 'date' || schema.format === 'date-time');
  switch (theme) {
    case 'any': {
      const near = [
        hostileOf(schema, pool, 'nul'),
        hostileOf(schema, pool, 'dates'),
        hostileOf(schema, pool, 'numbers'),
      ];
      return fc.oneof(nastyValue, ...near.filter((a): a is fc.Arbitrary<unknown> => a !== null));
    }
    case 'nul':
      if (type !== 'string' || schema.enum) return null;
      return stringOf(schema, pool).chain((v) =>
        fc.constantFrom(`${v}\u0000`, `\u0000${v}`, `${v.slice(0, 1)}\u0000${v.slice(1)}`),
      );
    case 'dates':
      return isDate ? fc.constantFrom(...EXTREME_DATES) : null;
    case 'numbers': {
      if (type !== 'integer' && type !== 'number') return null;
      const edges = [schema.minimum, schema.maximum, schema.exclusiveMinimum, schema.exclusiveMaximum]
        .filter((n): n is number => n !== undefined)
        .flatMap((n) => [n - 1, n + 1, n - 0.5, n + 0.5]);
      return fc.constantFrom(...NASTY_NUMBERS, ...edges);
    }
    case 'lengths':
      if (type === 'string' && !schema.enum) {
        return fc.constantFrom(
          'x'.repeat((schema.maxLength ?? 3_000) + 1),
          'é'.repeat(Math.min(schema.maxLength ?? 3_000, 100_000)),
          '𝔘'.repeat(Math.min(schema.maxLength ?? 1_500, 50_000)),
          HUGE,
        );
      }
      if (type === 'array' && (schema.maxItems ?? 200) < 1_000) {
        const n = (schema.maxItems ?? 200) + 1;
        return fc.array(validOf(schema.items ?? {}, pool, VALID, 3), { minLength: n, maxLength: n });
      }
      return null;
    case 'types':
      return fc.constantFrom(...WRONG_TYPES);
    case 'cursors':
      return null;
  }
}

function validOf(schema: JsonSchema, pool: IdPool, m: Mutation, depth: number): fc.Arbitrary<unknown> {
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const branches = schema.anyOf ?? schema.oneOf;
  if (branches) return fc.oneof(...branches.map((b) => schemaValue(b, pool, m, depth + 1)));
  if (schema.allOf) {
    const merged: JsonSchema = { type: 'object', properties: {}, required: [] };
    for (const part of schema.allOf) {
      Object.assign(merged.properties!, part.properties);
      merged.required!.push(...(part.required ?? []));
    }
    return validOf(merged, pool, m, depth);
  }
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'string':
      return stringOf(schema, pool);
    case 'integer':
      return numberOf(schema, true);
    case 'number':
      return numberOf(schema, false);
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      const item = schemaValue(schema.items ?? {}, pool, m, depth + 1);
      const minLength = schema.minItems ?? 0;
      const maxLength = Math.max(minLength, Math.min(schema.maxItems ?? 4, depth > 2 ? 1 : 4));
      return schema.uniqueItems
        ? fc.uniqueArray(item, { minLength, maxLength, selector: (v) => JSON.stringify(v) })
        : fc.array(item, { minLength, maxLength });
    }
    case 'object':
      return objectOf(schema, pool, m, depth);
  }
  if (schema.properties) return objectOf(schema, pool, m, depth);
  return fc.jsonValue({ maxDepth: 2 });
}

function objectOf(schema: JsonSchema, pool: IdPool, m: Mutation, depth: number): fc.Arbitrary<unknown> {
  const properties = schema.properties ?? {};
  const required = schema.required ?? [];
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [name, s] of Object.entries(properties)) model[name] = schemaValue(s, pool, m, depth + 1);
  let record: fc.Arbitrary<Record<string, unknown>> = fc.record(model, { requiredKeys: required });
  if (typeof schema.additionalProperties === 'object' && Object.keys(properties).length === 0) {
    record = fc.dictionary(
      fc.string({ minLength: 1, maxLength: 12 }),
      schemaValue(schema.additionalProperties, pool, m, depth + 1),
      { maxKeys: 4 },
    );
  }
  if (m.rate <= 0 || m.theme !== 'any') return record;
  // Structural mutations: a required field dropped, an unknown one added.
  return fc.oneof(
    { weight: 8, arbitrary: record },
    {
      weight: 1,
      arbitrary: fc
        .tuple(record, fc.constantFrom(...(required.length ? required : ['-'])))
        .map(([r, drop]) => Object.fromEntries(Object.entries(r).filter(([k]) => k !== drop))),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          record,
          fc.constantFrom('unknownField', '__proto__', 'constructor', 'a\u0000b', ''),
          nastyValue,
        )
        .map(([r, key, v]) => ({ ...r, [key]: v })),
    },
  );
}

const anyKnownId = (pool: IdPool) => {
  const ids = Object.entries(pool)
    .filter(([kind]) => kind !== 'cursors')
    .flatMap(([, v]) => v);
  return ids.length ? fc.constantFrom(...ids) : fc.uuid();
};

/** The kind of id a path or query parameter names, for picking a real one from the pool. */
export function kindOf(path: string, param: string): string {
  const named: Record<string, string> = {
    itemId: 'items',
    supplierId: 'suppliers',
    siteId: 'sites',
    locationId: 'locations',
    fromLocationId: 'locations',
    toLocationId: 'locations',
    deliveryId: 'deliveries',
    procedureTypeId: 'procedure-types',
    actorId: 'users',
    lineId: 'lines',
    code: 'catalogue-templates',
  };
  if (param !== 'id') return named[param] ?? param;
  // `{id}` is the resource of the segment before it: /v1/sites/{id}, /v1/auth/sessions/{id}.
  const segments = path.split('/');
  const at = segments.indexOf('{id}');
  return segments[at - 1] ?? 'unknown';
}

/** Percent-encodes UTF-8 bytes; unlike encodeURIComponent it accepts lone surrogates (as U+FFFD). */
const encodeSegment = (s: string) =>
  [...Buffer.from(s, 'utf8')]
    .map((b) =>
      /[A-Za-z0-9\-._~]/.test(String.fromCharCode(b))
        ? String.fromCharCode(b)
        : `%${b.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('');

/** Path parameter values: real ids mostly, else random ids and broken segments. */
function pathValueOf(path: string, p: Parameter, pool: IdPool): fc.Arbitrary<string> {
  const known = pool[kindOf(path, p.name)] ?? [];
  const raw = fc.constantFrom('%', '%zz', '%00', 'a'.repeat(300), '..', '%2e%2e', ';', 'x%20y');
  return fc.oneof(
    { weight: known.length ? 8 : 0, arbitrary: known.length ? fc.constantFrom(...known) : fc.constant('') },
    { weight: 2, arbitrary: fc.uuid() },
    { weight: 1, arbitrary: anyKnownId(pool) },
    { weight: 1, arbitrary: schemaValue(p.schema, pool, VALID).map((v) => encodeSegment(String(v))) },
    { weight: 1, arbitrary: fc.constantFrom(...NASTY_STRINGS).map((s) => encodeSegment(s)) },
    { weight: 1, arbitrary: raw },
  );
}

/** Hand-made cursors: base64url JSON of the wrong shape or types, or not JSON at all. */
// Parts of the kinds real cursors hold (ids, instants, days, numbers, codes), some hostile.
const cursorPart = fc.oneof(
  nastyValue,
  fc.uuid(),
  validDate.map((d) => d.toISOString()),
  validDate.map(isoDay),
  fc.constantFrom(...EXTREME_DATES, 'not a time', '2024-13-45T99:99:99'),
  fc.integer(),
  fc.string({ maxLength: 10 }),
);

/** Hand-made cursors: base64url JSON of the wrong shape or types, or not JSON at all. */
const forgedCursor: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .integer({ min: 1, max: 4 })
      .chain((n) => fc.array(cursorPart, { minLength: n, maxLength: n }))
      .map((parts) => Buffer.from(JSON.stringify(parts)).toString('base64url')),
  },
  {
    weight: 1,
    arbitrary: nastyValue.map((v) => Buffer.from(JSON.stringify(v) ?? 'undefined').toString('base64url')),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
);

function queryValueOf(path: string, p: Parameter, pool: IdPool, m: Mutation): fc.Arbitrary<unknown> {
  const known = pool[kindOf(path, p.name)] ?? [];
  const real = p.name === 'cursor' && pool.cursors?.length ? [fc.constantFrom(...pool.cursors)] : [];
  const valid = fc.oneof(
    schemaValue(p.schema, pool, VALID),
    ...(known.length ? [fc.constantFrom(...known)] : []),
    ...real,
  );
  if (m.rate <= 0) return valid;
  let hostile: fc.Arbitrary<unknown> | null;
  if (p.name === 'cursor') hostile = m.theme === 'any' || m.theme === 'cursors' ? forgedCursor : null;
  else if (m.theme === 'any')
    hostile = fc.oneof(
      schemaValue(p.schema, pool, { rate: 1, theme: 'any' }),
      fc.array(schemaValue(p.schema, pool, VALID), { minLength: 2, maxLength: 3 }),
    );
  else hostile = hostileOf(p.schema, pool, m.theme);
  return hostile ? fc.oneof({ weight: 1, arbitrary: valid }, { weight: 2, arbitrary: hostile }) : valid;
}

function queryString(entries: Array<[string, unknown]>): string {
  const q = new URLSearchParams();
  for (const [name, value] of entries) {
    if (value === undefined) continue;
    const values = Array.isArray(value) ? value : [value];
    for (const v of values)
      q.append(name, typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

const MALFORMED_JSON = [
  '{"a":',
  '{"a":1}}',
  '[',
  '{',
  'nul',
  '\u0000',
  '{"a":"\\u0000"}',
  '{"__proto__":{"polluted":true}}',
  '{"constructor":{"prototype":{"polluted":true}}}',
  '{"a":1,"a":2}',
  '"just a string"',
  '123',
  'null',
  '[1,2,3]',
  '{"a":"\\ud800"}',
  '{"a":1e99999}',
  '['.repeat(5_000) + ']'.repeat(5_000),
  `{"a":"${'z'.repeat(50_000)}"}`,
];

interface BodyChoice {
  payload?: string;
  contentType?: string;
}

function bodyOf(op: Operation, pool: IdPool, m: Mutation): fc.Arbitrary<BodyChoice> {
  const content = op.requestBody?.content ?? {};
  const json = content['application/json']?.schema;
  const junk: fc.Arbitrary<BodyChoice> = fc.oneof(
    fc.constantFrom(...MALFORMED_JSON).map((payload) => ({ payload, contentType: 'application/json' })),
    fc.constant({ payload: '', contentType: 'application/json' }),
    fc.constant({ payload: 'hello', contentType: 'text/plain' }),
    fc.constant({ payload: '<a/>', contentType: 'application/xml' }),
    nastyValue.map((v) => ({ payload: JSON.stringify(v) ?? 'null', contentType: 'application/json' })),
  );
  const choices: Array<fc.WeightedArbitrary<BodyChoice>> = [];
  if (json) {
    choices.push({
      weight: 10,
      arbitrary: schemaValue(json, pool, m).map((v) => ({
        payload: JSON.stringify(v) ?? 'null',
        contentType: 'application/json',
      })),
    });
  }
  const text = Object.keys(content).filter((t) => t !== 'application/json');
  if (text.length) {
    const cell = fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.constantFrom(...NASTY_STRINGS.filter((s) => s.length < 400)),
    );
    const rows = fc.array(fc.array(cell, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 6 });
    choices.push({
      weight: 6,
      arbitrary: fc.tuple(fc.constantFrom(...text), rows).map(([contentType, r]) => ({
        contentType,
        payload: r.map((cells) => cells.join(contentType === 'text/csv' ? ',' : '\t')).join('\n'),
      })),
    });
  }
  if (!choices.length) choices.push({ weight: 10, arbitrary: fc.constant({}) });
  choices.push({ weight: m.rate > 0 && m.theme === 'any' ? 3 : 0, arbitrary: junk });
  return fc.oneof(...choices);
}

const principal: fc.Arbitrary<Principal> = fc.oneof(
  { weight: 5, arbitrary: fc.constant<Principal>('owner') },
  { weight: 4, arbitrary: fc.constant<Principal>('siteKey') },
  { weight: 1, arbitrary: fc.constant<Principal>('anonymous') },
  { weight: 1, arbitrary: fc.constant<Principal>('forged') },
);

const extraHeaders: fc.Arbitrary<Record<string, string>> = fc.record(
  {
    'idempotency-key': fc.oneof(
      fc.uuid(),
      fc.string({ minLength: 1, maxLength: 300 }).map((s) => s.replace(/[^ -~]/g, 'x')),
    ),
    'accept-language': fc.constantFrom('en', 'zh-CN', 'zh-CN,zh;q=0.9,en;q=0.8', 'xx', '*'),
    'x-request-id': fc.constantFrom('fuzz-1', 'a'.repeat(200), '../../x', '<id>'),
  },
  { requiredKeys: [] },
);

/** One arbitrary request for one operation. */
export function requestFor(
  path: string,
  method: string,
  op: Operation,
  pool: IdPool,
): fc.Arbitrary<FuzzRequest> {
  const params = op.parameters ?? [];
  const pathParams = params.filter((p) => p.in === 'path');
  const queryParams = params.filter((p) => p.in === 'query');
  const build = (m: Mutation) =>
    fc.record({
      as: principal,
      path: fc.tuple(...pathParams.map((p) => pathValueOf(path, p, pool))),
      query: fc.tuple(
        ...queryParams.map((p) =>
          fc.option(queryValueOf(path, p, pool, m), {
            nil: undefined,
            // Optional parameters are left out half the time, except the one a theme targets.
            freq: p.required || (m.theme === 'cursors' && p.name === 'cursor') ? 100 : 2,
          }),
        ),
      ),
      body: bodyOf(op, pool, m),
      extra: extraHeaders,
    });
  return fc
    .oneof(
      { weight: 3, arbitrary: build(VALID) },
      ...THEMES.map((theme) => ({
        weight: theme === 'any' ? 3 : 1,
        arbitrary: build({ rate: theme === 'any' ? 0.15 : 0.4, theme }),
      })),
    )
    .map(({ as, path: pathValues, query, body, extra }) => {
      let i = 0;
      const url =
        path.replace(/\{[^}]+\}/g, () => pathValues[i++] ?? '') +
        queryString(queryParams.map((p, k) => [p.name, query[k]]));
      const headers: Record<string, string> = { ...extra };
      if (body.contentType) headers['content-type'] = body.contentType;
      return {
        operation: `${method.toUpperCase()} ${path}`,
        as,
        method: method.toUpperCase() as FuzzRequest['method'],
        url,
        headers,
        ...(body.payload !== undefined ? { payload: body.payload } : {}),
      };
    });
}

/** Requests over every operation of the document, each operation equally likely. */
export function requestsFrom(doc: OpenApiDocument, pool: IdPool): fc.Arbitrary<FuzzRequest> {
  const all: Array<fc.Arbitrary<FuzzRequest>> = [];
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      all.push(requestFor(path, method, op, pool));
    }
  }
  return fc.oneof(...all);
}
