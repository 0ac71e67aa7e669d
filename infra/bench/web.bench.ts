import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { withTenantDb } from '@medstock/db';
import { sql } from 'drizzle-orm';
import { seedStockedItems } from '../../api/test/support/bulk-fixtures.ts';
import { benchServices, table } from './harness.ts';

/**
 * Web app: (1) initial JavaScript of the production build in gzip bytes against the 250 kB
 * budget; (2) time to interactive of the dashboard in headless Debian Chromium for an
 * organisation with 5,000 items and 300 open alerts, beside the same page for an empty
 * organisation measured in the same run (the baseline). "Interactive" = every dashboard request
 * answered and rendered, trend charts drawn, measured from navigation start (performance.now()).
 */
const BUDGET_GZIP = 250 * 1024;
const ITEMS = 5_000;
const ALERTS = 300;
const RUNS = 5;
const webRoot = resolve(import.meta.dirname, '../../web');

const gz = (file: string) => gzipSync(readFileSync(file), { level: 9 }).length;
const kB = (n: number) => `${(n / 1024).toFixed(1)} kB`;
interface PageDocument {
  querySelector(s: string): { getAttribute(name: string): string | null } | null;
  querySelectorAll(s: string): { length: number };
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function buildWeb(): Promise<string> {
  const { build } = await import(resolve(webRoot, 'node_modules/vite/dist/node/index.js'));
  const dir = mkdtempSync(join(tmpdir(), 'medstock-web-bench-'));
  await build({
    configFile: resolve(webRoot, 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir: dir, emptyOutDir: true },
  });
  return dir;
}

/** The entry script and its modulepreloads, as index.html lists them: what every first visit loads. */
function bundleFigures(dist: string) {
  const html = readFileSync(resolve(dist, 'index.html'), 'utf8');
  const initial = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.js)"/g)].map((m) => m[1]!);
  const assets = readdirSync(resolve(dist, 'assets'));
  const allJs = assets.filter((f) => f.endsWith('.js'));
  const css = assets.filter((f) => f.endsWith('.css'));
  return {
    initialFiles: initial.map((f) => basename(f)),
    initialGzip: initial.reduce((s, f) => s + gz(resolve(dist, f)), 0),
    initialRaw: initial.reduce((s, f) => s + readFileSync(resolve(dist, f)).length, 0),
    allJsGzip: allJs.reduce((s, f) => s + gz(resolve(dist, 'assets', f)), 0),
    cssGzip: css.reduce((s, f) => s + gz(resolve(dist, 'assets', f)), 0),
  };
}

async function seedAlerts(db: Parameters<typeof withTenantDb>[0], organizationId: string, n: number) {
  await withTenantDb(db, { organizationId }, (tx) =>
    tx.execute(sql`
      insert into alerts (type, item_id, location_id, site_id, severity, status, score, rule_version, explanation, action)
      select 'stockout_risk', i.id, s.location_id, l.site_id, (array['critical','high','medium','low'])[1 + (row_number() over () % 4)::int], 'open',
             random(), 1,
             jsonb_build_object('rule', 'stockout_risk', 'ruleVersion', 1, 'threshold', jsonb_build_object('maxProbability', 0.05),
               'inputs', jsonb_build_object('position', s.on_hand), 'formula', 'P(stockout) = 1 − F(position)',
               'substituted', 'P(stockout) = 1 − F(' || s.on_hand || ') = 40%',
               'text', jsonb_build_object('zh', i.name_zh || ' 缺货概率 40%', 'en', i.name_en || ' has a 40% chance of running out')),
             null
        from items i join stock s on s.item_id = i.id join locations l on l.id = s.location_id
       where i.code like 'BULK-%' order by i.code limit ${n}`),
  );
}

