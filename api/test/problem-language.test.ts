import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FuzzTarget, seedFuzzTarget } from '../../infra/fuzz/fuzz-fixtures.ts';
import { type OpenApiDocument, requestFor } from '../../infra/fuzz/openapi-requests.ts';
import { resourceKey } from '../src/lib/problem.ts';
import { negotiateLocale, placeholdersOf } from '../src/lib/problem-language.ts';
import { PROBLEM_MESSAGES } from '../src/lib/problem-messages/index.ts';
import type { ProblemMessages } from '../src/lib/problem-messages/types.ts';
import { addMember } from './support/members.ts';
import { PASSWORD, type SignedUp, signUp, startTestApp, type TestApp } from './support/test-app.ts';

const root = resolve(import.meta.dirname, '../..');
const catalogueDir = resolve(root, 'api/src/lib/problem-messages');

// ---------------------------------------------------------------------------------------------
// The catalogue and the source: every code thrown has words in both languages.

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** The top-level arguments of the call whose '(' is at `open` (strings, templates and brackets skipped). */
function callArguments(text: string, open: number): string[] {
  const args: string[] = [];
  let depth = 0;
  let start = open + 1;
  for (let i = open; i < text.length; i++) {
    const c = text[i]!;
    if (c === "'" || c === '"' || c === '`') {
      // Skip the literal (template expressions may nest, but never an unbalanced quote here).
      for (i++; i < text.length && text[i] !== c; i++) if (text[i] === '\\') i++;
      continue;
    }
    if (c === '/' && text[i + 1] === '/') {
      i = text.indexOf('\n', i);
      continue;
    }
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      depth--;
      if (depth === 0) {
        args.push(text.slice(start, i).trim());
        return args;
      }
    } else if (c === ',' && depth === 1) {
      args.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  return args;
}

/** The plain string literals in an expression (not templates with `${`). */
const literals = (expr: string | undefined) =>
  [...(expr ?? '').replace(/[!=]==?\s*'[^']*'/g, '').matchAll(/'([a-z][a-z0-9_.-]*)'/g)].map(
    (m) => m[1] as string,
  );

/** Calls of `name(` in `text` (a word boundary before it), with their arguments. */
function calls(text: string, name: string): string[][] {
  const out: string[][] = [];
  const re = new RegExp(`(?<![\\w.])${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\(`, 'g');
  for (const m of text.matchAll(re)) out.push(callArguments(text, m.index! + m[0].length - 1));
  return out;
}

interface Need {
  key: string;
  where: string;
}

/** Every catalogue key the API and ledger source can produce, with where it comes from. */
function neededKeys(): { exact: Need[]; prefixes: Need[] } {
  const exact: Need[] = [];
  const prefixes: Need[] = [];
  const need = (key: string, where: string) => exact.push({ key, where });
  const files = [...sourceFiles(resolve(root, 'api/src')), ...sourceFiles(resolve(root, 'db/src'))].filter(
    (f) => !f.includes('/problem-messages/'),
  );
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const where = file.slice(root.length + 1);
    for (const args of calls(text, 'new ProblemError')) {
      const template = args[5]?.match(/messageKey:\s*`([a-z_]+)\.\$\{/)?.[1];
      const keys = template ? [] : literals(args[5]?.match(/messageKey:\s*([^,}]+)/)?.[1]);
      if (template) prefixes.push({ key: `${template}.`, where });
      if (keys.length) for (const k of keys) need(k, where);
      else if (!template) for (const k of literals(args[1])) need(k, where);
    }
    for (const fn of ['conflict', 'unprocessable', 'gone'])
      for (const args of calls(text, fn)) for (const k of literals(args[0])) need(k, where);
    if (where.endsWith('grant-rules.ts'))
      for (const args of calls(text, 'refuse')) for (const k of literals(args[0])) need(k, where);
    for (const fn of ['forbidden', 'unauthorized'])
      for (const args of calls(text, fn)) {
        if (args.length === 0 || args[0] === '') continue;
        const variants = literals(args[1]);
        if (variants.length) for (const v of variants) need(`${fn}.${v}`, where);
        else need(fn, where);
      }
    for (const args of calls(text, 'new LedgerError')) {
      const variants = literals(args[5]);
      for (const code of literals(args[0])) {
        for (const v of variants) need(`${code}.${v}`, where);
        if (!variants.length || /undefined/.test(args[5] ?? '')) need(code, where);
      }
    }
    // Field errors: an object literal with a field and a literal code.
    for (const m of text.matchAll(/\{[^{}]*\bfield:[^{}]*\bcode:\s*'([a-z_]+)'[^{}]*\}/g)) {
      const fieldKey = m[0].match(/messageKey:\s*'([a-z_.]+)'/)?.[1];
      need(fieldKey ?? m[1]!, where);
    }
    for (const m of text.matchAll(/messageKey:\s*'([a-z_]+\.[a-z_.]+)'/g)) need(m[1]!, where);
    for (const m of text.matchAll(/readonly code = '([a-z_]+)'/g)) need(m[1]!, where);
    // rethrowUnique({ constraint: [code, detail, params?, messageKey?] }).
    for (const m of text.matchAll(/_key:\s*\[\s*'([a-z_]+)'/g)) need(m[1]!, where);
    // Resources a 404 names.
    for (const args of calls(text, 'notFound'))
      for (const m of (args[0] ?? '').matchAll(/^'([^']+)'$/g))
        need(`term.resource.${resourceKey(m[1]!)}`, where);
    for (const args of calls(text, 'assertSiteVisible'))
      if (args[2]?.startsWith("'")) need(`term.resource.${resourceKey(args[2].slice(1, -1))}`, where);
  }
  // The errors plugin: the database's refusals and the framework's.
  const plugin = readFileSync(resolve(root, 'api/src/plugins/errors.plugin.ts'), 'utf8');
  for (const m of plugin.matchAll(/\[\s*\d{3},\s*'([a-z_]+)',\s*'[^']*'(?:,\s*'([a-z_.]+)')?\s*\]/g))
    need(m[2] ?? m[1]!, 'errors.plugin.ts');
  for (const m of plugin.matchAll(/\bcode:\s*'([a-z_]+)'/g)) need(m[1]!, 'errors.plugin.ts');
  for (const m of plugin.matchAll(/FST_ERR_[A-Z_]+:\s*'([a-z_]+)'/g)) need(m[1]!, 'errors.plugin.ts');
  for (const m of plugin.matchAll(/messageKey:\s*'([a-z_.]+)'/g)) need(m[1]!, 'errors.plugin.ts');
  // Core's domain codes (units.not_integer → units_not_integer), answered as problems.
  for (const file of sourceFiles(resolve(root, 'core/src'))) {
    for (const m of readFileSync(file, 'utf8').matchAll(/'((?:units|gs1)\.[a-z_]+)'/g))
      need(m[1]!.replace('.', '_'), file.slice(root.length + 1));
  }
  return { exact, prefixes };
}

/** Each area file's exported catalogue objects, by file. */
async function areaCatalogues(): Promise<Array<{ file: string; messages: ProblemMessages }>> {
  const out: Array<{ file: string; messages: ProblemMessages }> = [];
  for (const file of readdirSync(catalogueDir)) {
    if (!file.endsWith('.ts') || file === 'index.ts' || file === 'types.ts') continue;
    const mod = (await import(join(catalogueDir, file))) as Record<string, unknown>;
    for (const value of Object.values(mod))
      if (value && typeof value === 'object') out.push({ file, messages: value as ProblemMessages });
  }
  return out;
}

describe('the problem catalogue', () => {
  it('has words in both languages for every code the source throws', () => {
    const { exact, prefixes } = neededKeys();
    // The scan must find what it looks for, or it proves nothing.
    expect(exact.length).toBeGreaterThan(150);
    expect(exact.map((n) => n.key)).toEqual(
      expect.arrayContaining([
        'last_owner',
        'insufficient_stock.quarantined',
        'forbidden.role',
        'units_not_integer',
      ]),
    );
    const missing = [
      ...new Set(
        exact
          .filter(
            (n) =>
              !(PROBLEM_MESSAGES[n.key] ?? PROBLEM_MESSAGES[`validation.${n.key}`])?.['zh-CN'] ||
              !(PROBLEM_MESSAGES[n.key] ?? PROBLEM_MESSAGES[`validation.${n.key}`])?.en,
          )
          .map((n) => `${n.key} (${n.where})`),
      ),
      ...prefixes
        .filter((p) => !Object.keys(PROBLEM_MESSAGES).some((k) => k.startsWith(p.key)))
        .map((p) => `${p.key}* (${p.where})`),
    ];
    expect(missing).toEqual([]);
  });

  it('uses the same placeholders in zh-CN and en, and is non-empty', () => {
    const mismatched: string[] = [];
    for (const [key, text] of Object.entries(PROBLEM_MESSAGES)) {
      for (const part of ['title', 'detail', 'field'] as const) {
        const zh = text['zh-CN']?.[part];
        const en = text.en?.[part];
        if (part === 'title' && (!zh?.trim() || !en?.trim())) mismatched.push(`${key}: empty title`);
        if ((zh === undefined) !== (en === undefined)) mismatched.push(`${key}.${part}: only one language`);
        const a = [...new Set(placeholdersOf(zh))].sort().join(',');
        const b = [...new Set(placeholdersOf(en))].sort().join(',');
        if (a !== b) mismatched.push(`${key}.${part}: zh-CN {${a}} vs en {${b}}`);
      }
    }
    expect(mismatched).toEqual([]);
  });

  it('Chinese words are Chinese', () => {
    const english = Object.entries(PROBLEM_MESSAGES).flatMap(([key, text]) =>
      (['title', 'detail', 'field'] as const).flatMap((part) => {
        const words = text['zh-CN']?.[part];
        // A label may be a proper name (UDI-DI); everything else says something in Chinese.
        return words && !/[\u4e00-\u9fff]/.test(words) && !ALLOWED_LATIN_ONLY.has(words)
          ? [`${key}.${part}: ${words}`]
          : [];
      }),
    );
    expect(english).toEqual([]);
  });

  it('every area file is spread into the index, and no key is defined twice', async () => {
    const index = readFileSync(join(catalogueDir, 'index.ts'), 'utf8');
    const unlinked = readdirSync(catalogueDir).filter(
      (f) => f.endsWith('.ts') && f !== 'index.ts' && f !== 'types.ts' && !index.includes(`'./${f}'`),
    );
    expect(unlinked).toEqual([]);
    const seen = new Map<string, string>();
    const twice: string[] = [];
    for (const { file, messages } of await areaCatalogues()) {
      for (const key of Object.keys(messages)) {
        const first = seen.get(key);
        if (first && first !== file) twice.push(`${key}: ${first} and ${file}`);
        seen.set(key, file);
      }
    }
    expect(twice).toEqual([]);
  });

  it('negotiates the language from Accept-Language', () => {
    expect(negotiateLocale(undefined)).toBe('en');
    expect(negotiateLocale('')).toBe('en');
    expect(negotiateLocale('zh-CN')).toBe('zh-CN');
    expect(negotiateLocale('zh')).toBe('zh-CN');
    expect(negotiateLocale('zh-Hans')).toBe('zh-CN');
    expect(negotiateLocale('zh-Hans-CN,zh;q=0.9')).toBe('zh-CN');
    expect(negotiateLocale('en-GB,en;q=0.9')).toBe('en');
    expect(negotiateLocale('fr-FR, zh;q=0.5, en;q=0.4')).toBe('zh-CN');
    expect(negotiateLocale('en;q=0.5, zh-CN;q=0.9')).toBe('zh-CN');
    expect(negotiateLocale('zh-CN;q=0, en')).toBe('en');
    expect(negotiateLocale('de, fr')).toBe('en');
    expect(negotiateLocale('*')).toBe('en');
  });
});

// ---------------------------------------------------------------------------------------------
// Every error path the API can be driven to, asked in Chinese.

/** Latin-only words a Chinese sentence may carry: protocol names, formats, brands. */
const ALLOWED_WORDS = new Set(
  [
    'GTIN',
    'UDI',
    'API',
    'JSON',
    'CSV',
    'UUID',
    'HIBC',
    'Stripe',
    'Signature',
    'Idempotency',
    'Webhook',
    'Asia',
    'Shanghai',
    'http',
    'https',
    'true',
    'false',
    'null',
    'format',
    'json',
    'csv',
    'application',
    'octet',
    'stream',
    'Content',
    'Type',
    'Length',
    'POST',
    'PATCH',
    'DELETE',
    // The prefix of a fixed pack's label (MSPK:…), printed as is.
    'MSPK',
  ].map((w) => w.toLowerCase()),
);
const ALLOWED_LATIN_ONLY = new Set(['UDI-DI', 'A · vital']);

/** The English words left in a text once its data (the params) and its literals are taken out. */
function englishWords(text: string | undefined, data: string[]): string[] {
  if (!text) return [];
  let rest = text;
  for (const d of data.filter((s) => s.length > 0).sort((a, b) => b.length - a.length))
    rest = rest.split(d).join(' ');
  rest = rest
    .replace(/`[^`]*`/g, ' ')
    .replace(/\{[^{}]*\}/g, (m) => (m.includes('"') ? ' ' : m))
    .replace(/https?:\/\/\S+/g, ' ')
    .replace(/\/v1\/\S*/g, ' ')
    .replace(/\b[a-z]+\/[a-z0-9.+-]+/gi, ' ');
  return (rest.match(/[A-Za-z]{4,}/g) ?? []).filter((w) => !ALLOWED_WORDS.has(w.toLowerCase()));
}

/** Every value a problem carries as data, as text (lists and objects flattened). */
function dataOf(...values: unknown[]): string[] {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (v === null || v === undefined) return;
    if (Array.isArray(v)) v.forEach(walk);
    else if (typeof v === 'object') Object.values(v).forEach(walk);
    else out.push(String(v));
  };
  values.forEach(walk);
  return out;
}

interface Sent {
  what: string;
  res: { statusCode: number; headers: Record<string, unknown>; body: string };
  /** Values the request carried (echoed in problems as data, not words). */
  sent?: unknown;
}

/** What is English (or not localised) in one problem answered to a zh-CN request. */
function notChinese({ what, res, sent }: Sent): string[] {
  if (res.statusCode < 400) return [];
  const out: string[] = [];
  let p: {
    code?: string;
    title?: string;
    detail?: string;
    params?: unknown;
    errors?: Array<{ message?: string; label?: string; code?: string; params?: unknown; field?: string }>;
  };
  try {
    p = JSON.parse(res.body);
  } catch {
    return [`${what} → ${res.statusCode}: not JSON`];
  }
  if (res.headers['content-language'] !== 'zh-CN')
    out.push(`${what} → ${p.code}: Content-Language ${String(res.headers['content-language'])}`);
  const data = dataOf(p.params, sent, p.code);
  const check = (label: string, text: string | undefined, more: string[] = []) => {
    const words = englishWords(text, [...data, ...more]);
    if (words.length) out.push(`${what} → ${p.code} ${label}: "${text}" (${words.join(', ')})`);
  };
  check('title', p.title);
  check('detail', p.detail);
  for (const e of p.errors ?? []) {
    const own = dataOf(e.params);
    check(`errors[${e.field}].message`, e.message, own);
    // An unknown field is labelled with the name the sender wrote.
    if (e.code !== 'additionalProperties') check(`errors[${e.field}].label`, e.label, own);
  }
  return out;
}

interface Operation {
  parameters?: Array<{ in: string; name: string; required?: boolean; schema: Schema }>;
  requestBody?: { content: Record<string, { schema?: Schema }> };
}
interface Schema {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  enum?: unknown[];
  format?: string;
  minimum?: number;
  exclusiveMinimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  pattern?: string;
  additionalProperties?: boolean | Schema;
}

/** A value that breaks `s` in the way its schema most cares about (range, format, enum, type). */
function wrongValue(s: Schema): unknown {
  const type = Array.isArray(s.type) ? s.type.find((x) => x !== 'null') : s.type;
  if (s.enum) return 'zzz-not-listed';
  if (type === 'integer' || type === 'number') {
    if (s.exclusiveMinimum !== undefined) return s.exclusiveMinimum;
    if (s.minimum !== undefined) return s.minimum - 1;
    if (s.maximum !== undefined) return s.maximum + 1;
    return 'many';
  }
  if (type === 'string') {
    if (s.format) return 'not-a-value';
    if (s.minLength) return '';
    if (s.maxLength) return 'x'.repeat(s.maxLength + 1);
    if (s.pattern) return '\u0001';
    return 12345;
  }
  if (type === 'array') return s.minItems ? [] : 'not-a-list';
  if (type === 'boolean') return 'yes';
  return 42;
}

/** Operations that end the caller's session: probed anonymously only; generated ones sign in again. */
const SESSION_ENDERS = new Set(['POST /v1/auth/logout', 'DELETE /v1/auth/sessions/{id}']);

let t: TestApp;
let owner: SignedUp;
let target: FuzzTarget;
let viewer: Record<string, string>;
let doc: OpenApiDocument & { paths: Record<string, Record<string, Operation>>; components?: unknown };
const zh = { 'accept-language': 'zh-CN' };

beforeAll(async () => {
  t = await startTestApp();
  owner = await signUp(t);
  target = await seedFuzzTarget(t.app, { email: owner.email, password: PASSWORD, headers: owner.headers });
  viewer = (await addMember(t, owner.headers, 'viewer')).headers;
  doc = t.app.swagger() as typeof doc;
}, 120_000);
afterAll(async () => t?.close());

const resolveRef = (s: Schema | undefined): Schema | undefined => {
  if (!s?.$ref) return s;
  let o: unknown = doc;
  for (const k of s.$ref.replace('#/', '').split('/')) o = (o as Record<string, unknown>)?.[k];
  return resolveRef(o as Schema);
};

function bodySchemaOf(op: Operation): Schema | undefined {
  return resolveRef(op.requestBody?.content['application/json']?.schema);
}

const operations = () =>
  Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops)
      .filter(([m]) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
      .map(([method, op]) => ({ path, method: method.toUpperCase() as 'GET', op })),
  );

const realId = (path: string, name: string) => {
  const kind = path.split('/')[2] ?? '';
  return target.pool[name === 'id' ? kind : name.replace(/Id$/, 's')]?.[0] ?? target.pool[kind]?.[0];
};

describe('every server error path, asked in 简体中文', () => {
  it('answers titles, details, field messages and labels in Chinese', async () => {
    const failures: string[] = [];
    const seenCodes = new Set<string>();
    type Request = {
      method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
      url: string;
      headers: Record<string, string>;
      payload?: string | object;
    };
    const send = async (what: string, request: Request, sent?: unknown) => {
      const res = await t.app.inject(request);
      if (res.statusCode >= 400) {
        try {
          seenCodes.add(JSON.parse(res.body).code);
        } catch {}
      }
      failures.push(...notChinese({ what, res, sent }));
      return res;
    };
    for (const { path, method, op } of operations()) {
      if (path.includes('stripe-webhook')) continue;
      const name = `${method} ${path}`;
      const url = (fill: (param: string) => string) =>
        path.replace(/\{([^}]+)\}/g, (_, p: string) => fill(p));
      const body = bodySchemaOf(op);
      const hasBody = method !== 'GET' && method !== 'DELETE';
      const json = (payload: unknown) => (hasBody ? { payload: payload as object } : {});
      // Missing authentication.
      await send(`${name} anonymous`, { method, url: url(() => randomUUID()), headers: zh, ...json({}) });
      if (SESSION_ENDERS.has(name)) continue;
      // A role that may only read.
      await send(`${name} as viewer`, {
        method,
        url: url((p) => realId(path, p) ?? randomUUID()),
        headers: { ...zh, ...viewer },
        ...json({}),
      });
      // Unknown ids, and ids that are not ids.
      if (path.includes('{')) {
        await send(`${name} unknown id`, {
          method,
          url: url(() => randomUUID()),
          headers: { ...zh, ...target.credentials.owner },
          ...json({}),
        });
        await send(`${name} malformed id`, {
          method,
          url: url(() => 'not-an-id'),
          headers: { ...zh, ...target.credentials.owner },
          ...json({}),
        });
      }
      // Query parameters each broken the way their schema cares about.
      const query = (op.parameters ?? []).filter((p) => p.in === 'query');
      if (query.length) {
        const qs = query.map(
          (p) => `${p.name}=${encodeURIComponent(String(wrongValue(resolveRef(p.schema)!)))}`,
        );
        await send(`${name} bad query`, {
          method,
          url: `${url((p) => realId(path, p) ?? randomUUID())}?${qs.join('&')}`,
          headers: { ...zh, ...target.credentials.owner },
          ...json({}),
        });
      }
      // Bodies: empty, an unknown field, every property wrong.
      if (hasBody && body) {
        const props = body.properties ?? resolveRef(body.anyOf?.[0])?.properties ?? {};
        const wrong = Object.fromEntries(
          Object.entries(props).map(([k, s]) => [k, wrongValue(resolveRef(s)!)]),
        );
        for (const [label, payload] of [
          ['empty body', {}],
          ['unknown field', { _x1: 1 }],
          ['wrong values', wrong],
        ] as const) {
          await send(
            `${name} ${label}`,
            {
              method,
              url: url((p) => realId(path, p) ?? randomUUID()),
              headers: { ...zh, ...target.credentials.owner },
              payload,
            },
            payload,
          );
        }
      }
      // Generated requests with real ids (the fuzzer's), so handlers and the ledger refuse too.
      const samples = fc.sample(requestFor(path, method.toLowerCase(), op as never, target.pool), {
        seed: 11,
        numRuns: 6,
      });
      for (const r of samples) {
        const res = await send(
          `${r.operation} generated`,
          {
            method: r.method,
            url: r.url,
            headers: { ...r.headers, ...target.credentials[r.as], 'accept-language': 'zh-CN' },
            ...(r.payload !== undefined ? { payload: r.payload } : {}),
          },
          r.payload,
        );
        if (r.as === 'owner' && SESSION_ENDERS.has(r.operation) && res.statusCode < 300)
          await target.refreshOwner();
      }
    }
    // Known paths the walk reaches only by state: conflicts, the ledger, the last owner.
    const h = { ...zh, ...target.credentials.owner };
    const site = target.pool.sites![0]!;
    await send('duplicate site code', {
      method: 'POST',
      url: '/v1/sites',
      headers: h,
      payload: { code: 'FUZZ2', name: 'again', kind: 'clinic' },
    });
    await send('remove the last owner', { method: 'DELETE', url: `/v1/users/${owner.userId}`, headers: h });
    const item = target.pool.items![0]!;
    const location = target.pool.locations![0]!;
    for (const payload of [
      { type: 'issue', itemId: item, locationId: location, quantity: 0 },
      { type: 'issue', itemId: item, locationId: location, quantity: 1_000_000 },
      { type: 'transfer', itemId: item, locationId: location, toLocationId: location, quantity: 1 },
      {
        type: 'receipt',
        itemId: item,
        locationId: location,
        quantity: 1,
        occurredAt: '2999-01-01T00:00:00Z',
      },
      { type: 'receipt', itemId: randomUUID(), locationId: location, quantity: 1 },
      { type: 'issue', gtin: '12345678901234', locationId: location, quantity: 1 },
    ])
      await send(
        `movement ${JSON.stringify(payload)}`,
        { method: 'POST', url: '/v1/movements', headers: h, payload },
        payload,
      );
    await send('site outside the organisation', {
      method: 'PATCH',
      url: `/v1/sites/${site}`,
      headers: h,
      payload: { name: '' },
    });
    // The walk must have met a wide range of problems, or it checked little.
    expect(seenCodes.size).toBeGreaterThan(15);
    expect([...seenCodes]).toEqual(
      expect.arrayContaining(['unauthorized', 'forbidden', 'not_found', 'validation_failed']),
    );
    expect([...new Set(failures)]).toEqual([]);
  }, 600_000);

  it('labels every field a request schema has', () => {
    const names = new Set<string>();
    const seen = new Set<unknown>();
    const walk = (s: Schema | undefined) => {
      const r = resolveRef(s);
      if (!r || typeof r !== 'object' || seen.has(r)) return;
      seen.add(r);
      for (const [k, v] of Object.entries(r.properties ?? {})) {
        names.add(k);
        walk(v);
      }
      for (const v of [r.items, ...(r.anyOf ?? []), ...(r.oneOf ?? []), ...(r.allOf ?? [])]) walk(v);
      if (r.additionalProperties && typeof r.additionalProperties === 'object') walk(r.additionalProperties);
    };
    for (const { op } of operations()) {
      for (const p of op.parameters ?? []) if (p.in !== 'header') names.add(p.name);
      for (const c of Object.values(op.requestBody?.content ?? {})) walk(c.schema);
    }
    expect(names.size).toBeGreaterThan(50);
    const unlabelled = [...names].filter((n) => !PROBLEM_MESSAGES[`field.${n}`]).sort();
    expect(unlabelled).toEqual([]);
  });
});

