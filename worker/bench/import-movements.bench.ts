import { createReadStream, createWriteStream, mkdirSync, rmSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import {
  createDatabase,
  type Database,
  PgUploadStore,
  provisionTenant,
  tenantSchema,
  withTenantDb,
} from '@medstock/db';
import { sql } from 'drizzle-orm';
import { from as copyFrom } from 'pg-copy-streams';
import { benchServices, table } from '../../infra/bench/harness.ts';
import { MOVEMENT_COPY_COLUMNS } from '../src/imports/movements.importer.ts';
import { runImport } from '../src/imports/run-import.ts';

/**
 * Issue 3 figure (1): importing 1,000,000 historical movements through the real import job
 * (stream the CSV, validate every row, resolve codes, convert units, then one transaction that
 * COPYs the validated rows), beside a raw `COPY movements FROM STDIN` of the same rows — ids
 * already resolved, no validation — into the same table definition, in the same run. Each side
 * gets its own fresh organisation so both start from an empty table with the same indexes.
 * Goal: the import at no less than half of COPY's rate.
 */

const ITEMS = 200;
const LOCATIONS = ['CENTRAL', 'WARD-1', 'WARD-2', 'THEATRE', 'ICU'];
const DAY_MS = 86_400_000;

interface Fixture {
  tenantId: string;
  items: Map<string, string>;
  locations: Map<string, string>;
}

async function newTenant(database: Database, name: string): Promise<Fixture> {
  const org = await database.pool.query<{ id: string }>(
    `insert into control.organizations (name) values ($1) returning id`,
    [name],
  );
  const tenantId = org.rows[0]!.id;
  const client = await database.pool.connect();
  try {
    await client.query('begin');
    await provisionTenant(client, tenantId, async (c) => {
      const site = await c.query<{ id: string }>(
        `insert into sites (code, name) values ('MAIN', 'Main hospital') returning id`,
      );
      for (const code of LOCATIONS) {
        await c.query(`insert into locations (site_id, code, name, kind) values ($1, $2, $2, 'ward')`, [
          site.rows[0]!.id,
          code,
        ]);
      }
      await c.query(`
        insert into items (code, name_zh, name_en, base_unit) select 'ITEM-' || g, '耗材 ' || g, 'Item ' || g, 'piece' from generate_series(1, ${ITEMS}) g`);
      await c.query(`insert into item_units (item_id, code, factor) select id, 'box', 10 from items`);
    });
    await client.query('commit');
  } finally {
    client.release();
  }
  return withTenantDb(database.db, { organizationId: tenantId }, async (tx) => {
    const items = new Map(
      (await tx.execute<{ id: string; code: string }>(sql`select id, code from items`)).rows.map((r) => [
        r.code,
        r.id,
      ]),
    );
    const locations = new Map(
      (await tx.execute<{ id: string; code: string }>(sql`select id, code from locations`)).rows.map((r) => [
        r.code,
        r.id,
      ]),
    );
    return { tenantId, items, locations };
  });
}

/** Row i of the synthetic history: daily issues per item and location, weekly boxed receipts with a lot. */
function movement(i: number) {
  const item = (i % ITEMS) + 1;
  const loc = LOCATIONS[Math.floor(i / ITEMS) % LOCATIONS.length]!;
  const day = Math.floor(i / (ITEMS * LOCATIONS.length));
  const date = new Date(Date.UTC(2022, 0, 1) + day * DAY_MS).toISOString().slice(0, 10);
  const receipt = day % 7 === 0;
  return {
    date,
    loc,
    item: `ITEM-${item}`,
    type: receipt ? 'receipt' : 'issue',
    quantity: receipt ? 3 : 1 + ((i * 31) % 17),
    unit: receipt ? 'box' : '',
    lot: receipt ? `L${day}` : '',
    expiry: receipt ? '2030-12-31' : '',
  };
}

async function writeStreamed(
  path: string,
  rows: number,
  line: (i: number) => string,
  header = '',
): Promise<void> {
  const out = createWriteStream(path, { highWaterMark: 1 << 20 });
  let buf = header;
  for (let i = 0; i < rows; i++) {
    buf += line(i);
    if (buf.length > 1 << 16) {
      if (!out.write(buf)) await new Promise<void>((r) => out.once('drain', () => r()));
      buf = '';
    }
  }
  await new Promise<void>((r, j) => out.end(buf, (e?: Error | null) => (e ? j(e) : r())));
}

export async function run(opts: { rows?: number } = {}) {
  const rows = opts.rows ?? Number(process.env.BENCH_IMPORT_ROWS ?? 1_000_000);
  const svc = await benchServices('import');
  const work = resolve(import.meta.dirname, '../../.local/bench', `import-files-${process.pid}`);
  mkdirSync(work, { recursive: true });
  const config = { ...svc.config, UPLOAD_DIR: resolve(work, 'uploads'), IMPORT_PROGRESS_EVERY_ROWS: 100_000 };
  const database = createDatabase(config.DATABASE_URL, 4);
  try {
    const forImport = await newTenant(database, 'Bench import');
    const forCopy = await newTenant(database, 'Bench copy');

    // The file a customer brings: written streamed, never built in memory.
    const csvPath = resolve(work, 'movements.csv');
    await writeStreamed(
      csvPath,
      rows,
      (i) => {
        const m = movement(i);
        return `${m.date},MAIN,${m.loc},${m.item},${m.type},${m.quantity},${m.unit},${m.lot},${m.expiry}\n`;
      },
      'date,site_code,location_code,item_code,type,quantity,unit,lot_number,expiry_date\n',
    );

    // Baseline input: the same rows with ids resolved, in COPY text format, and their lots made.
    const lots = new Map<string, string>();
    await withTenantDb(database.db, { organizationId: forCopy.tenantId }, async (tx) => {
      const wanted = new Set<string>();
      for (let i = 0; i < rows; i++) {
        const m = movement(i);
        if (m.lot) wanted.add(`${m.item}|${m.lot}`);
      }
      const keys = [...wanted];
      const r = await tx.execute<{ id: string; item_code: string; lot_number: string }>(sql`
        insert into lots (item_id, lot_number, expiry_date)
        select i.id, x.lot, '2030-12-31' from unnest(${sql.param(keys.map((k) => k.split('|')[0]!))}::text[], ${sql.param(keys.map((k) => k.split('|')[1]!))}::text[]) as x(code, lot)
          join items i on i.code = x.code
        returning id, (select code from items where id = item_id) as item_code, lot_number`);
      for (const l of r.rows) lots.set(`${l.item_code}|${l.lot_number}`, l.id);
    });
    const copyPath = resolve(work, 'movements.copy');
    const baselineImportId = crypto.randomUUID();
    await writeStreamed(copyPath, rows, (i) => {
      const m = movement(i);
      const qty = m.type === 'receipt' ? m.quantity * 10 : -m.quantity;
      const lotId = m.lot ? lots.get(`${m.item}|${m.lot}`)! : '\\N';
      return `${m.type}\t${forCopy.items.get(m.item)}\t${forCopy.locations.get(m.loc)}\t${lotId}\t${qty}\t${m.date} 00:00:00+00\timport\t${baselineImportId}\n`;
    });

    // (a) raw COPY of the same rows into the same table, one transaction.
    const copyStart = performance.now();
    const client = await database.pool.connect();
    try {
      await client.query('begin');
      await client.query(`select set_config('search_path', $1, true)`, [tenantSchema(forCopy.tenantId)]);
      await pipeline(
        createReadStream(copyPath, { highWaterMark: 1 << 20 }),
        client.query(copyFrom(`COPY movements ${MOVEMENT_COPY_COLUMNS} FROM STDIN`)),
      );
      await client.query('commit');
    } finally {
      client.release();
    }
    const copySeconds = (performance.now() - copyStart) / 1000;

    // (b) the import job's code path: stored upload + import_jobs row (what POST /v1/imports leaves), then the job.
    const importId = crypto.randomUUID();
    await new PgUploadStore(database).put(forImport.tenantId, importId, createReadStream(csvPath));
    await withTenantDb(database.db, { organizationId: forImport.tenantId }, (tx) =>
      tx.execute(
        sql`insert into import_jobs (id, kind, format, file_name, file_size) values (${importId}, 'movements', 'csv', 'movements.csv', ${statSync(csvPath).size})`,
      ),
    );
    let peakRss = process.memoryUsage().rss;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
    const importStart = performance.now();
    const result = await runImport({ config, database }, forImport.tenantId, importId);
    const importSeconds = (performance.now() - importStart) / 1000;
    clearInterval(sampler);
    if (result.status !== 'succeeded') throw new Error(`import failed: ${JSON.stringify(result)}`);
    const counts = await Promise.all(
      [forImport, forCopy].map((f) =>
        withTenantDb(
          database.db,
          { organizationId: f.tenantId },
          async (tx) =>
            (await tx.execute<{ n: number }>(sql`select count(*)::int as n from movements`)).rows[0]!.n,
        ),
      ),
    );
    if (counts[0] !== rows || counts[1] !== rows)
      throw new Error(`row counts differ: import ${counts[0]}, copy ${counts[1]}, expected ${rows}`);

    const rate = (s: number) => Math.round(rows / s);
    const out = [
      {
        path: `raw COPY movements FROM STDIN (ids resolved), ${rows.toLocaleString('en')} rows`,
        seconds: copySeconds.toFixed(2),
        'rows/s': rate(copySeconds).toLocaleString('en'),
      },
      {
        path: `import job: stream CSV, validate, resolve, COPY (${(statSync(csvPath).size / 1048576).toFixed(0)} MiB CSV)`,
        seconds: importSeconds.toFixed(2),
        'rows/s': rate(importSeconds).toLocaleString('en'),
      },
      {
        path: 'import rate / COPY rate (goal >= 0.5)',
        seconds: '',
        'rows/s': (copySeconds / importSeconds).toFixed(2),
      },
      {
        path: 'peak RSS of this process during the import',
        seconds: '',
        'rows/s': `${Math.round(peakRss / 1048576)} MiB`,
      },
    ];
    console.log(`\n## Import of historical movements (issue 3)\n\n${table(out)}\n`);
    return {
      rows,
      copySeconds,
      importSeconds,
      ratio: copySeconds / importSeconds,
      peakRssMiB: Math.round(peakRss / 1048576),
    };
  } finally {
    await database.close();
    rmSync(work, { recursive: true, force: true });
    await svc.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await run();
  process.exit(0);
}
