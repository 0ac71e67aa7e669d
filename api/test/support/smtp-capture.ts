import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface CapturedMail {
  /** Envelope recipients, lower-cased. */
  to: string[];
  from: string;
  subject: string;
  text: string;
  html: string;
  /** Every http(s) link in the text part, in order. */
  links: string[];
  /** Attached files, as the recipient's mail client would save them. */
  attachments: { filename: string; contentType: string; content: Buffer }[];
}

export type SmtpCapture = Awaited<ReturnType<typeof startSmtpCapture>>;

/**
 * A real SMTP server on a free loopback port that parses and keeps every message it receives,
 * so tests send mail through the same nodemailer SMTP transport production uses (SMTP_URL) and
 * then read what a recipient would see.
 */
export async function startSmtpCapture() {
  const messages: CapturedMail[] = [];
  const waiters = new Set<() => void>();
  const server = new SMTPServer({
    authOptional: true,
    // Plain loopback: no self-signed STARTTLS for nodemailer to trip over.
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    closeTimeout: 1000,
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((parsed) => {
          const text = parsed.text ?? '';
          messages.push({
            to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            subject: parsed.subject ?? '',
            text,
            html: typeof parsed.html === 'string' ? parsed.html : '',
            links: text.match(/https?:\/\/[^\s<>"')]+/g) ?? [],
            attachments: parsed.attachments.map((a) => ({
              filename: a.filename ?? '',
              contentType: a.contentType,
              content: a.content,
            })),
          });
          for (const wake of waiters) wake();
          callback();
        })
        .catch((err: Error) => callback(err));
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = ((server as unknown as { server: { address(): AddressInfo } }).server.address() as AddressInfo)
    .port;

  const find = (to: string, match?: (m: CapturedMail) => boolean) =>
    messages.filter((m) => m.to.includes(to.toLowerCase()) && (!match || match(m)));

  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    /** Messages sent to `to` so far (optionally filtered). */
    to: find,
    /**
     * The `n`-th (1-based) message to `to` matching `match`; waits for it, since SMTP delivery
     * finishes a little after the API answered.
     */
    async waitFor(to: string, match?: (m: CapturedMail) => boolean, n = 1, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = find(to, match);
        if (found.length >= n) return found[n - 1]!;
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no mail to ${to} within ${timeoutMs} ms (have ${messages.length})`);
        await new Promise<void>((resolve) => {
          const wake = () => {
            waiters.delete(wake);
            clearTimeout(timer);
            resolve();
          };
          const timer = setTimeout(wake, left);
          waiters.add(wake);
        });
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
