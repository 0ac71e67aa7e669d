/**
 * The dependency rules of the workspace (issue 12.6), checked in CI by `pnpm deps:rules`:
 * `core` is pure domain logic, `db` owns the tables, and `api` and `worker` are thin shells that
 * share what they agree on through `@medstock/contracts` only, never through each other.
 * Workspace packages resolve through their node_modules links to these folders, so
 * `@medstock/worker/...` and `../../worker/...` are caught alike.
 */
const SHELLS = '^(api|worker)/';
const OURS_OUTSIDE_CORE = '^(api|worker|db|contracts|config|web|infra)/';
// Modules that reach outside the process: files, network, processes, the machine.
const NODE_IO =
  '^(node:)?(fs|fs/promises|net|http|https|http2|dns|dns/promises|tls|dgram|child_process|cluster|worker_threads|os|readline|stream|stream/promises|zlib|inspector|v8|vm)$';

const { join } = require('node:path');

module.exports = {
  forbidden: [
    {
      name: 'api-not-to-worker',
      comment:
        'The API reaches the worker only through jobs; shared code lives in @medstock/contracts (or core, db).',
      severity: 'error',
      from: { path: '^api/src/' },
      to: { path: '^worker/' },
    },
    {
      name: 'worker-not-to-api',
      comment: 'The worker runs without the API; shared code lives in @medstock/contracts (or core, db).',
      severity: 'error',
      from: { path: '^worker/src/' },
      to: { path: '^api/' },
    },
    {
      name: 'core-is-self-contained',
      comment: 'core is pure domain logic: it imports nothing of ours but itself.',
      severity: 'error',
      from: { path: '^core/src/' },
      to: { path: OURS_OUTSIDE_CORE },
    },
    {
      name: 'core-no-node-io',
      comment: 'core is pure: no files, network, processes or machine state.',
      severity: 'error',
      from: { path: '^core/src/' },
      to: { dependencyTypes: ['core'], path: NODE_IO },
    },
    {
      name: 'contracts-not-to-shells',
      comment: 'The contracts are what api and worker share; they cannot depend on either (or on web).',
      severity: 'error',
      from: { path: '^contracts/src/' },
      to: { path: `${SHELLS}|^web/` },
    },
    {
      name: 'web-not-to-server',
      comment:
        'The browser bundle talks to the API over HTTP (the generated client), never by import; only core (pure) may be shared.',
      severity: 'error',
      from: { path: '^web/src/' },
      to: { path: '^(api|worker|db|contracts|config|infra)/' },
    },
    {
      name: 'ours-resolve',
      comment: 'An import of ours that does not resolve to a file would slip past every rule above.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true, path: '^@medstock/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // TypeScript 7 has no JavaScript API for dependency-cruiser to parse with: swc reads the .ts
    // (type-only imports included). It cannot read JSX: the web's .tsx go through Babel instead
    // (.dependency-cruiser.web.cjs).
    parser: 'swc',
    tsPreCompilationDeps: true,
    tsConfig: { fileName: join(__dirname, 'tsconfig.json') },
    enhancedResolveOptions: {
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json'],
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
};
