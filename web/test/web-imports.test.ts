import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import iconv from 'iconv-lite';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertItem } from '../../api/test/support/fixtures.ts';
import { signUp } from '../../api/test/support/test-app.ts';
import { JOB_REGISTRY, type RunningWorker, startWorker } from '../../worker/src/index.ts';
import {
  buildWeb,
  launchChromium,
  newPage,
  screenshot,
  startWebServer,
  type WebServer,
} from './support/harness.ts';

/**
 * The import page in Chromium as a Chinese clinic uses it: the Chinese template downloads with
 * Chinese headers; a history sheet saved by Excel on Chinese Windows (GBK) with Chinese headers,
 * units (支/盒), types (出库/入库) and dates (2026/08/01, 2026年8月1日) imports as it is, and the
 * page says how it was read; the same file again is refused with the reason in the reader's
 * language. Then the same page in English.
 */
let web: { dir: string; remove(): void };
let server: WebServer;
let browser: Browser;
let worker: RunningWorker;
const email = `imports-${randomBytes(3).toString('hex')}@clinic.example.org`;
const password = 'imports-password-2026';

const noop = { description: 'not under test here', handle: async () => ({}) };

beforeAll(async () => {
  web = await buildWeb();
  server = await startWebServer(web.dir, { QUEUE_PREFIX: `im${randomBytes(4).toString('hex')}` });
  worker = await startWorker(server.t.config, {
    registry: {
      ...JOB_REGISTRY,
      recalculate: noop,
      'recalculate-drain': noop,
      housekeeping: noop,
      notify: noop,
    },
  });
  browser = await launchChromium();
  const owner = await signUp(server.t, { organizationName: '青山社区卫生服务站', email, password });
  await insertItem(server.t, owner.organizationId, {
    code: 'SYR-5ML',
    packUnits: [{ code: 'box', factor: 100 }],
  });
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await worker?.close();
  await server?.close();
  web?.remove();
});

describe('import page in Chromium', { timeout: 180_000 }, () => {
  it('downloads the Chinese template, imports a GBK sheet, refuses the same file again; in both languages', async () => {
    const { page, errors } = await newPage(browser, server.base);
    await page.goto('/login');
    await page.fill('input[name=email]', email);
    await page.fill('input[name=password]', password);
    await page.click('form button[type=submit]');
    await page.waitForSelector('[data-page=dashboard]');
    await page.goto('/imports?kind=movements');
    await page.waitForSelector('[data-page=imports] [data-testid=import-templates]');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('[data-testid=template-zh-CN]'),
    ]);
    const template = readFileSync((await download.path())!, 'utf8');
    expect(template.startsWith('\uFEFF日期,院区编码,库位编码,耗材编码,类型,数量,单位')).toBe(true);
    expect(download.suggestedFilename()).toBe('medstock-movements-template-zh-CN.csv');

    const sheet = [
      '日期,院区编码,库位编码,耗材编码,类型,数量,单位,批号,效期',
      '2026/08/01,MAIN,CENTRAL,SYR-5ML,入库,2,盒,批号A1,2028年1月31日',
      '2026年8月2日,MAIN,CENTRAL,SYR-5ML,出库,30,支,,',
    ].join('\r\n');
    const file = { name: '出入库流水.csv', mimeType: 'text/csv', buffer: iconv.encode(sheet, 'gbk') };
    await page.setInputFiles('#import-file', file);
    await page.click('form button[type=submit].primary');
    const status = page.locator('[data-testid=import-status]');
    await status.filter({ hasText: '已完成' }).waitFor({ timeout: 60_000 });
    expect(await status.textContent()).toContain('按 GBK / GB18030');
    await screenshot(page, 'imports.zh-CN');

    // The same file again: refused, and the page says why in Chinese.
    await page.setInputFiles('#import-file', file);
    await page.click('form button[type=submit].primary');
    const refusal = page.locator('[data-page=imports] form .error-box');
    await refusal.waitFor();
    expect(await refusal.textContent()).toContain('导入');

    await page.click('[data-testid=lang-toggle]');
    await page.waitForSelector('[data-page=imports] label:has-text("File encoding")');
    expect(await page.textContent('[data-testid=import-templates]')).toContain('Chinese headers');
    await screenshot(page, 'imports.en');
    // The refused duplicate is the only console error (the browser logs the 409).
    expect(errors.filter((e) => !e.includes('409'))).toEqual([]);
  });
});
