import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_DATA_URL,
  engineForecaster,
  evaluateForecaster,
  loadSalesDaily,
  modelForecaster,
} from '../../bench/forecast-quality.ts';
import { ses } from '../../src/forecast/index.ts';

describe('forecast quality on the pharmacy fixture (reduced: 3 origins)', () => {
  it('the engine beats SES by RMSSE', () => {
    if (!existsSync(DEFAULT_DATA_URL)) {
      console.warn(`data absent: ${fileURLToPath(DEFAULT_DATA_URL)} missing, forecast-quality check not run`);
      return;
    }
    const data = loadSalesDaily()!;
    expect(data.series).toHaveLength(8);
    expect(data.dates).toHaveLength(2106);
    expect(data.closed.filter(Boolean)).toHaveLength(26);
    const protocol = { horizon: 28, origins: 3, step: 28 };
    const base = evaluateForecaster(data, 'SES', modelForecaster(ses()), protocol);
    const engine = evaluateForecaster(data, 'engine', engineForecaster(), protocol);
    console.info(`RMSSE over 3 origins: SES ${base.rmsse.toFixed(3)}, engine ${engine.rmsse.toFixed(3)}`);
    expect(engine.rmsse).toBeLessThan(base.rmsse);
  });
});
