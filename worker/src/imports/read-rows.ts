import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import {
  type ColumnSpec,
  canonicalColumnName,
  columnHeader,
  IMPORT_COLUMNS,
  type ImportFormat,
  type ImportKind,
} from '@medstock/contracts/imports/import-columns.ts';
import { type RowReason, rowReason, rowReasonText } from '@medstock/contracts/imports/row-messages.ts';
import { parse } from 'csv-parse';
import { decodeBytes, decodedStream, type FileEncoding } from './file-encoding.ts';

/** One record of the file, its values in the order of the kind's columns ('' when absent). */
export interface ImportRow {
  /** 1-based line of the file where the record starts (JSON: where its object starts). */
  line: number;
  values: string[];
}

export interface RowError {
  line: number;
  field: string;
  reason: RowReason;
}

/**
 * A problem with the file as a whole (unreadable CSV, broken JSON, bad header): reading stops.
 * A header can be wrong in several ways at once; each is reported.
 */
export class ImportFileError extends Error {
  readonly reasons: RowReason[];
  constructor(
    readonly line: number,
    readonly field: string,
    reason: RowReason | RowReason[],
  ) {
    const reasons = Array.isArray(reason) ? reason : [reason];
    super(reasons.map((r) => rowReasonText(r)).join('; '));
    this.reasons = reasons;
  }
}

export interface RowSource {
  rows: AsyncIterable<ImportRow>;
  /** Bytes of the file read so far, for the validation progress. */
  bytesRead(): number;
  /** Data records read so far, the ones with row-level problems included. */
  recordsRead(): number;
}

/**
 * Streams the records of an uploaded file: CSV through csv-parse, JSON (an array of objects, or
 * one object per line) through a small scanner that cuts the text at top-level objects and
 * JSON.parses each alone. Neither holds more than one record and one read buffer in memory.
 * Row-level problems (wrong field count, unknown key) go to `onRowError`; the row is skipped.
 */
export async function openRowSource(
  path: string,
  kind: ImportKind,
  format: ImportFormat,
  onRowError: (e: RowError) => void,
  encoding: FileEncoding = 'utf-8',
): Promise<RowSource> {
  const columns = IMPORT_COLUMNS[kind].columns;
  const stream = createReadStream(path, { highWaterMark: 1 << 20 });
  const counter = { records: 0 };
  const rows =
    format === 'csv'
      ? csvRows(
          decodedStream(stream, encoding),
          columns,
          await sniffDelimiter(path, encoding),
          onRowError,
          counter,
        )
      : jsonRows(stream, columns, onRowError, counter);
  return { rows, bytesRead: () => stream.bytesRead, recordsRead: () => counter.records };
}

/** The delimiter of the header line: comma, semicolon (European Excel) or tab, whichever is most used. */
async function sniffDelimiter(path: string, encoding: FileEncoding): Promise<string> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(64 * 1024);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    const text = decodeBytes(buf.subarray(0, bytesRead), encoding);
    const end = text.indexOf('\n');
    const header = (end === -1 ? text : text.slice(0, end)).replace(/"[^"]*"/g, '');
    let best = ',';
    let bestCount = 0;
    for (const d of [',', ';', '\t']) {
      const n = header.split(d).length - 1;
      if (n > bestCount) [best, bestCount] = [d, n];
    }
    return best;
  } finally {
    await fh.close();
  }
}

function headerPositions(header: string[], columns: ColumnSpec[]): number[] {
  const names = header.map((h) => canonicalColumnName(columns, h));
  const problems: RowReason[] = [];
  const seen = new Set<string>();
  for (const n of names) {
    if (n === '') continue;
    if (seen.has(n)) problems.push(rowReason('column_twice', { column: n }));
    seen.add(n);
    if (!columns.some((c) => c.name === n))
      problems.push(
        rowReason('unknown_column', {
          column: n,
          expected: columns.map((c) => c.name).join(', '),
          expectedZh: columns.map((c) => columnHeader(c, 'zh-CN')).join('、'),
        }),
      );
  }
  for (const c of columns)
    if (c.required && !seen.has(c.name))
      problems.push(rowReason('column_missing', { column: c.name, columnZh: columnHeader(c, 'zh-CN') }));
  if (problems.length) throw new ImportFileError(1, 'header', problems);
  return columns.map((c) => names.indexOf(c.name));
}

