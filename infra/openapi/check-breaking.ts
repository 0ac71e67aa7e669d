import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { contractChanges } from './breaking-changes.ts';

/**
 * CI (.ci/run): openapi/openapi.json against the previous commit's. Breaking changes fail unless
 * the last commit's message carries an `API-Breaking: <why>` line, which makes a deliberate break
 * a visible decision. Run from the repository root.
 */
const DOCUMENT = 'openapi/openapi.json';

const git = (...args: string[]) => spawnSync('git', args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });

if (git('rev-parse', '--verify', '--quiet', 'HEAD~1').status !== 0) {
  console.log('openapi breaking-change check skipped: no previous commit (HEAD~1) in this clone');
  process.exit(0);
}
const previous = git('show', `HEAD~1:${DOCUMENT}`);
if (previous.status !== 0) {
  console.log(`openapi breaking-change check skipped: HEAD~1 has no ${DOCUMENT}`);
  process.exit(0);
}

const { breaking, notices } = contractChanges(
  JSON.parse(previous.stdout),
  JSON.parse(readFileSync(DOCUMENT, 'utf8')),
);
for (const n of notices) console.log(`notice: ${n}`);
for (const b of breaking) console.log(`BREAKING: ${b}`);
const acknowledged = /^API-Breaking:\s*\S/m.test(git('log', '-1', '--format=%B').stdout);
if (breaking.length && !acknowledged) {
  console.error(
    `${breaking.length} breaking change(s) to ${DOCUMENT} since HEAD~1; restore them, or say why in an "API-Breaking:" line of the commit message`,
  );
  process.exit(1);
}
console.log(
  breaking.length
    ? `openapi: ${breaking.length} breaking change(s), acknowledged by API-Breaking in the commit message`
    : `openapi: no breaking changes since HEAD~1 (${notices.length} notice(s))`,
);