describe('the language of a problem', () => {
  const badSite = (headers: Record<string, string>) =>
    t.app.inject({
      method: 'POST',
      url: '/v1/sites',
      headers: { ...owner.headers, ...headers },
      payload: { code: 'Q', name: 'q', kind: 'clinic', _x1: 1, address: 12 },
    });

  it('is English for Accept-Language: en, and when the header is absent', async () => {
    for (const headers of [{ 'accept-language': 'en' }, {}, { 'accept-language': 'fr-FR' }] as Record<
      string,
      string
    >[]) {
      const res = await badSite(headers);
      expect(res.statusCode).toBe(400);
      expect(res.headers['content-language']).toBe('en');
      expect(String(res.headers.vary)).toContain('Accept-Language');
      const p = res.json();
      expect(p).toMatchObject({ code: 'validation_failed', title: 'Bad request', params: { part: 'body' } });
      expect(p.detail).toBe('The request body is not valid.');
      expect(p.errors).toContainEqual(
        expect.objectContaining({ field: 'body:/_x1', message: 'unknown field' }),
      );
      expect(p.errors).toContainEqual(
        expect.objectContaining({ field: 'body:/address', message: 'must be text', label: 'address' }),
      );
    }
  });

  it('is 简体中文 for zh, zh-Hans and zh-CN, with labels instead of field names', async () => {
    for (const lang of ['zh', 'zh-Hans', 'zh-CN', 'en;q=0.3, zh-CN;q=0.8']) {
      const res = await badSite({ 'accept-language': lang });
      expect(res.headers['content-language']).toBe('zh-CN');
      const p = res.json();
      expect(p.title).toBe('填写有误');
      expect(p.errors).toContainEqual(
        expect.objectContaining({ field: 'body:/address', message: '必须是文字', label: '地址' }),
      );
    }
  });

  it('says a range in words with the limit, never a regex (body:/lines/0/quantity → 必须大于 0)', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/purchase-orders',
      headers: { ...owner.headers, 'accept-language': 'zh-CN' },
      payload: {
        supplierId: randomUUID(),
        locationId: randomUUID(),
        lines: [{ itemId: randomUUID(), quantity: 0 }],
      },
    });
    expect(res.statusCode).toBe(400);
    const quantity = res.json().errors.find((e: { field: string }) => e.field === 'body:/lines/0/quantity');
    expect(quantity).toMatchObject({
      message: '必须大于 0',
      label: '数量',
      code: 'exclusiveMinimum',
      params: { limit: 0 },
    });
    const en = await t.app.inject({
      method: 'POST',
      url: '/v1/items',
      headers: { ...owner.headers, 'accept-language': 'en' },
      payload: { code: 'bad code with spaces', nameZh: '', nameEn: 'x', baseUnit: 'piece' },
    });
    // A pattern or length complaint never shows the regex.
    const messages = en.json().errors.map((e: { message: string }) => e.message);
    expect(messages).toContain('has the wrong format');
    expect(messages).toContain('must not be empty');
    for (const m of messages) expect(m).not.toMatch(/[\^$\\[\]]|pattern/);
  });

  it('fills params into the words of both languages, and sends them', async () => {
    const item = target.pool.items![0]!;
    const location = target.pool.locations![0]!;
    const payload = { type: 'issue', itemId: item, locationId: location, quantity: 1_000_000 };
    const [zhRes, enRes] = await Promise.all(
      ['zh-CN', 'en'].map((lang) =>
        t.app.inject({
          method: 'POST',
          url: '/v1/movements',
          headers: { ...target.credentials.owner, 'accept-language': lang },
          payload,
        }),
      ),
    );
    expect(zhRes!.statusCode).toBe(409);
    const zhBody = zhRes!.json();
    const enBody = enRes!.json();
    expect(zhBody.code).toBe('insufficient_stock');
    expect(zhBody.params).toMatchObject({ quantity: 1_000_000 });
    expect(zhBody.title).toBe('库存不足');
    expect(zhBody.detail).toContain('1000000');
    expect(enBody.detail).toContain('1000000');
    expect(enBody.detail).toMatch(/^Only \d+ usable/);
    expect(zhBody.errors[0]).toMatchObject({ field: 'body:/quantity', label: '数量' });
    expect(enBody.errors[0]).toMatchObject({ field: 'body:/quantity', label: 'quantity' });
  });

  it('a zero issue reads as a sentence in both languages', async () => {
    const payload = {
      type: 'issue',
      itemId: target.pool.items![0],
      locationId: target.pool.locations![0],
      quantity: 0,
    };
    const words = async (lang: string) =>
      (
        await t.app.inject({
          method: 'POST',
          url: '/v1/movements',
          headers: { ...target.credentials.owner, 'accept-language': lang },
          payload,
        })
      ).json();
    const [zhBody, enBody] = [await words('zh-CN'), await words('en')];
    // The schema may refuse 0 before the ledger does; either way the words are a sentence.
    if (zhBody.code === 'invalid_quantity') {
      expect(zhBody.detail).toBe('领用出库的数量不能是 0。');
      expect(enBody.detail).toBe('A quantity of 0 is not valid for an issue.');
    } else {
      expect(zhBody.errors[0].label).toBe('数量');
      expect(enBody.errors[0].label).toBe('quantity');
    }
  });
});
