import { IMPORT_COLUMNS, type ImportKind } from '@medstock/contracts/imports/import-columns.ts';
import { type RowReason, rowReasonText } from '@medstock/contracts/imports/row-messages.ts';
import type { Tx } from '@medstock/db';
import type pg from 'pg';
import type { ImportRow } from './read-rows.ts';
import type { ReferenceData } from './reference-data.ts';

/** What a kind's validator sees: the resolved codes, and where to report a bad cell. */
export interface ValidateContext {
  importId: string;
  /** The organisation importing, and whether its plan's limits hold (billing on). */
  organizationId: string;
  enforcePlanLimits: boolean;
  refs: ReferenceData;
  /** Where the movements kind writes its COPY stream during validation. */
  spoolPath: string;
  /** Instants after this are "in the future". */
  notAfterMs: number;
  /** The organisation's IANA zone: dates and times without an offset are local to it. */
  timeZone: string;
  error(line: number, field: string, reason: RowReason): void;
  hasErrors(): boolean;
  /** Runs a read-only query in the tenant's schema (checks across rows against the database). */
  withTx<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
}

/** Pass 2 runs in one transaction on one connection (COPY needs the raw client). */
export interface ApplyContext {
  tx: Tx;
  client: pg.PoolClient;
  /** The file's rows again, from the start (they are valid now). */
  rows(): AsyncIterable<ImportRow>;
  /** Records how many rows are applied so far; call it about every `every` rows. */
  progress(applied: number): Promise<void>;
  every: number;
}

/** A line of the file that failed while applying (a ledger refusal): the import fails with it. */
export class ApplyRowError extends Error {
  constructor(
    readonly line: number,
    readonly field: string,
    readonly reason: RowReason,
  ) {
    super(rowReasonText(reason));
  }
}

export interface KindImporter {
  /** Pass 1: checks one row; problems go to ctx.error with the line and field. */
  validate(row: ImportRow): void | Promise<void>;
  /** After the last row: checks across rows and against the database. */
  finishValidation(): Promise<void>;
  /** Pass 2, all-or-nothing inside the caller's transaction; returns counts for the summary. */
  apply(a: ApplyContext): Promise<Record<string, number>>;
  /** Drops temporary files, whatever happened. */
  dispose(): Promise<void>;
}

/** Column name → position in ImportRow.values, for one kind. */
export function columnIndex<K extends ImportKind>(kind: K): Record<string, number> {
  return Object.fromEntries(IMPORT_COLUMNS[kind].columns.map((c, i) => [c.name, i]));
}

/** Rows per multi-row statement when applying. */
export const APPLY_BATCH = 1000;
