import { fileURLToPath } from 'node:url';

// From source this module is config/src/shipped-path.ts, two levels below the repository root;
// from a build it is bundled into dist/app/*.js, one level below dist/, which mirrors the
// repository's layout for the files it ships (migrations/, db/catalogue-templates/, web/dist/).
const fromSource = import.meta.url.endsWith('.ts');
const ROOT = new URL(fromSource ? '../../' : '../', import.meta.url);

/**
 * The absolute path of a file or folder that ships beside the code, named as in the repository
 * (`migrations/`, `db/catalogue-templates/`), whether the code runs from source or from the build.
 */
export function shippedPath(fromRepositoryRoot: string): string {
  return fileURLToPath(new URL(fromRepositoryRoot, ROOT));
}
