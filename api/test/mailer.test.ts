import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailer } from '../src/mail/mailer.ts';
import { type SmtpCapture, startSmtpCapture } from './support/smtp-capture.ts';
import { PASSWORD, startTestApp, type TestApp } from './support/test-app.ts';

describe('mailer', () => {
  let capture: SmtpCapture;
  let dir: string;
  beforeAll(async () => {
    capture = await startSmtpCapture();
    dir = mkdtempSync(join(tmpdir(), 'medstock-mailer-test-'));
  });
  afterAll(async () => {
    await capture.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends over SMTP when SMTP_URL is set, from MAIL_FROM', async () => {
    const mailer = createMailer({
      SMTP_URL: capture.url,
      MAIL_DIR: dir,
      MAIL_FROM: 'Clinic <stock@clinic.example>',
    });
    await mailer.send({
      to: 'Nurse.Li@Hospital.example',
      subject: '确认 / Confirm',
      text: 'Open https://medstock.example/signup/confirm?token=abc_123 to confirm.',
      html: '<p>Open the link</p>',
    });
    await mailer.close();
    const m = await capture.waitFor('nurse.li@hospital.example');
    expect(m.subject).toBe('确认 / Confirm');
    expect(m.from).toBe('stock@clinic.example');
    expect(m.links).toEqual(['https://medstock.example/signup/confirm?token=abc_123']);
    expect(m.html).toContain('<p>Open the link</p>');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('writes an .eml file to MAIL_DIR when SMTP_URL is empty', async () => {
    const mailer = createMailer({
      SMTP_URL: '',
      MAIL_DIR: join(dir, 'nested'),
      MAIL_FROM: 'medstock <no-reply@medstock.local>',
    });
    expect(mailer.destination).toContain(join(dir, 'nested'));
    await mailer.send({ to: 'a@example.org', subject: 'One', text: 'first' });
    await mailer.send({ to: 'b@example.org', subject: 'Two', text: 'second' });
    const files = readdirSync(join(dir, 'nested')).sort();
    expect(files).toHaveLength(2);
    expect(files.every((f) => f.endsWith('.eml'))).toBe(true);
    const parsed = await Promise.all(files.map((f) => simpleParser(readFileSync(join(dir, 'nested', f)))));
    expect(parsed.map((p) => p.subject).sort()).toEqual(['One', 'Two']);
    const one = parsed.find((p) => p.subject === 'One')!;
    expect(one.text?.trim()).toBe('first');
    expect(JSON.stringify(one.to)).toContain('a@example.org');
    expect(JSON.stringify(one.from)).toContain('no-reply@medstock.local');
  });

  it('never shows SMTP credentials in its destination', () => {
    const mailer = createMailer({
      SMTP_URL: 'smtp://user:s3cret@mail.example.org:587',
      MAIL_DIR: dir,
      MAIL_FROM: 'x@example.org',
    });
    expect(mailer.destination).toContain('mail.example.org:587');
    expect(mailer.destination).not.toContain('s3cret');
  });
});

describe('the app has a mailer from its config', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('delivers through the test SMTP capture server', async () => {
    await t.deps.mailer.send({ to: 'someone@example.org', subject: 'Hello', text: 'hi' });
    expect((await t.mail.waitFor('someone@example.org')).subject).toBe('Hello');
  });
});

describe('when mail cannot be sent', () => {
  let t: TestApp;
  beforeAll(async () => {
    // A port nothing listens on: the SMTP server is down.
    const down = await startSmtpCapture();
    const url = down.url;
    await down.close();
    t = await startTestApp({ SMTP_URL: url });
  });
  afterAll(async () => {
    await t.close();
  });

  it('sign-up and password reset answer 503 mail_unavailable with Retry-After, not 500', async () => {
    for (const [url, payload] of [
      ['/v1/auth/signup', { organizationName: 'Offline clinic', email: 'a@example.org', password: PASSWORD }],
      ['/v1/auth/password-reset', { email: 'a@example.org' }],
    ] as const) {
      const res = await t.app.inject({ method: 'POST', url, payload });
      expect(res.statusCode).toBe(503);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json().code).toBe('mail_unavailable');
      expect(res.headers['retry-after']).toBe('60');
    }
  });
});
