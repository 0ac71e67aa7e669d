import { describe, expect, it } from 'vitest';
import { classifyDemand } from '../../src/forecast/index.ts';

const repeat = (pattern: number[], times: number) => Array.from({ length: times }, () => pattern).flat();

describe('classifyDemand (Syntetos–Boylan)', () => {
  it('smooth: demand every day, stable sizes', () => {
    const c = classifyDemand(repeat([5, 6], 20));
    expect(c.class).toBe('smooth');
    expect(c.adi).toBe(1);
    expect(c.cv2).toBeLessThan(0.49);
  });

  it('erratic: demand every day, sizes 1 and 20 (CV² = 90.25 / 10.5² = 0.8186)', () => {
    const c = classifyDemand(repeat([1, 20], 20));
    expect(c.class).toBe('erratic');
    expect(c.cv2).toBeCloseTo(90.25 / 110.25, 10);
  });

  it('intermittent: every third day, constant size (ADI 3, CV² 0)', () => {
    const c = classifyDemand(repeat([0, 0, 5], 20));
    expect(c.class).toBe('intermittent');
    expect(c.adi).toBe(3);
    expect(c.cv2).toBe(0);
  });

  it('lumpy: every third day, sizes 1 and 20', () => {
    expect(classifyDemand(repeat([0, 0, 1, 0, 0, 20], 10)).class).toBe('lumpy');
  });

  it('cut-offs are inclusive at ADI 1.32', () => {
    // 33 periods with 25 demands → ADI 1.32 exactly
    const xs = [...new Array<number>(25).fill(4), ...new Array<number>(8).fill(0)];
    expect(classifyDemand(xs).adi).toBeCloseTo(1.32, 12);
    expect(classifyDemand(xs).class).toBe('intermittent');
  });

  it('missing (NaN) periods are not counted; no demand at all is lumpy', () => {
    expect(classifyDemand([5, Number.NaN, 5, Number.NaN, 5]).adi).toBe(1);
    expect(classifyDemand([0, 0, 0]).class).toBe('lumpy');
  });
});
