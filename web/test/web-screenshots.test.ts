import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertDailyHistory, insertSupplierTerms } from '../../api/test/support/engine-fixtures.ts';
import { invitationTokenFor } from '../../api/test/support/members.ts';
import { confirmationToken } from '../../api/test/support/test-app.ts';
import { DEMO_EMAIL, DEMO_PASSWORD, seedDemo } from '../../infra/local/seed-demo.ts';
import { type RunningWorker, startWorker } from '../../worker/src/index.ts';
import { CATALOGUES, type Locale } from '../src/i18n/i18n.tsx';
import {
  apiLogin,
  buildWeb,
  eventually,
  launchChromium,
  newPage,
  screenshot,
  startWebServer,
  type WebServer,
  webRoot,
} from './support/harness.ts';

/**
 * Every page of the app, in 简体中文 and in English, with the seeded demo data: the routes are read
 * from web/src/app.tsx (and the main navigation from nav.ts, and the sections of a page routed by
 * `:section` from that page's own list) when the test runs, so a page added later is visited too.
 * Each is saved as test-artifacts/web/<page>.<zh-CN|en>.png. A page fails when it shows an error
 * box, a message key instead of words, or — in Chinese — an English word of the interface (brand,
 * codes and the demo data's own names excepted).
 */
let web: { dir: string; remove(): void };
let server: WebServer;
let worker: RunningWorker;
let browser: Browser;
let demo: Awaited<ReturnType<typeof apiLogin>>;

const LOCALES: Locale[] = ['zh-CN', 'en'];
const src = (p: string) => readFileSync(resolve(webRoot, 'src', p), 'utf8');

interface RouteDef {
  path: string;
  signedIn: boolean;
  /** The file of the page component it renders, for `:section` lists. */
  file: string | null;
}

/** The routes of app.tsx: the signed-out Switch, then the signed-in one; redirects left out. */
function appRoutes(): RouteDef[] {
  const app = src('app.tsx');
  const imports = new Map(
    [...app.matchAll(/const (\w+) = lazyPage(?:<[^>]*>)?\(\(\) => import\('\.\/([^']+)'\)\)/g)].map((m) => [
      m[1]!,
      `${m[2]!}.tsx`,
    ]),
  );
  for (const m of app.matchAll(/import (\w+) from '\.\/(pages\/[^']+)';/g))
    imports.set(m[1]!, `${m[2]!}.tsx`);
  const signedOutStart = app.indexOf("session.status === 'signed-out'");
  const signedInStart = app.indexOf(
    '<Header />',
    app.indexOf('return (', app.indexOf('</Switch>', signedOutStart)),
  );
  const routes: RouteDef[] = [];
  for (const m of app.matchAll(/<Route path="([^"]+)">([\s\S]*?)<\/Route>/g)) {
    const body = m[2]!;
    if (/^\s*<Redirect/.test(body)) continue;
    const component = body.match(/<(\w+Page)\b/)?.[1];
    routes.push({
      path: m[1]!,
      signedIn: m.index! > signedInStart,
      file: component ? (imports.get(component) ?? null) : null,
    });
  }
  return routes;
}

/** The main navigation's pages (every one must be routed). */
const navHrefs = () => [...src('nav.ts').matchAll(/href: '([^']+)'/g)].map((m) => m[1]!);

