import { DEFAULT_TIME_ZONE, localDay } from '@medstock/core';

/**
 * The history model, as one pure function: what inserting dated entries into an item-location's
 * ledger writes, given the rows it already has.
 *
 * - A count (a stocktake that stores `counted`) takes effect at its time: its variance is the count
 *   minus the ledger balance at that instant (every row with occurred_at <= its time). A count of a
 *   lot counts that lot; a count without a lot counts the whole item-location: lots below zero are
 *   brought to zero, a shortfall is taken first-expiry-first from the lots, a surplus goes to the
 *   lot held there that expires last (untracked '' only when none is held; see wholeCountVariance).
 * - An entry dated before a later count is absorbed by the next later count covering its lot: a
 *   compensating stocktake row in that count's group, at the count's time, keeps every lot's
 *   balance after the count what it was. Only what no later count absorbs changes today's on-hand.
 * - Baselines (stocktake rows without `counted`, e.g. 'history baseline') and legacy stocktakes
 *   hold their lot's balance the same way: they are lot counts of the balance they left.
 *
 * The invariant stock.on_hand = sum(movements.quantity) per (location, item, lot) holds if the
 * caller writes the returned rows and adds `stockDelta` to the stock rows.
 */

/** One existing ledger row of the item-location. */
export interface LedgerRow {
  groupId: string;
  type: string;
  /** null only on the header row of a whole item-location count (quantity 0). */
  lotId: string | null;
  /** Microseconds since the epoch. */
  at: number;
  quantity: number;
  counted: number | null;
}

export interface LotInfo {
  id: string;
  expiryDate: string | null;
  /** Tie-break after expiry (creation order). */
  order: number;
}

export type NewEntry =
  | {
      kind: 'movement';
      ref: number;
      at: number;
      /** Signed base units. */
      quantity: number;
      /** null: an outflow whose lots are chosen first-expiry-first (inflows must name a lot). */
      lotId: string | null;
      /** Outflows without a lot: may take lots past their expiry (write-offs, counts). */
      allowExpired?: boolean;
    }
  | { kind: 'count'; ref: number; at: number; counted: number; lotId: string | null };

export interface PlannedRow {
  /** The NewEntry it belongs to; null for a compensation row of an existing count. */
  ref: number | null;
  /** Existing count's group for compensation rows. */
  groupId: string | null;
  lotId: string | null;
  at: number;
  quantity: number;
  counted: number | null;
  role: 'movement' | 'count' | 'count_header' | 'count_variance' | 'absorb';
}

export interface ReplayPlan {
  rows: PlannedRow[];
  /** Change of today's on-hand per lot. */
  stockDelta: Map<string, number>;
  /** Balance per lot just before each new count (ref → book), for reports. */
  bookAtCount: Map<number, number>;
}

interface CountGroup {
  groupId: string;
  at: number;
  rows: LedgerRow[];
  /** null: the whole item-location. */
  lots: Set<string> | null;
}

const add = (m: Map<string, number>, k: string, v: number) => {
  if (v !== 0) m.set(k, (m.get(k) ?? 0) + v);
};

/** Lots in first-expiry-first order (no expiry last, then creation order). */
function fefo(lots: Iterable<string>, info: Map<string, LotInfo>): string[] {
  return [...lots].sort((a, b) => {
    const la = info.get(a);
    const lb = info.get(b);
    const ea = la?.expiryDate ?? '9999-12-31';
    const eb = lb?.expiryDate ?? '9999-12-31';
    if (ea !== eb) return ea < eb ? -1 : 1;
    return (la?.order ?? 0) - (lb?.order ?? 0) || (a < b ? -1 : a > b ? 1 : 0);
  });
}

/** Where a whole count's surplus goes: the last-expiring lot held (in stock first, then below zero). */
export function surplusLot(
  balances: Map<string, number>,
  lots: Map<string, LotInfo>,
  untrackedLotId: string,
): string {
  const held = (pick: (b: number) => boolean) =>
    fefo(
      [...balances.keys()].filter((l) => l !== untrackedLotId && pick(balances.get(l) ?? 0)),
      lots,
    ).at(-1);
  return held((b) => b > 0) ?? held((b) => b < 0) ?? untrackedLotId;
}

