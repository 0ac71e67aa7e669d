import { createHash } from 'node:crypto';
import {
  type AlertCandidate,
  type ComputedPolicy,
  computeItemLocation,
  DEFAULT_ENGINE_SETTINGS,
  type EngineInput,
  evaluateAlerts,
  forecastOutlook,
  type Outlooker,
  type RuleSet,
  riskClassOf,
} from '@medstock/core';
import { recalibrationFor, type StoredCalibration } from '../load-calibration.ts';

/**
 * One batch's computation, as plain data so it can cross to a worker thread: the inputs, the
 * rules in force and the stored calibration (the recalibration itself holds functions, so it is
 * rebuilt where the computation runs).
 */
export interface BatchComputation {
  inputs: EngineInput[];
  rules: RuleSet;
  calibration: StoredCalibration | null;
}

export interface ItemLocationResult {
  computed: ComputedPolicy;
  alerts: AlertCandidate[];
  /** Fingerprints of the stored values, computed where the fitting runs (off the main thread). */
  stateHash: string;
  alertHashes: string[];
}

const hashOf = (value: unknown) => createHash('sha1').update(JSON.stringify(value)).digest('base64url');

/** What a stored policy row is made of: equal hashes, nothing to rewrite. */
export const policyHash = (computed: ComputedPolicy) =>
  hashOf([computed.state, computed.forecast.slice(0, 90), computed.modelScore, computed.eoq]);

/** What a live alert row shows: equal hashes, nothing to rewrite. */
export const alertHash = (c: AlertCandidate) =>
  hashOf([c.severity, c.score, c.explanation, c.action ?? null]);

/** Policies and alert candidates of every input: pure, no I/O (runs on the main thread or a worker thread). */
export function computeBatch(
  { inputs, rules, calibration }: BatchComputation,
  outlooker: Outlooker = forecastOutlook,
): ItemLocationResult[] {
  const riskHorizonDays = rules.stockoutRisk.horizonDays;
  const recalibration = recalibrationFor(calibration, riskHorizonDays);
  return inputs.map((input) => {
    const serviceLevel =
      rules.serviceLevels[riskClassOf(input.item.abc, input.item.ved)] ??
      DEFAULT_ENGINE_SETTINGS.serviceLevel;
    const computed = computeItemLocation(
      input,
      { ...DEFAULT_ENGINE_SETTINGS, serviceLevel, riskHorizonDays },
      outlooker,
      recalibration,
    );
    const alerts = evaluateAlerts(computed.state, rules);
    return { computed, alerts, stateHash: policyHash(computed), alertHashes: alerts.map(alertHash) };
  });
}
