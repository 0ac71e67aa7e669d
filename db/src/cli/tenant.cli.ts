// `pnpm tenant <command> ...`: one organisation's placement and lifecycle, for operators.
// Each command lives in its own module, loaded only when asked for.
const COMMANDS: Record<string, { module: string; usage: string }> = {
  cells: {
    module: './tenant-cells.cli.ts',
    usage: 'tenant cells [add <name> [--url-env VAR]] — list or register database cells',
  },
  move: {
    module: './tenant-move.cli.ts',
    usage: 'tenant move <org> --to <cell> | --finish — move an organisation to another cell',
  },
  export: {
    module: './tenant-export.cli.ts',
    usage:
      'tenant export <org> [--out <file>] [--with-password-hashes] — a portable archive of one organisation',
  },
  import: {
    module: './tenant-import.cli.ts',
    usage: 'tenant import <archive> [--as-new] [--cell <cell>] — restore an archive',
  },
  delete: {
    module: './tenant-delete.cli.ts',
    usage:
      'tenant delete <org> [--now | --cancel | --grace-days <n>] | --due — close an organisation, erase it after its grace period',
  },
};

const [command, ...args] = process.argv.slice(2);
const entry = command ? COMMANDS[command] : undefined;
if (!entry) {
  console.error(
    `usage:\n${Object.values(COMMANDS)
      .map((c) => `  pnpm ${c.usage}`)
      .join('\n')}`,
  );
  process.exit(command ? 2 : 0);
}
// From a build each command is bundled beside this file as .js (infra/build/build.ts).
const module = import.meta.url.endsWith('.ts') ? entry.module : entry.module.replace(/\.ts$/, '.js');
const { main } = (await import(module)) as { main: (args: string[]) => Promise<number> };
process.exitCode = await main(args);
