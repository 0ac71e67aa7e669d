import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AppConfig } from '@medstock/config';
import nodemailer from 'nodemailer';
import { ProblemError } from '../lib/problem.ts';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
  /** Files sent with the message (a purchase order's PDF). */
  attachments?: { filename: string; content: Buffer; contentType: string }[];
}

/** Outgoing mail. Every caller sends through this one interface, whatever the transport. */
export interface Mailer {
  send(message: MailMessage): Promise<void>;
  /** Where messages go, for logs and the start banner; never includes credentials. */
  readonly destination: string;
  close(): Promise<void>;
}

/**
 * SMTP when SMTP_URL is set; otherwise each message is written, fully formed, as an .eml file
 * to MAIL_DIR (openable with any mail client). Both go through nodemailer so the files are the
 * exact bytes an SMTP server would have received.
 */
export function createMailer(config: Pick<AppConfig, 'SMTP_URL' | 'MAIL_DIR' | 'MAIL_FROM'>): Mailer {
  if (config.SMTP_URL) {
    const transport = nodemailer.createTransport(config.SMTP_URL);
    return {
      destination: `SMTP ${redactUrl(config.SMTP_URL)}`,
      async send(m) {
        try {
          await transport.sendMail({ from: config.MAIL_FROM, ...m });
        } catch (err) {
          throw mailUnavailable(err);
        }
      },
      async close() {
        transport.close();
      },
    };
  }
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  const dir = config.MAIL_DIR;
  return {
    destination: `files in ${dir}`,
    async send(m) {
      const info = await transport.sendMail({ from: config.MAIL_FROM, ...m });
      // Sortable by time, unique across processes writing to the same directory.
      const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(4).toString('hex')}.eml`;
      try {
        await mkdir(dir, { recursive: true, mode: 0o700 });
        await writeFile(join(dir, name), info.message as Buffer, { mode: 0o600 });
      } catch (err) {
        throw mailUnavailable(err);
      }
    },
    async close() {},
  };
}

/**
 * A message that could not be handed over (SMTP server down or refusing, MAIL_DIR not writable)
 * is a 503 the client may retry, not a 500; the cause goes to the log, never to the client.
 */
export class MailUnavailableError extends ProblemError {
  constructor(readonly reason: unknown) {
    super(
      503,
      'mail_unavailable',
      'Service unavailable',
      'E-mail cannot be sent right now; try again in a minute.',
      undefined,
      {
        retryAfterSeconds: 60,
      },
    );
  }
}
const mailUnavailable = (err: unknown) => new MailUnavailableError(err);

function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return '(invalid SMTP_URL)';
  }
}
