import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { build } from 'vite';
import { startTestApp, type TestApp } from '../../../api/test/support/test-app.ts';
import { freePort } from '../../../infra/local/services.ts';

export const webRoot = resolve(import.meta.dirname, '../..');
export const repoRoot = resolve(webRoot, '..');
export const artifactsDir = resolve(repoRoot, 'test-artifacts/web');

/** The production build of the web app, made programmatically into a throw-away directory. */
export async function buildWeb(): Promise<{ dir: string; remove(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'medstock-web-'));
  await build({
    configFile: resolve(webRoot, 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir: dir, emptyOutDir: true },
  });
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface WebServer {
  t: TestApp;
  base: string;
  close(): Promise<void>;
}

/** The real API (fresh test database) serving the built web app on a free loopback port. */
export async function startWebServer(
  webDist: string,
  overrides: Record<string, string> = {},
  port?: number,
): Promise<WebServer> {
  const listenPort = port ?? (await freePort());
  const t = await startTestApp({
    WEB_DIST_DIR: webDist,
    PUBLIC_URL: `http://127.0.0.1:${listenPort}`,
    ...overrides,
  });
  await t.app.listen({ host: '127.0.0.1', port: listenPort });
  return { t, base: `http://127.0.0.1:${listenPort}`, close: () => t.close() };
}

export const CHROMIUM = process.env.MEDSTOCK_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Debian's Chromium through playwright-core (never a downloaded browser). Playwright gives every
 * launch a fresh temporary --user-data-dir; the flags keep Chromium off the (closed) network.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
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
}

/** A page that records console errors and uncaught exceptions, with a tablet-sized viewport. */
export async function newPage(
  browser: Browser,
  base: string,
): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({
    baseURL: base,
    viewport: { width: 1180, height: 820 },
    locale: 'zh-CN',
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`${page.url()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`${page.url()}: ${e.message}`));
  return { context, page, errors };
}

export async function screenshot(page: Page, name: string) {
  mkdirSync(artifactsDir, { recursive: true });
  await page.screenshot({ path: resolve(artifactsDir, `${name}.png`), fullPage: true });
}

/** Logs in through the API from Node (a second session), for test set-up that is not under test. */
export async function apiLogin(base: string, email: string, password: string) {
  const r = await fetch(`${base}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (!r.ok) throw new Error(`login failed: ${r.status} ${await r.text()}`);
  const j = (await r.json()) as { accessToken: string; organizationId: string };
  const headers = { authorization: `Bearer ${j.accessToken}`, 'content-type': 'application/json' };
  const call = async <T = unknown>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return (res.status === 204 ? undefined : await res.json()) as T;
  };
  return { organizationId: j.organizationId, headers, call };
}

export async function eventually<T>(
  fn: () => Promise<T | null | undefined | false>,
  ms = 30_000,
  every = 250,
): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, every));
  }
  throw new Error(`timed out${last ? `: ${(last as Error).message}` : ''}`);
}

/** Form controls on the page that have no accessible label (label[for], a wrapping label, or aria-label). */
export function unlabelledControls(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll('input, select, textarea')]
      .filter((el) => (el as HTMLInputElement).type !== 'hidden')
      .filter((el) => {
        const id = el.getAttribute('id');
        const byFor = id ? document.querySelector(`label[for="${CSS.escape(id)}"]`) : null;
        return (
          !byFor &&
          !el.closest('label') &&
          !el.getAttribute('aria-label') &&
          !el.getAttribute('aria-labelledby')
        );
      })
      .map((el) => el.outerHTML.slice(0, 120)),
  );
}
