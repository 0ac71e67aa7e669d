import { parseArgs } from 'node:util';
import { listCells, registerCell } from '../cells/register-cell.ts';
import { withControlDatabase } from './tenant-cli-support.ts';

/**
 * pnpm tenant cells                       — the cells, their URL variable and organisations
 * pnpm tenant cells add <name> [--url-env VAR] [--control-url URL]
 *   registers a cell whose URL is in VAR (default CELL_<NAME>_URL); no URL is stored.
 */
export async function main(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { 'url-env': { type: 'string' }, 'control-url': { type: 'string' } },
  });
  return withControlDatabase('cells', async (control, cells) => {
    const [verb, name] = positionals;
    if (verb === 'add') {
      if (!name) {
        console.error('usage: pnpm tenant cells add <name> [--url-env VAR] [--control-url URL]');
        return 2;
      }
      await registerCell(cells, name, {
        urlEnv: values['url-env'],
        controlUrlForCell: values['control-url'],
      });
      console.log(`cell '${name}' registered`);
      return 0;
    }
    if (verb) {
      console.error(`tenant cells: unknown command '${verb}'`);
      return 2;
    }
    for (const c of await listCells(control.pool))
      console.log(
        `${c.name.padEnd(12)} ${c.urlEnv.padEnd(24)} ${c.urlSet ? 'url set' : 'URL NOT SET'}  ${c.acceptsTenants ? 'open' : 'closed'}  ${c.organizations} organisations`,
      );
    return 0;
  });
}
