import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ImportFormat, ImportKind } from '@medstock/contracts/imports/import-columns.ts';
import { ROW_MESSAGES, rowReasonText } from '@medstock/contracts/imports/row-messages.ts';
import { isPrivateAddress } from '@medstock/contracts/webhooks/endpoint-address.ts';
import {
  signatureHeader,
  VERIFICATION_RECIPE,
  verifySignature,
} from '@medstock/contracts/webhooks/signature.ts';
import { afterAll, describe, expect, it } from 'vitest';
import { ImportFileError, openRowSource, type RowError } from '../src/imports/read-rows.ts';

const dir = mkdtempSync(join(tmpdir(), 'medstock-rows-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

async function read(kind: ImportKind, format: ImportFormat, text: string) {
  const path = join(dir, `f${n++}`);
  writeFileSync(path, text);
  // Each error in its English words (the codes are checked by the API's import tests).
  const errors: Array<{ line: number; field: string; reason: string }> = [];
  const source = await openRowSource(path, kind, format, (e: RowError) =>
    errors.push({ ...e, reason: rowReasonText(e.reason) }),
  );
  const rows: Array<{ line: number; values: string[] }> = [];
  let fatal: ImportFileError | null = null;
  try {
    for await (const r of source.rows) rows.push(r);
  } catch (e) {
    if (!(e instanceof ImportFileError)) throw e;
    fatal = e;
  }
  return { rows, errors, fatal, records: source.recordsRead() };
}

describe('reading import files', () => {
  it('reads CSV in any column order, by header, with the line each record starts on', async () => {
    const csv =
      '\uFEFFitem_code;date;site_code;location_code;type;quantity\r\n' +
      'A;2024-01-01;MAIN;CENTRAL;issue;1\r\n' +
      '\r\n' +
      '"B\r\nwith newline";2024-01-02;MAIN;CENTRAL;issue;2\r\n' +
      'C;2024-01-03;MAIN;CENTRAL;issue\r\n' +
      ' D ;2024-01-04;MAIN;CENTRAL;issue;4\r\n';
    const r = await read('movements', 'csv', csv);
    expect(r.fatal).toBeNull();
    expect(r.rows.map((x) => [x.line, x.values[3], x.values[0], x.values[5]])).toEqual([
      [2, 'A', '2024-01-01', '1'],
      [4, 'B\r\nwith newline', '2024-01-02', '2'],
      [7, 'D', '2024-01-04', '4'],
    ]);
    expect(r.errors).toEqual([
      { line: 6, field: 'row', reason: 'expected 6 fields as in the header, found 5' },
    ]);
    expect(r.records).toBe(4);
  });

  it('refuses a header with unknown, repeated or missing columns at once', async () => {
    const r = await read('items', 'csv', 'code,colour,code\nX,red,X\n');
    expect(r.fatal?.line).toBe(1);
    expect(r.fatal?.field).toBe('header');
    expect(r.fatal?.message).toBe(
      "unknown column 'colour' (expected: code, name_zh, name_en, specification, category, base_unit, pack_units, gtin, manufacturer, ved, storage, substitute_group, unit_cost, typical_monthly_usage, lot_tracked, active); column 'code' appears twice; required column 'base_unit' is missing",
    );
  });

  it('reports a broken CSV quote with its line', async () => {
    const r = await read('items', 'csv', 'code,base_unit\nA,piece\n"B,piece\n');
    expect(r.fatal?.field).toBe('file');
    expect(r.fatal?.message).toMatch(/^not readable as CSV/);
  });

  it('reads a JSON array of objects and NDJSON, reporting the line where each object starts', async () => {
    const array =
      '[\n  {"code": "A", "base_unit": "piece", "unit_cost": 1.5, "active": true},\n  {"code": "B",\n   "base_unit": "box", "pack_units": {"x": 1}},\n  {"code": "C", "base_unit": "piece", "colour": "red"}\n]\n';
    const a = await read('items', 'json', array);
    expect(a.fatal).toBeNull();
    expect(a.rows.map((r) => [r.line, r.values[0], r.values[12], r.values[15]])).toEqual([
      [2, 'A', '1.5', 'true'],
    ]);
    expect(a.errors).toEqual([
      { line: 3, field: 'pack_units', reason: 'must be a string, number or boolean' },
      {
        line: 5,
        field: 'colour',
        reason:
          'unknown field (expected: code, name_zh, name_en, specification, category, base_unit, pack_units, gtin, manufacturer, ved, storage, substitute_group, unit_cost, typical_monthly_usage, lot_tracked, active)',
      },
    ]);
    expect(a.records).toBe(3);

    const nd = await read(
      'items',
      'json',
      '{"code":"A","base_unit":"piece","name_zh":"含 } 和 \\" 的名字"}\n{"code":"B","base_unit":"piece"}\n{"base_unit":"piece"}\n',
    );
    expect(nd.rows.map((r) => [r.line, r.values[0], r.values[1]])).toEqual([
      [1, 'A', '含 } 和 " 的名字'],
      [2, 'B', ''],
    ]);
    expect(nd.errors).toEqual([{ line: 3, field: 'code', reason: 'is required' }]);
  });

  it('stops at JSON that is not an object stream', async () => {
    expect((await read('items', 'json', '[{"code":"A","base_unit":"piece"}, 42]')).fatal?.message).toBe(
      "expected a JSON object, found '4'",
    );
    expect((await read('items', 'json', '[{"code":"A","base_unit":"piece"}')).fatal?.message).toBe(
      'the JSON array is not closed with ]',
    );
    expect((await read('items', 'json', '{"code":"A", "base_unit": }')).fatal?.message).toMatch(
      /^not valid JSON/,
    );
  });
});

describe('webhook signatures', () => {
  it('the documented recipe verifies our signature and refuses tampering, old timestamps and other secrets', async () => {
    const path = join(dir, 'recipe.mjs');
    writeFileSync(path, VERIFICATION_RECIPE);
    const { verifyMedstockSignature } = (await import(pathToFileURL(path).href)) as {
      verifyMedstockSignature: (secret: string, body: string | Buffer, header: string) => boolean;
    };
    const secret = 'whsec_test-secret';
    const body = JSON.stringify({
      id: 'e1',
      type: 'movement.created',
      createdAt: '2026-01-01T00:00:00.000Z',
      data: { qty: 1 },
    });
    const header = signatureHeader(secret, body);
    expect(verifyMedstockSignature(secret, body, header)).toBe(true);
    expect(verifyMedstockSignature(secret, Buffer.from(body), header)).toBe(true);
    expect(verifyMedstockSignature(secret, body.replace('"qty":1', '"qty":9'), header)).toBe(false);
    expect(verifyMedstockSignature('whsec_other', body, header)).toBe(false);
    const old = signatureHeader(secret, body, Math.floor(Date.now() / 1000) - 3600);
    expect(verifyMedstockSignature(secret, body, old)).toBe(false);
    expect(verifySignature(secret, body, header)).toBe(true);
    expect(verifySignature(secret, body, old)).toBe(false);
  });

  it('knows which addresses are private', () => {
    for (const a of [
      '127.0.0.1',
      '10.0.0.8',
      '172.20.1.1',
      '192.168.1.1',
      '169.254.169.254',
      '::1',
      'fd00::1',
      '::ffff:10.0.0.1',
      '0.0.0.0',
    ]) {
      expect(isPrivateAddress(a), a).toBe(true);
    }
    for (const a of ['8.8.8.8', '172.32.0.1', '2001:4860::8888', 'example.org'])
      expect(isPrivateAddress(a), a).toBe(false);
  });

  it('every import problem has words in both languages naming the same values', () => {
    const names = (t: string) => [...t.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
    for (const [code, { en, zh }] of Object.entries(ROW_MESSAGES)) {
      expect(zh.trim(), code).not.toBe('');
      // Chinese may leave out a technical detail (a parser's English message) but invents none.
      for (const n of names(zh))
        expect(
          names(en).concat(['value', 'expectedZh', 'columnZh', 'unitZh', 'baseZh', 'knownZh']),
          `${code}: {${n}}`,
        ).toContain(n);
      expect(zh, code).toMatch(/[\u4e00-\u9fff]/);
    }
  });
});