/** The sections a `:section` page lists (`{ id: 'users', … }`). */
const sectionsOf = (file: string) => [...src(file).matchAll(/\{\s*id: '([\w-]+)'/g)].map((m) => m[1]!);

/** Data names that may be English in a Chinese screen: they are the clinic's, not the interface's. */
const dataWords = new Set<string>();
const ALLOWED = new Set(
  [
    'medstock',
    'GTIN',
    'UDI',
    'DI',
    'API',
    'ABC',
    'VED',
    'CSV',
    'Excel',
    'PDF',
    'HIS',
    'SPD',
    'GS1',
    'DataMatrix',
    'NHSA',
    'JSON',
    'URL',
    'HTTPS',
    'HTTP',
    'Webhook',
    'ID',
    'SMS',
    'CNY',
    'SES',
    'SBA',
    'TSB',
    'MASE',
    'RMSSE',
    'AP',
    'Brier',
    'EOQ',
    'MOQ',
    'UTC',
    'Asia',
    'Shanghai',
    'Hong_Kong',
    'Taipei',
    'Urumqi',
    'Singapore',
    'Europe',
    'London',
    'Chrome',
    'Linux',
    'Windows',
    'macOS',
    'Android',
    'iOS',
    'Firefox',
    'Safari',
    'Edge',
    'HeadlessChrome',
    'English',
    // Unit codes, shown beside their words where an item has none of its own.
    'piece',
    'box',
    'pack',
    'pair',
    'set',
    'roll',
    'bottle',
    'bag',
    'sheet',
    'vial',
    'ampoule',
    // The reasons the history fixture (engine-fixtures insertDailyHistory) gives its movements.
    'history',
    'baseline',
  ].map((w) => w.toLowerCase()),
);
const KEY_PREFIXES = new Set(Object.keys(CATALOGUES.en).map((k) => k.split('.')[0]!));

/** What a page says, without codes, form values and text marked as another language. */
function visibleText(page: Page): Promise<string> {
  return page.evaluate(() => {
    const skip = 'code, script, style, option, [lang="en"], [lang="zh-CN"]';
    const parts: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!el || el.closest(skip) || !el.checkVisibility()) continue;
      parts.push(n.textContent ?? '');
    }
    // One text node per piece of the screen: words of neighbouring elements never run together.
    return parts.join(' \n ');
  });
}

/** Problems of one screen: error boxes, message keys, and (in Chinese) English interface words. */
async function problemsOf(page: Page, locale: Locale): Promise<string[]> {
  const problems: string[] = [];
  const boxes = await page.locator('.error-box, p[role=alert]').allTextContents();
  for (const b of boxes) problems.push(`error box: ${b.trim().slice(0, 160)}`);
  const text = (await visibleText(page))
    .replace(/[\w.+-]+@[\w-]+(\.[\w-]+)+/g, ' ') // e-mail addresses
    .replace(/\bhttps?:\/\/\S+/g, ' ');
  for (const m of text.matchAll(/\b[a-z]+\.[a-zA-Z.]+\b/g)) {
    // A key's segments start in lower case (nav.masterData, md.item.nhsaCode).
    if (KEY_PREFIXES.has(m[0].split('.')[0]!) && /^[a-z]+(\.[a-z][a-zA-Z]*)+$/.test(m[0]))
      problems.push(`message key: ${m[0]}`);
  }
  if (locale === 'zh-CN') {
    let rest = text;
    // The clinic's own names (sites, items, suppliers, the demo organisation) stay as written.
    for (const w of [...dataWords].sort((a, b) => b.length - a.length)) rest = rest.split(w).join(' ');
    const english = [...rest.matchAll(/[A-Za-z][A-Za-z_]{2,}/g)]
      .map((m) => m[0])
      // All capitals is a code or an abbreviation (lot DEMO-3, CHC-0003), not a word of the interface.
      .filter((w) => !ALLOWED.has(w.toLowerCase()) && !/^[A-Z_]+$/.test(w));
    if (english.length) problems.push(`English in zh-CN: ${[...new Set(english)].slice(0, 20).join(', ')}`);
  }
  return problems;
}

async function settle(page: Page) {
  await page.waitForLoadState('networkidle');
  await page
    .waitForFunction(() => !document.querySelector('[aria-busy=true]'), undefined, { timeout: 15_000 })
    .catch(() => {});
  // Charts draw after their library loads.
  await page.waitForTimeout(300);
}

