import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

interface LintReport {
  totals: { errors: number; warnings: number };
  problems: { severity: string; ruleId: string; location: { pointer?: string }[] }[];
}

describe('the OpenAPI contract passes a standard linter', () => {
  it('redocly.yaml is the recommended rule set with nothing turned off', () => {
    const config = readFileSync(new URL('redocly.yaml', `file://${root}`), 'utf8');
    expect(config).toMatch(/^extends:\s*\n\s*- recommended\s*$/m);
    expect(config).not.toMatch(/^\s*(rules|decorators|preprocessors):/m);
  });

  it('Redocly CLI finds 0 errors and 0 warnings in the committed openapi/openapi.json', async () => {
    // redocly exits 1 when it finds errors; the JSON report on stdout is what is checked.
    const { stdout } = await run(
      'node_modules/.bin/redocly',
      ['lint', 'openapi/openapi.json', '--format=json'],
      {
        cwd: root,
        maxBuffer: 64 * 1024 * 1024,
      },
    ).catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? '' }));
    const report = JSON.parse(stdout) as LintReport;
    expect(report.problems.map((p) => `${p.severity} ${p.ruleId} at ${p.location[0]?.pointer}`)).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  });
});
