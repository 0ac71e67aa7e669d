import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { contractChanges } from '../openapi/breaking-changes.ts';

// A small document with what the checks look at: a request body, a response with properties and
// an enum, several response codes, operationIds.
// biome-ignore lint/suspicious/noExplicitAny: the crafted documents are edited freely, like JSON
type Contract = any;

function contract(): Contract {
  const site = {
    type: 'object',
    required: ['id', 'kind'],
    properties: { id: { type: 'string' }, kind: { enum: ['hospital', 'clinic'] }, note: { type: 'string' } },
  };
  // Through JSON: no object shared between the two responses, as in a parsed document.
  return JSON.parse(
    JSON.stringify({
      openapi: '3.1.0',
      info: { title: 'crafted', version: '1' },
      paths: {
        '/v1/sites': {
          post: {
            operationId: 'createSite',
            requestBody: {
              required: true,
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    required: ['code'],
                    properties: { code: { type: 'string' }, kind: { enum: ['hospital', 'clinic'] } },
                  },
                },
              },
            },
            responses: { 201: { description: 'created', content: { 'application/json': { schema: site } } } },
          },
        },
        '/v1/sites/{id}': {
          get: {
            operationId: 'getSite',
            parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
            responses: {
              200: { description: 'ok', content: { 'application/json': { schema: site } } },
              404: { description: 'not found' },
            },
          },
        },
      },
    }),
  );
}
const body = (d: Contract) => d.paths['/v1/sites'].post.requestBody.content['application/json'].schema;
const answer = (d: Contract) =>
  d.paths['/v1/sites/{id}'].get.responses[200].content['application/json'].schema;

function changed(edit: (d: Contract) => void) {
  const after = contract();
  edit(after);
  return contractChanges(contract(), after);
}

describe('breaking changes between two OpenAPI documents', () => {
  it('finds none between a document and itself', () => {
    expect(contractChanges(contract(), contract())).toEqual({ breaking: [], notices: [] });
  });

  it.each<[string, (d: Contract) => void]>([
    ['a removed operation', (d) => delete d.paths['/v1/sites/{id}'].get],
    ['a removed response code', (d) => delete d.paths['/v1/sites/{id}'].get.responses[404]],
    [
      'a new required request field',
      (d) => {
        body(d).properties.siteType = { type: 'string' };
        body(d).required.push('siteType');
      },
    ],
    [
      'a removed response property',
      (d) => {
        delete answer(d).properties.note;
      },
    ],
    ['a narrowed request enum', (d) => body(d).properties.kind.enum.pop()],
    ['a changed property type', (d) => (answer(d).properties.id = { type: 'integer' })],
    ['a renamed operationId', (d) => (d.paths['/v1/sites/{id}'].get.operationId = 'fetchSite')],
  ])('reports %s as breaking', (_what, edit) => {
    expect(changed(edit).breaking.length).toBeGreaterThan(0);
  });

  it.each<[string, (d: Contract) => void]>([
    ['a new optional request field', (d) => (body(d).properties.note = { type: 'string' })],
    ['a new response property', (d) => (answer(d).properties.createdAt = { type: 'string' })],
    ['a new operation', (d) => (d.paths['/v1/items'] = d.paths['/v1/sites/{id}'])],
  ])('lets %s through', (_what, edit) => {
    expect(changed(edit).breaking).toEqual([]);
  });

  it('reports a widened response enum as a notice, not a failure', () => {
    const { breaking, notices } = changed((d) => answer(d).properties.kind.enum.push('warehouse'));
    expect(breaking).toEqual([]);
    expect(notices).toHaveLength(1);
  });
});

describe('the CI check against the previous commit', () => {
  const checker = fileURLToPath(new URL('../openapi/check-breaking.ts', import.meta.url));
  const repo = mkdtempSync(join(tmpdir(), 'openapi-history-'));
  afterAll(() => rmSync(repo, { recursive: true, force: true }));
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, stdio: 'pipe' });
  function commit(doc: object, message: string) {
    mkdirSync(join(repo, 'openapi'), { recursive: true });
    writeFileSync(join(repo, 'openapi/openapi.json'), JSON.stringify(doc));
    git('add', 'openapi/openapi.json');
    git('-c', 'user.name=t', '-c', 'user.email=t@example.invalid', 'commit', '-q', '-m', message);
  }
  // The checker runs inside the scratch repository, which has no node_modules of its own.
  const tsx = new URL('../../node_modules/tsx/dist/loader.mjs', import.meta.url).href;
  const check = () => {
    const r = spawnSync(process.execPath, ['--import', tsx, checker], { cwd: repo, encoding: 'utf8' });
    return { status: r.status, out: r.stdout + r.stderr };
  };

  it('skips with a message when there is no previous commit, fails on a break, passes a declared one', () => {
    git('init', '-q');
    commit(contract(), 'first');
    expect(check()).toMatchObject({ status: 0, out: expect.stringContaining('skipped') });

    const broken = contract();
    delete broken.paths['/v1/sites/{id}'].get;
    commit(broken, 'drop getSite');
    expect(check()).toMatchObject({ status: 1, out: expect.stringContaining('BREAKING') });

    commit(contract(), 'getSite back');
    expect(check()).toMatchObject({ status: 0, out: expect.stringContaining('no breaking changes') });

    commit(broken, 'drop getSite again\n\nAPI-Breaking: the route moved to /v2');
    expect(check()).toMatchObject({ status: 0, out: expect.stringContaining('acknowledged') });
  });
});
