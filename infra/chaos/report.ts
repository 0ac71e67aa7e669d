import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface ScenarioResult {
  name: string;
  title: string;
  /** Logical movement requests (one Idempotency-Key each). */
  requests: number;
  /** HTTP attempts of those requests, retries included. */
  attempts: number;
  /** Got a 2xx, or `409 idempotency_applied_response_lost` (applied, its response lost in a crash). */
  accepted: number;
  confirmedWithoutResponse: number;
  /** Definitive 4xx (e.g. 409 insufficient_stock): the client does not retry those. */
  refused: number;
  /** Still unanswered when the client stopped retrying. */
  gaveUp: number;
  applied: number;
  appliedUnconfirmed: number;
  lost: number;
  doubled: number;
  /** 5xx other than 503 with Retry-After, writes and reads. */
  serverErrors: number;
  unavailable: number;
  timeouts: number;
  inProgress: number;
  slow: number;
  reads: number;
  stuckKeys: number | null;
  stuckCommitted: number | null;
  alertsCurrentSeconds: number | null;
  alertsTimeoutSeconds: number;
  /** When the last request got its definitive answer, after the dependency's return (retries, back-off). */
  lastWriteSeconds: number;
  /** The last 5xx or unanswered attempt, relative to the dependency's return (negative: before it). */
  lastFailureSeconds: number | null;
  outageSeconds: number;
  stockedOut: { stockedOut: number; alerted: number };
  statuses: { writes: Record<string, number>; reads: Record<string, number> };
  samples: Record<string, unknown>;
  extra: Record<string, unknown>;
  notes: string[];
}

export type ScenarioOutcome =
  | { status: 'ran'; result: ScenarioResult }
  | { status: 'skipped' | 'failed'; name: string; title: string; reason: string };

export const TARGETS = { lost: 0, doubled: 0, serverErrors: 0, stuckKeys: 0, alertsCurrentSeconds: 5 };

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** The target figures of one result, each with whether it met its target. */
function judged(r: ScenarioResult) {
  const zero = (v: number | null) => ({ text: v === null ? 'n/a' : String(v), met: v === 0 });
  const alerts =
    r.alertsCurrentSeconds === null
      ? { text: `> ${r.alertsTimeoutSeconds} s`, met: false }
      : { text: `${r.alertsCurrentSeconds} s`, met: r.alertsCurrentSeconds <= TARGETS.alertsCurrentSeconds };
  return {
    lost: zero(r.lost),
    doubled: zero(r.doubled),
    serverErrors: zero(r.serverErrors),
    stuckKeys: zero(r.stuckKeys),
    alerts,
  };
}

export function missedTargets(r: ScenarioResult): string[] {
  return Object.entries(judged(r))
    .filter(([, v]) => !v.met)
    .map(([k]) => k);
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows
    .map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '))
    .join('\n');
}

export function formatReport(outcomes: ScenarioOutcome[]): string {
  const mark = (v: { text: string; met: boolean }) => (v.met ? v.text : `${v.text} MISSED`);
  const rows = [
    ['scenario', 'requests', 'accepted', 'applied', 'lost', 'doubled', '5xx', 'stuck keys', 'alerts current'],
    ['target', '', '', '', '0', '0', '0', '0', `<= ${TARGETS.alertsCurrentSeconds} s`],
  ];
  const details: string[] = [];
  for (const o of outcomes) {
    if (o.status !== 'ran') {
      rows.push([o.name, o.status, '', '', '', '', '', '', '']);
      details.push(`${o.name}: ${o.status} (${o.reason})`);
      continue;
    }
    const r = o.result;
    const j = judged(r);
    rows.push([
      r.name,
      String(r.requests),
      String(r.accepted),
      String(r.applied),
      mark(j.lost),
      mark(j.doubled),
      mark(j.serverErrors),
      mark(j.stuckKeys),
      mark(j.alerts),
    ]);
    const lines = [
      `${r.name}: ${r.title}`,
      `  outage ${r.outageSeconds} s; last write answered ${r.lastWriteSeconds} s after the return, last failed attempt at ${r.lastFailureSeconds === null ? 'none' : `${r.lastFailureSeconds} s`}; ${r.attempts} write attempts; ${r.refused} refused (4xx), ${r.gaveUp} gave up, ${r.confirmedWithoutResponse} confirmed by 409 applied_response_lost, ${r.appliedUnconfirmed} applied unbeknown to the client`,
      `  503+Retry-After ${r.unavailable}, 409 idempotency_in_progress ${r.inProgress}, timeouts ${r.timeouts}, answers > 5 s ${r.slow} (of ${r.attempts + r.reads} incl. ${r.reads} reads)` +
        (r.stuckKeys ? `; of the stuck keys, ${r.stuckCommitted} have their movement committed` : ''),
      `  stocked out at the end: ${r.stockedOut.stockedOut} item-locations, ${r.stockedOut.alerted} with a stocked_out alert`,
      `  write statuses ${JSON.stringify(r.statuses.writes)}; refusals ${JSON.stringify(r.samples.refusals)}`,
    ];
    const samples = r.samples.serverErrors as string[];
    if (samples.length) lines.push(`  5xx seen: ${samples.join('; ')}`);
    const slow = r.samples.slow as string[];
    if (slow.length) lines.push(`  slow answers: ${slow.join('; ')}`);
    const stale = r.samples.stale as string[];
    if (r.alertsCurrentSeconds === null && stale.length) lines.push(`  still stale: ${stale.join('; ')}`);
    for (const [k, v] of Object.entries(r.extra)) lines.push(`  ${k}: ${v}`);
    for (const n of r.notes) lines.push(`  note: ${n}`);
    details.push(lines.join('\n'));
  }
  return `${table(rows)}\n\n${details.join('\n')}`;
}

export function writeJson(file: string, outcomes: ScenarioOutcome[], meta: Record<string, unknown>): void {
  mkdirSync(dirname(file), { recursive: true });
  const scenarios = outcomes.map((o) =>
    o.status === 'ran' ? { status: 'ran', ...o.result, missed: missedTargets(o.result) } : o,
  );
  writeFileSync(file, `${JSON.stringify({ ...meta, targets: TARGETS, scenarios }, null, 2)}\n`);
}