/**
 * The rows of a whole item-location count of `counted` given the per-lot balances just before it:
 * negative lots to zero, then a shortfall first-expiry-first, a surplus to the lot that expires
 * last among those held there (issue 11: a count without a lot never adds a lot-less row beside
 * the real lots — Ward 3's 15 of DEMO-11 counted as 16 is 16 of DEMO-11). Why the last-expiring
 * lot: as a rule it is the one received most recently, so goods not on the books most likely
 * belong to it, and FEFO issues reach it last, so an over-count there misleads expiry risk the
 * least. Only when no lot is held at the location does the surplus go to untracked stock ('').
 * Where the lot matters, a stocktake session counts by lot and shows this attribution before
 * posting. Returns lot → variance (only non-zero entries).
 */
export function wholeCountVariance(
  balances: Map<string, number>,
  counted: number,
  lots: Map<string, LotInfo>,
  untrackedLotId: string,
): Map<string, number> {
  const out = new Map<string, number>();
  let positive = 0;
  for (const [lot, b] of balances) {
    if (b < 0) out.set(lot, -b);
    else positive += b;
  }
  let diff = counted - positive;
  if (diff > 0) add(out, surplusLot(balances, lots, untrackedLotId), diff);
  else if (diff < 0) {
    for (const lot of fefo(
      [...balances.keys()].filter((l) => (balances.get(l) ?? 0) > 0),
      lots,
    )) {
      if (diff === 0) break;
      const take = Math.min(-diff, balances.get(lot)!);
      add(out, lot, -take);
      diff += take;
    }
  }
  for (const [k, v] of out) if (v === 0) out.delete(k);
  return out;
}

/**
 * Replays one item-location: `existing` rows (any order) and the `entries` to insert.
 * `untrackedLotId` is the item's '' lot (created by the caller when needed). `stockNow` is
 * today's on-hand per lot, for outflows that no later count absorbs.
 */
