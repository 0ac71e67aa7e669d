import { randomBytes } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueEmail } from '../../api/test/support/test-app.ts';
import {
  buildWeb,
  launchChromium,
  newPage,
  screenshot,
  startWebServer,
  type WebServer,
} from './support/harness.ts';

/**
 * The server's problem words reach the reader in the app's language: the client sends the app's
 * locale as Accept-Language (not the browser's, which stays zh-CN here), and the error box shows
 * the server's detail and each field as its label and message.
 */
let web: { dir: string; remove(): void };
let server: WebServer;
let browser: Browser;

beforeAll(async () => {
  web = await buildWeb();
  server = await startWebServer(web.dir, { QUEUE_PREFIX: `wpl${randomBytes(4).toString('hex')}` });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  web?.remove();
});

describe('server problems in the reader’s language', { timeout: 120_000 }, () => {
  for (const [locale, words, screenshotName] of [
    ['zh-CN', '密码太容易被猜到', 'problem-language.zh-CN'],
    ['en', 'The password is too easy to guess', 'problem-language.en'],
  ] as const) {
    it(`a refused sign-up says why in ${locale}, whatever the browser's language`, async () => {
      const { context, page } = await newPage(browser, server.base);
      await context.addInitScript((l) => localStorage.setItem('medstock.locale', l), locale);
      const sent: string[] = [];
      page.on('request', (r) => {
        if (r.url().includes('/v1/auth/signup')) sent.push(r.headers()['accept-language'] ?? '');
      });
      await page.goto('/signup');
      await page.fill('input[name=organizationName]', locale === 'en' ? 'Hill clinic' : '青山诊所');
      await page.fill('input[name=email]', uniqueEmail('lang'));
      await page.fill('input[name=password]', 'password123456');
      await page.click('form button[type=submit].primary');
      const box = page.locator('.error-box[data-code=password_too_weak]');
      await box.waitFor();
      expect(await box.textContent()).toContain(words);
      expect(sent).toEqual([locale]);
      await screenshot(page, screenshotName);
      await context.close();
    });
  }
});
