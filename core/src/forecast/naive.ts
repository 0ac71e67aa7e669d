import { defineModel } from './define-model.ts';
import { emptyFit, flat, residualSdOf } from './prepare.ts';
import type { Model } from './types.ts';

/** Naive: tomorrow = the last observed day. The yardstick MASE/RMSSE are scaled by. */
export function naive(): Model {
  return defineModel('naive', (xs) => {
    const fitted = new Array<number>(xs.length).fill(Number.NaN);
    let last = Number.NaN;
    for (let i = 0; i < xs.length; i++) {
      fitted[i] = last;
      if (Number.isFinite(xs[i]!)) last = xs[i]!;
    }
    if (!Number.isFinite(last)) return emptyFit('naive', xs.length);
    const value = last;
    return {
      name: 'naive',
      forecast: (h) => flat(value, h),
      residualSd: residualSdOf(xs, fitted),
      fitted,
      params: {},
    };
  });
}

/**
 * Seasonal naive: each day repeats the last observed value at the same position in the cycle
 * (period 7 = same weekday last week). Missing days fall back to the cycle before.
 */
export function seasonalNaive(period = 7): Model {
  const name = period === 7 ? 'snaive' : `snaive${period}`;
  return defineModel(name, (xs) => {
    const n = xs.length;
    const fitted = new Array<number>(n).fill(Number.NaN);
    const lastBySlot = new Array<number>(period).fill(Number.NaN);
    for (let i = 0; i < n; i++) {
      const slot = i % period;
      fitted[i] = lastBySlot[slot]!;
      if (Number.isFinite(xs[i]!)) lastBySlot[slot] = xs[i]!;
    }
    if (lastBySlot.every((v) => !Number.isFinite(v))) return emptyFit(name, n);
    // A slot never observed borrows the mean of the observed slots.
    const seen = lastBySlot.filter((v) => Number.isFinite(v));
    const fill = seen.reduce((a, b) => a + b, 0) / seen.length;
    const slots = lastBySlot.map((v) => (Number.isFinite(v) ? v : fill));
    return {
      name,
      forecast: (h) =>
        Array.from({ length: Math.max(0, h) }, (_, k) => Math.max(0, slots[(n + k) % period]!)),
      residualSd: residualSdOf(xs, fitted),
      fitted,
      params: { period },
    };
  });
}