async function* csvRows(
  stream: NodeJS.ReadableStream,
  columns: ColumnSpec[],
  delimiter: string,
  onRowError: (e: RowError) => void,
  counter: { records: number },
): AsyncGenerator<ImportRow> {
  // No csv-parse `info`/`trim`: each costs a quarter of the parse time on a million rows. Line
  // numbers are counted here instead (one per record plus newlines inside quoted fields).
  const parser = stream.pipe(
    parse({ bom: true, delimiter, relax_column_count: true, skip_empty_lines: false }),
  );
  let positions: number[] | null = null;
  let width = 0;
  let line = 1;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      const start = line;
      let extra = 0;
      for (let i = 0; i < record.length; i++)
        if (record[i]!.indexOf('\n') !== -1) extra += record[i]!.split('\n').length - 1;
      line += 1 + extra;
      if (record.length === 1 && record[0]!.trim() === '') continue;
      if (positions === null) {
        positions = headerPositions(record, columns);
        width = record.length;
        continue;
      }
      counter.records++;
      if (record.length !== width) {
        onRowError({
          line: start,
          field: 'row',
          reason: rowReason('field_count', { expected: width, found: record.length }),
        });
        continue;
      }
      const values = new Array<string>(positions.length);
      for (let i = 0; i < positions.length; i++) {
        const p = positions[i]!;
        values[i] = p === -1 ? '' : record[p]!.trim();
      }
      yield { line: start, values };
    }
  } catch (err) {
    if (err instanceof ImportFileError) throw err;
    const e = err as { message?: string; lines?: number };
    throw new ImportFileError(
      e.lines ?? line,
      'file',
      rowReason('not_csv', { detail: e.message ?? String(err) }),
    );
  }
  if (positions === null) throw new ImportFileError(1, 'file', rowReason('no_header'));
}

function jsonValue(v: unknown): string | null {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v.trim();
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return null;
}

/**
 * Top-level objects of a JSON array (`[{...},{...}]`) or of a stream of objects (NDJSON). The
 * scanner tracks only string/escape state and brace depth, then JSON.parse checks each object.
 */
async function* jsonRows(
  stream: NodeJS.ReadableStream,
  columns: ColumnSpec[],
  onRowError: (e: RowError) => void,
  counter: { records: number },
): AsyncGenerator<ImportRow> {
  const names = new Map(
    columns.flatMap((c, i) => [[c.name, i] as const, ...(c.aliases ?? []).map((a) => [a, i] as const)]),
  );
  const required = columns.filter((c) => c.required).map((c) => c.name);
  let mode: 'start' | 'array' | 'stream' | 'closed' = 'start';
  let line = 1;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let parts: string[] = [];
  let collecting = false;
  let objectLine = 0;
  let records = 0;

  const toRow = (text: string, at: number): ImportRow | null => {
    let obj: unknown;
    try {
      obj = JSON.parse(text);
    } catch (err) {
      throw new ImportFileError(at, 'file', rowReason('not_json', { detail: (err as Error).message }));
    }
    const values = new Array<string>(columns.length).fill('');
    let ok = true;
    for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
      const i = names.get(k);
      if (i === undefined) {
        onRowError({
          line: at,
          field: k,
          reason: rowReason('unknown_field', { expected: columns.map((c) => c.name).join(', ') }),
        });
        ok = false;
        continue;
      }
      const s = jsonValue(v);
      if (s === null) {
        onRowError({ line: at, field: k, reason: rowReason('json_value') });
        ok = false;
      } else values[i] = s;
    }
    for (const r of required) {
      if (values[names.get(r)!] === '') {
        onRowError({ line: at, field: r, reason: rowReason('required') });
        ok = false;
      }
    }
    return ok ? { line: at, values } : null;
  };

  const decoder = new StringDecoder('utf8');
  for await (const buffer of stream as AsyncIterable<Buffer>) {
    const chunk = decoder.write(buffer);
    let segment = collecting ? 0 : -1;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (c === 10) line++;
      if (inString) {
        if (escaped) escaped = false;
        else if (c === 92) escaped = true;
        else if (c === 34) inString = false;
        continue;
      }
      if (collecting) {
        if (c === 34) inString = true;
        else if (c === 123 || c === 91) depth++;
        else if (c === 125 || c === 93) {
          depth--;
          if (depth === 0) {
            parts.push(chunk.slice(segment, i + 1));
            const row = toRow(parts.join(''), objectLine);
            parts = [];
            collecting = false;
            records++;
            counter.records++;
            if (row) yield row;
          }
        }
        continue;
      }
      if (c === 32 || c === 10 || c === 13 || c === 9 || c === 0xfeff) continue;
      if (mode === 'start' && c === 91) {
        mode = 'array';
        continue;
      }
      if (mode === 'start') mode = 'stream';
      if (mode === 'array' && c === 44) continue;
      if (mode === 'array' && c === 93) {
        mode = 'closed';
        continue;
      }
      if (c === 123 && mode !== 'closed') {
        collecting = true;
        depth = 1;
        segment = i;
        objectLine = line;
        continue;
      }
      throw new ImportFileError(
        line,
        'file',
        mode === 'closed'
          ? rowReason('json_after_close')
          : rowReason('json_not_object', { found: chunk[i]! }),
      );
    }
    if (collecting) parts.push(chunk.slice(segment));
  }
  if (collecting) throw new ImportFileError(objectLine, 'file', rowReason('json_unfinished_object'));
  if (mode === 'array') throw new ImportFileError(line, 'file', rowReason('json_unclosed_array'));
  if (records === 0 && mode === 'start') throw new ImportFileError(1, 'file', rowReason('empty_file'));
}