export async function run() {
  const dist = await buildWeb();
  const bundle = bundleFigures(dist);
  console.log('\nInitial JavaScript (entry + modulepreload, as index.html loads it):');
  console.log(
    table([
      {
        figure: 'initial JS, gzip',
        value: kB(bundle.initialGzip),
        budget: kB(BUDGET_GZIP),
        'ratio to budget': (bundle.initialGzip / BUDGET_GZIP).toFixed(3),
      },
      { figure: 'initial JS, raw', value: kB(bundle.initialRaw), budget: '', 'ratio to budget': '' },
      { figure: 'all JS chunks, gzip', value: kB(bundle.allJsGzip), budget: '', 'ratio to budget': '' },
      { figure: 'CSS, gzip', value: kB(bundle.cssGzip), budget: '', 'ratio to budget': '' },
    ]),
  );

  const svc = await benchServices('web');
  const config = { ...svc.config, WEB_DIST_DIR: dist };
  const { buildApp } = await import('@medstock/api/app.ts');
  const { createDeps } = await import('@medstock/api/create-deps.ts');
  const deps = await createDeps(config);
  const app = await buildApp(deps, { logger: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  const { chromium } = await import(resolve(webRoot, 'node_modules/playwright-core/index.mjs'));
  const browser = await chromium.launch({
    executablePath: process.env.MEDSTOCK_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-dev-shm-usage',
    ],
  });
  try {
    const signUp = async (name: string) => {
      const email = `${name}@bench.example.org`;
      const password = 'bench-lantern-orchard-1';
      const { createOrganizationWithOwner } = await import('@medstock/api/routes/auth/signup.service.ts');
      const j = await createOrganizationWithOwner(deps, {
        organizationName: `Bench ${name}`,
        email,
        password,
      });
      return { email, password, organizationId: j.organizationId, token: j.tokens.accessToken };
    };
    const empty = await signUp('web-empty');
    const full = await signUp('web-full');
    const sites = (await (
      await fetch(`${base}/v1/sites`, { headers: { authorization: `Bearer ${full.token}` } })
    ).json()) as { items: { id: string }[] };
    const locs = (await (
      await fetch(`${base}/v1/sites/${sites.items[0]!.id}/locations`, {
        headers: { authorization: `Bearer ${full.token}` },
      })
    ).json()) as { items: { id: string }[] };
    const t0 = performance.now();
    await seedStockedItems({ deps }, full.organizationId, [locs.items[0]!.id], ITEMS, 60);
    await seedAlerts(deps.database.db, full.organizationId, ALERTS);
    console.log(
      `\nseeded ${ITEMS} items (60 days of issues) and ${ALERTS} open alerts in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );

    const measure = async (who: { email: string; password: string }) => {
      const context = await browser.newContext({ viewport: { width: 1180, height: 820 } });
      const page = await context.newPage();
      await page.goto(`${base}/login`);
      await page.fill('input[name=email]', who.email);
      await page.fill('input[name=password]', who.password);
      await page.click('form button[type=submit]');
      await page.waitForSelector('[data-page=dashboard][data-ready=true]', { timeout: 120_000 });
      const times: number[] = [];
      let jsBytes = 0;
      let slowest = { path: '', ms: 0 };
      for (let i = 0; i < RUNS; i++) {
        const js = new Set<string>();
        const onResponse = (r: { url(): string }) => {
          if (r.url().endsWith('.js')) js.add(r.url());
        };
        const onFinished = (r: { url(): string; timing(): { responseEnd: number } }) => {
          const u = new URL(r.url());
          if (i === RUNS - 1 && u.pathname.startsWith('/v1/') && r.timing().responseEnd > slowest.ms)
            slowest = { path: u.pathname, ms: r.timing().responseEnd };
        };
        page.on('response', onResponse);
        page.on('requestfinished', onFinished);
        // A returning user opening the app: refresh cookie → token → dashboard data → charts.
        await page.goto(`${base}/`, { waitUntil: 'commit' });
        // Runs in the page; typed by hand so this Node file needs no DOM library.
        await page.waitForFunction(
          () => {
            const doc = (globalThis as unknown as { document: PageDocument }).document;
            const d = doc.querySelector('[data-page=dashboard]');
            if (d?.getAttribute('data-ready') !== 'true') return false;
            return (
              doc.querySelectorAll('.charts .chart canvas').length ===
              doc.querySelectorAll('.charts .chart').length
            );
          },
          undefined,
          { timeout: 120_000, polling: 'raf' },
        );
        times.push(await page.evaluate(() => performance.now()));
        page.off('response', onResponse);
        page.off('requestfinished', onFinished);
        jsBytes = [...js].reduce((s, u) => s + gz(resolve(dist, new URL(u).pathname.slice(1))), 0);
      }
      await context.close();
      return { median: median(times), min: Math.min(...times), max: Math.max(...times), jsBytes, slowest };
    };
    const baseline = await measure(empty);
    const seeded = await measure(full);
    console.log(`\nDashboard time to interactive, headless Chromium, ${RUNS} loads each (median, min–max):`);
    console.log(
      table([
        {
          organisation: 'empty (baseline)',
          'TTI median': `${baseline.median.toFixed(0)} ms`,
          range: `${baseline.min.toFixed(0)}–${baseline.max.toFixed(0)} ms`,
          'JS loaded (gzip)': kB(baseline.jsBytes),
          'slowest API call': `${baseline.slowest.path} ${baseline.slowest.ms.toFixed(0)} ms`,
          'ratio to baseline': '1.00',
        },
        {
          organisation: `${ITEMS} items, ${ALERTS} open alerts`,
          'TTI median': `${seeded.median.toFixed(0)} ms`,
          range: `${seeded.min.toFixed(0)}–${seeded.max.toFixed(0)} ms`,
          'JS loaded (gzip)': kB(seeded.jsBytes),
          'slowest API call': `${seeded.slowest.path} ${seeded.slowest.ms.toFixed(0)} ms`,
          'ratio to baseline': (seeded.median / baseline.median).toFixed(2),
        },
      ]),
    );
  } finally {
    await browser.close();
    await app.close();
    await deps.close();
    await svc.stop();
    rmSync(dist, { recursive: true, force: true });
  }
}