export function planReplay(
  existing: readonly LedgerRow[],
  entries: readonly NewEntry[],
  lots: Map<string, LotInfo>,
  untrackedLotId: string,
  stockNow: Map<string, number> = new Map(),
  /** The organisation's zone: a lot is usable through its expiry date, in its local days. */
  timeZone: string = DEFAULT_TIME_ZONE,
): ReplayPlan {
  // Existing rows: plain rows, and count groups (every stocktake row belongs to one).
  const plain: LedgerRow[] = [];
  const groups = new Map<string, CountGroup>();
  for (const r of existing) {
    if (r.type !== 'stocktake') {
      plain.push(r);
      continue;
    }
    let g = groups.get(r.groupId);
    if (!g) {
      g = { groupId: r.groupId, at: r.at, rows: [], lots: new Set() };
      groups.set(r.groupId, g);
    }
    g.rows.push(r);
    g.at = Math.min(g.at, r.at);
    if (r.lotId === null) g.lots = null;
    else g.lots?.add(r.lotId);
  }
  const lastCountAt = Math.max(-Infinity, ...[...groups.values()].map((g) => g.at));

  type Ev =
    | { t: number; phase: 0; seq: number; row: LedgerRow }
    | { t: number; phase: 0; seq: number; entry: Extract<NewEntry, { kind: 'movement' }> }
    | { t: number; phase: 1; seq: number; group: CountGroup }
    | { t: number; phase: 2; seq: number; entry: Extract<NewEntry, { kind: 'count' }> };
  const evs: Ev[] = [];
  let seq = 0;
  for (const row of plain) evs.push({ t: row.at, phase: 0, seq: seq++, row });
  for (const group of groups.values()) evs.push({ t: group.at, phase: 1, seq: seq++, group });
  for (const e of entries) {
    if (e.kind === 'movement') evs.push({ t: e.at, phase: 0, seq: seq++, entry: e });
    else evs.push({ t: e.at, phase: 2, seq: seq++, entry: e });
  }
  // Rows at a count's instant are before the count (it counted them).
  evs.sort((a, b) => a.t - b.t || a.phase - b.phase || a.seq - b.seq);

  const bOld = new Map<string, number>();
  const delta = new Map<string, number>();
  const rows: PlannedRow[] = [];
  const bookAtCount = new Map<number, number>();
  const takenNow = new Map<string, number>();
  const balanceNow = (lot: string) => (bOld.get(lot) ?? 0) + (delta.get(lot) ?? 0);
  const knownLots = () => new Set([...bOld.keys(), ...delta.keys()]);

  for (const ev of evs) {
    if ('row' in ev) {
      add(bOld, ev.row.lotId!, ev.row.quantity);
    } else if (ev.phase === 0) {
      const e = ev.entry;
      if (e.lotId !== null || e.quantity > 0) {
        const lot = e.lotId ?? untrackedLotId;
        rows.push({
          ref: e.ref,
          groupId: null,
          lotId: lot,
          at: e.at,
          quantity: e.quantity,
          counted: null,
          role: 'movement',
        });
        add(delta, lot, e.quantity);
        continue;
      }
      // An outflow without a lot. Before a later count: first-expiry-first from the balance at
      // its date. After the last count: from today's stock, like a live issue.
      let left = -e.quantity;
      // `at` is in microseconds since the epoch (PostgreSQL's precision).
      const day = localDay(Math.floor(e.at / 1000), timeZone);
      const usable = (lot: string) =>
        e.allowExpired || !lots.get(lot)?.expiryDate || lots.get(lot)!.expiryDate! >= day;
      const takes: [string, number][] = [];
      if (e.at <= lastCountAt) {
        for (const lot of fefo(knownLots(), lots)) {
          if (left === 0) break;
          const avail = balanceNow(lot);
          if (avail <= 0 || !usable(lot)) continue;
          const take = Math.min(left, avail);
          takes.push([lot, take]);
          left -= take;
        }
      } else {
        for (const lot of fefo(stockNow.keys(), lots)) {
          if (left === 0) break;
          const avail = (stockNow.get(lot) ?? 0) - (takenNow.get(lot) ?? 0);
          if (avail <= 0 || !usable(lot)) continue;
          const take = Math.min(left, avail);
          takes.push([lot, take]);
          add(takenNow, lot, take);
          left -= take;
        }
      }
      if (left > 0) takes.push([untrackedLotId, left]);
      for (const [lot, take] of takes) {
        rows.push({
          ref: e.ref,
          groupId: null,
          lotId: lot,
          at: e.at,
          quantity: -take,
          counted: null,
          role: 'movement',
        });
        add(delta, lot, -take);
      }
    } else if (ev.phase === 1) {
      const g = ev.group;
      const covered = g.lots ?? knownLots();
      for (const lot of covered) {
        const d = delta.get(lot) ?? 0;
        if (d === 0) continue;
        rows.push({
          ref: null,
          groupId: g.groupId,
          lotId: lot,
          at: g.at,
          quantity: -d,
          counted: null,
          role: 'absorb',
        });
        delta.delete(lot);
      }
      for (const r of g.rows) if (r.lotId !== null) add(bOld, r.lotId, r.quantity);
    } else {
      const e = ev.entry;
      if (e.lotId !== null) {
        const book = balanceNow(e.lotId);
        bookAtCount.set(e.ref, book);
        const v = e.counted - book;
        rows.push({
          ref: e.ref,
          groupId: null,
          lotId: e.lotId,
          at: e.at,
          quantity: v,
          counted: e.counted,
          role: 'count',
        });
        add(delta, e.lotId, v);
      } else {
        const balances = new Map<string, number>();
        for (const lot of knownLots()) {
          const b = balanceNow(lot);
          if (b !== 0) balances.set(lot, b);
        }
        bookAtCount.set(
          e.ref,
          [...balances.values()].reduce((a, b) => a + b, 0),
        );
        rows.push({
          ref: e.ref,
          groupId: null,
          lotId: null,
          at: e.at,
          quantity: 0,
          counted: e.counted,
          role: 'count_header',
        });
        for (const [lot, v] of wholeCountVariance(balances, e.counted, lots, untrackedLotId)) {
          rows.push({
            ref: e.ref,
            groupId: null,
            lotId: lot,
            at: e.at,
            quantity: v,
            counted: null,
            role: 'count_variance',
          });
          add(delta, lot, v);
        }
      }
    }
  }
  for (const [k, v] of delta) if (v === 0) delta.delete(k);
  return { rows, stockDelta: delta, bookAtCount };
}
