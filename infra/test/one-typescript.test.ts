import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
const workspacePackages = () =>
  ['.', ...[...read('pnpm-workspace.yaml').matchAll(/^ {2}- (\S+)$/gm)].map((m) => m[1]!)].map((dir) => ({
    dir,
    manifest: JSON.parse(read(`${dir}/package.json`)),
  }));
const typescriptOf = (m: { dependencies?: object; devDependencies?: object }) =>
  ({ ...m.dependencies, ...m.devDependencies }) as Record<string, string | undefined>;

describe('one TypeScript type-checks the workspace', () => {
  it('only the root declares the compiler; web/codegen carries TypeScript 6 solely as a library', () => {
    const declared = workspacePackages()
      .filter(({ manifest }) => typescriptOf(manifest).typescript)
      .map(({ dir }) => dir);
    expect(declared).toEqual(['.', 'web/codegen']);
    const codegen = JSON.parse(read('web/codegen/package.json'));
    expect(codegen.scripts ?? {}).toEqual({});
    expect(Object.keys(codegen.dependencies)).toEqual(['openapi-typescript', 'typescript']);
  });

  it('the type check CI runs covers the web with the root compiler', () => {
    const root = JSON.parse(read('package.json'));
    expect(root.scripts.typecheck).toBe('tsc -p tsconfig.json --noEmit && tsc -p web/tsconfig.json --noEmit');
    expect(read('.ci/run')).toMatch(/^npm run --silent typecheck$/m);
  });
});
