import { randomBytes } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CapturedMail } from '../../api/test/support/smtp-capture.ts';
import { PASSWORD, signUp } from '../../api/test/support/test-app.ts';
import {
  buildWeb,
  launchChromium,
  newPage,
  screenshot,
  startWebServer,
  unlabelledControls,
  type WebServer,
} from './support/harness.ts';

/**
 * Accounts in Chromium: a password reset from the login page through the e-mailed link, and
 * a second organisation for an existing account through sign-up and its confirmation page.
 */
let web: { dir: string; remove(): void };
let server: WebServer;
let browser: Browser;

beforeAll(async () => {
  web = await buildWeb();
  server = await startWebServer(web.dir, { QUEUE_PREFIX: `wa${randomBytes(4).toString('hex')}` });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  web?.remove();
});

/** Console errors other than the browser's own line for a refused request (422, 401 are expected here). */
const unexpected = (errors: string[]) => errors.filter((e) => !e.includes('Failed to load resource'));

const linkIn = (m: CapturedMail, path: string) => m.links.find((l) => l.includes(`${path}?token=`))!;

describe('accounts in Chromium', { timeout: 120_000 }, () => {
  it('resets a forgotten password through the e-mailed link; a weak one is refused with the reason', async () => {
    const owner = await signUp(server.t, { organizationName: '青山卫生院' });
    const { page, errors } = await newPage(browser, server.base);
    await page.goto('/login');
    await page.click('a[href="/password-reset"]');
    await page.fill('input[name=email]', owner.email);
    expect(await unlabelledControls(page)).toEqual([]);
    await page.click('form button[type=submit].primary');
    await page.waitForSelector('[data-testid=reset-sent]');

    const mail = await server.t.mail.waitFor(owner.email, (m) =>
      m.links.some((l) => l.includes('/password-reset/')),
    );
    await page.goto(linkIn(mail, '/password-reset/confirm'));
    await page.fill('input[name=password]', 'password123456');
    await page.click('form button[type=submit].primary');
    await page.waitForSelector('[aria-invalid=true][name=password]');
    expect(await page.textContent('.error-box')).toContain('密码太容易被猜到');
    await screenshot(page, 'password-reset-weak');
    await page.fill('input[name=password]', 'quiet-river-lantern-42');
    await page.click('form button[type=submit].primary');
    await page.waitForSelector('[data-testid=reset-done]');

    await page.goto('/login');
    await page.fill('input[name=email]', owner.email);
    await page.fill('input[name=password]', 'quiet-river-lantern-42');
    await page.click('form button[type=submit]');
    await page.waitForSelector('[data-page=dashboard]');
    expect(unexpected(errors)).toEqual([]);
  });

  it('adds a second organisation to an existing account: the confirmation asks for that account’s password', async () => {
    const owner = await signUp(server.t, { organizationName: '第一诊所' });
    const { page, errors } = await newPage(browser, server.base);
    await page.goto('/signup');
    await page.fill('input[name=organizationName]', '第二诊所');
    await page.fill('input[name=email]', owner.email);
    await page.fill('input[name=password]', 'some-other-phrase-81');
    await page.click('form button[type=submit].primary');
    await page.waitForSelector('[data-testid=signup-sent]');

    const isConfirmation = (m: CapturedMail) => m.links.some((l) => l.includes('/signup/confirm?token='));
    const mail = await server.t.mail.waitFor(owner.email, isConfirmation, 2);
    expect(mail.text).toContain('已经有 medstock 账号');
    await page.goto(linkIn(mail, '/signup/confirm'));
    await page.fill('input[name=password]', 'some-other-phrase-81');
    await page.click('form button[type=submit].primary');
    await page.waitForSelector('.error-box[data-code=invalid_credentials]');
    await page.fill('input[name=password]', PASSWORD);
    await page.click('form button[type=submit].primary');
    await page.waitForSelector('[data-page=dashboard]');
    expect(await page.textContent('.app-header')).toContain('第二诊所');
    expect(unexpected(errors)).toEqual([]);
  });
});