const shotName = (path: string, signedIn: boolean) =>
  path === '/'
    ? signedIn
      ? 'dashboard'
      : 'landing'
    : path
        .replace(/^\//, '')
        .replace(/\/:(\w+)/g, '-$1')
        .replace(/[/:]/g, '-');

/** Concrete URLs for a route's parameters, from the demo organisation. */
async function concrete(
  route: RouteDef,
  ids: Record<string, string>,
): Promise<{ url: string; name: string }[]> {
  const { path } = route;
  if (path.includes(':section')) {
    if (!route.file) throw new Error(`${path}: no page file to read its sections from`);
    return sectionsOf(route.file).map((s) => ({
      url: path.replace(':section', s),
      name: shotName(path.replace(':section', s), route.signedIn),
    }));
  }
  if (path.includes(':id')) {
    const prefix = path.split('/:id')[0]!;
    const id = ids[prefix];
    if (!id) throw new Error(`${path}: no demo record to show (add one to the screenshot test's fixtures)`);
    return [{ url: path.replace(':id', id), name: shotName(path, route.signedIn) }];
  }
  if (/:\w+/.test(path)) throw new Error(`${path}: unknown route parameter`);
  return [{ url: path, name: shotName(path, route.signedIn) }];
}

beforeAll(async () => {
  const prefix = `ss${randomBytes(4).toString('hex')}`;
  web = await buildWeb();
  server = await startWebServer(web.dir, { QUEUE_PREFIX: prefix });
  worker = await startWorker(server.t.config, { scheduleSyncMs: 60_000 });
  browser = await launchChromium();
  await seedDemo({
    ...process.env,
    DATABASE_URL: server.t.databaseUrl,
    QUEUE_PREFIX: prefix,
    LOG_LEVEL: 'silent',
  });
  demo = await apiLogin(server.base, DEMO_EMAIL, DEMO_PASSWORD);
  const sites = await demo.call<{ items: { name: string; id: string }[] }>('GET', '/v1/sites');
  for (const s of sites.items) {
    dataWords.add(s.name);
    const locs = await demo.call<{ items: { name: string }[] }>('GET', `/v1/sites/${s.id}/locations`);
    for (const l of locs.items) dataWords.add(l.name);
  }
  const suppliers = await demo.call<{ items: { name: string }[] }>('GET', '/v1/suppliers?limit=200');
  for (const x of suppliers.items) dataWords.add(x.name);
  const me = await demo.call<{ name: string; organization: { name: string } }>('GET', '/v1/me');
  dataWords.add(me.organization.name);
  dataWords.add(me.name);
}, 300_000);
afterAll(async () => {
  await browser?.close();
  await worker?.close();
  await server?.close();
  web?.remove();
});

describe('a screenshot of every page, in both languages', { timeout: 900_000 }, () => {
  it('routes every page of the navigation', () => {
    const routed = appRoutes().filter((r) => r.signedIn);
    const paths = new Set(routed.map((r) => r.path));
    expect(routed.length).toBeGreaterThan(15);
    for (const href of navHrefs())
      expect(paths.has(href) || paths.has(`${href}/:section`), `nav ${href} is routed`).toBe(true);
  });

  it('every page shows no error box, no message key and, in Chinese, no English interface words', async () => {
    // Demo records for the pages that show one: a purchase order, a stocktake, an alert.
    const items = await demo.call<{
      items: { id: string; code: string; specification: string; manufacturer: string | null }[];
    }>('GET', '/v1/items?limit=200');
    for (const i of items.items) {
      dataWords.add(i.code);
      if (i.specification) dataWords.add(i.specification);
      if (i.manufacturer) dataWords.add(i.manufacturer);
    }
    const supplier = await demo.call<{ id: string; name: string }>('POST', '/v1/suppliers', {
      code: 'GY-DEMO',
      name: '国药控股示范供应商',
    });
    const store = (
      await demo.call<{ items: { id: string; code: string }[] }>(
        'GET',
        `/v1/sites/${(await demo.call<{ items: { id: string }[] }>('GET', '/v1/sites')).items[0]!.id}/locations`,
      )
    ).items.find((l) => l.code === 'CENTRAL')!;
    const po = await demo.call<{ id: string }>('POST', '/v1/purchase-orders', {
      supplierId: supplier.id,
      locationId: store.id,
      lines: [{ itemId: items.items[0]!.id, quantity: 10 }],
    });
    const stocktake = await demo.call<{ id: string }>('POST', '/v1/stocktakes', { locationId: store.id });
    // A stock-out risk, as in the storekeeper's day: four months of use, then little left.
    const risky = items.items.find((i) => i.code === 'CHC-0003') ?? items.items[2]!;
    await insertSupplierTerms(server.t, demo.organizationId, risky.id, {
      packSize: 10,
      leadDays: 7,
      code: 'SUP-DEMO',
    });
    dataWords.add('Supplier SUP-DEMO');
    await insertDailyHistory(server.t, demo.organizationId, risky.id, store.id, 120, (i) => 10 + (i % 3));
    await demo.call('POST', '/v1/movements', {
      type: 'receipt',
      itemId: risky.id,
      locationId: store.id,
      quantity: 200,
      lotNumber: 'LOT-C1',
      expiryDate: '2028-01-31',
    });
    await demo.call('POST', '/v1/movements', {
      type: 'issue',
      itemId: risky.id,
      locationId: store.id,
      quantity: 150,
    });
    await demo.call('POST', '/v1/engine/recalculate', {});
    const alert = await eventually(
      async () => (await demo.call<{ items: { id: string }[] }>('GET', '/v1/alerts?limit=1')).items[0],
      90_000,
      1_000,
    ).catch(async (e) => {
      console.log(
        'no alert:',
        JSON.stringify(await demo.call('GET', '/v1/engine/runs?limit=5')).slice(0, 1500),
        JSON.stringify(await demo.call('GET', `/v1/stock?itemId=${items.items[1]!.id}`)).slice(0, 500),
        JSON.stringify(await demo.call('GET', '/v1/alerts?status=resolved&limit=3')).slice(0, 500),
      );
      throw e;
    });
    const ids: Record<string, string> = {
      '/alerts': alert.id,
      '/items': items.items[0]!.id,
      '/stocktake': stocktake.id,
      '/purchasing/orders': po.id,
    };

    // Signed-out pages that need an e-mailed token get a real one.
    const mail = server.t.mail;
    const invitee = `invitee-${randomBytes(3).toString('hex')}@clinic.example.org`;
    await demo.call('POST', '/v1/invitations', { email: invitee, role: 'nurse', siteIds: null });
    const invitation = await invitationTokenFor(mail, invitee);
    const signupEmail = `new-${randomBytes(3).toString('hex')}@clinic.example.org`;
    await fetch(`${server.base}/v1/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        organizationName: '新诊所',
        email: signupEmail,
        password: 'new-clinic-password-1',
      }),
    });
    const signupToken = confirmationToken(
      await mail.waitFor(signupEmail, (m) => m.links.some((l) => l.includes('/signup/confirm?'))),
    );
    await fetch(`${server.base}/v1/auth/password-reset`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: DEMO_EMAIL }),
    });
    const resetToken = confirmationToken(
      await mail.waitFor(DEMO_EMAIL, (m) => m.links.some((l) => l.includes('/password-reset/confirm?'))),
    );
    const tokens: Record<string, string> = {
      '/accept-invitation': invitation,
      '/signup/confirm': signupToken,
      '/password-reset/confirm': resetToken,
    };

    const failures: string[] = [];
    const visited = new Set<string>();
    for (const locale of LOCALES) {
      for (const signedIn of [false, true]) {
        const { page, context, errors } = await newPage(browser, server.base);
        await page.goto('/login');
        await page.evaluate((l) => localStorage.setItem('medstock.locale', l), locale);
        if (signedIn) {
          await page.reload();
          await page.fill('input[name=email]', DEMO_EMAIL);
          await page.fill('input[name=password]', DEMO_PASSWORD);
          await page.click('form button[type=submit]');
          await page.waitForSelector('[data-page=dashboard]');
        }
        for (const route of appRoutes().filter((r) => r.signedIn === signedIn)) {
          // A signed-in token page (accept an invitation to another organisation) is the signed-out one's.
          if (signedIn && tokens[route.path]) continue;
          for (const { url, name } of await concrete(route, ids)) {
            const full = tokens[route.path] ? `${url}?token=${tokens[route.path]}` : url;
            errors.length = 0;
            await page.goto(full);
            await settle(page);
            await screenshot(page, `${name}.${locale}`);
            visited.add(name);
            const problems = [...(await problemsOf(page, locale)), ...errors.map((e) => `console: ${e}`)];
            for (const p of problems) failures.push(`${url} (${locale}): ${p}`);
          }
        }
        await context.close();
      }
    }
    expect(visited.size).toBeGreaterThan(25);
    expect(failures).toEqual([]);
  });
});
