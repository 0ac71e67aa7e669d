import { randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as zxcvbnCommon from '@zxcvbn-ts/language-common';
import * as zxcvbnEn from '@zxcvbn-ts/language-en';
import { ProblemError } from './problem.ts';

// Node's built-in scrypt (maintained with OpenSSL) rather than a native addon: no build step on
// a fresh machine. Parameters follow OWASP's scrypt guidance (N=2^15, r=8, p=1).
const scrypt = promisify(scryptCb) as (
  pw: string,
  salt: Buffer,
  len: number,
  opts: object,
) => Promise<Buffer>;
const N = 2 ** 15;
const r = 8;
const p = 1;
const KEY_LEN = 32;
const maxmem = 64 * 1024 * 1024;

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, KEY_LEN, { N, r, p, maxmem });
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [alg, n, rr, pp, salt, hash] = stored.split('$');
  if (alg !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await scrypt(password, Buffer.from(salt, 'base64url'), expected.length, {
    N: Number(n),
    r: Number(rr),
    p: Number(pp),
    maxmem,
  });
  return timingSafeEqual(key, expected);
}

// A hash computed once so that logins for unknown emails take as long as real ones.
let dummyHash: Promise<string> | undefined;
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword('medstock-timing-equaliser');
  return dummyHash;
}

// zxcvbn-ts estimates how many guesses a password takes against the common-password, name and
// word lists attackers try first (and against the person's own e-mail, name and organisation),
// so "Password1!" and "hospital2026" fail however long they are. Built once: the lists are big.
let zxcvbn: ZxcvbnFactory | undefined;
function estimator(): ZxcvbnFactory {
  zxcvbn ??= new ZxcvbnFactory({
    translations: zxcvbnEn.translations,
    graphs: zxcvbnCommon.adjacencyGraphs,
    dictionary: { ...zxcvbnCommon.dictionary, ...zxcvbnEn.dictionary },
  });
  return zxcvbn;
}

/** The weakest zxcvbn score accepted: 3 is "safely unguessable" (about 10^8 guesses or more). */
export const MIN_PASSWORD_SCORE = 3;
export const MIN_PASSWORD_LENGTH = 10;

/** What the password must not be built from: the address, its parts, names the person gave. */
export function passwordUserInputs(email: string, ...others: Array<string | null | undefined>): string[] {
  const whole = [email, email.split('@')[0], email.split('@')[1], ...others].map((s) => (s ?? '').trim());
  const words = whole.flatMap((s) => s.split(/[\s._@+-]+/));
  // Joined up too, as the password is also scored with its separators removed.
  const joined = whole.map((s) => s.replace(/[\s._\-+@/\\]+/g, ''));
  return [...new Set([...whole, ...words, ...joined].map((s) => s.toLowerCase()))].filter(
    (s) => s.length >= 3,
  );
}

/**
 * Refuses a password that is short or easy to guess, with the reason as a field error under
 * `field` (code `password_too_weak`). Every place that sets a password calls this.
 */
export async function assertStrongPassword(
  password: string,
  userInputs: string[],
  field = 'body:/password',
): Promise<void> {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw weak(field, `Use at least ${MIN_PASSWORD_LENGTH} characters.`, 'too_short');
  }
  // zxcvbn-ts scores "sunrise-health-centre" as random characters after the first separator,
  // so the password is scored with its separators removed as well; the weaker score counts.
  const joined = password.replace(/[\s._\-+@/\\]+/g, '');
  const [asTyped, asJoined] = await Promise.all(
    [password, joined].map((p) => estimator().checkAsync(p, userInputs)),
  );
  const result = asJoined!.score < asTyped!.score ? asJoined! : asTyped!;
  if (result.score >= MIN_PASSWORD_SCORE) return;
  const reason = [result.feedback.warning, ...result.feedback.suggestions].filter(Boolean).join(' ');
  throw weak(field, reason || 'This password is too easy to guess.', 'guessable');
}

/** zxcvbn's English hint stays in `params.hint` (for logs and clients); the words are the catalogue's. */
function weak(field: string, reason: string, variant: 'too_short' | 'guessable') {
  return new ProblemError(
    422,
    'password_too_weak',
    'Unprocessable content',
    `The password is too easy to guess: ${reason}`,
    [{ field, message: reason, code: 'password_too_weak' }],
    {
      params: { minLength: MIN_PASSWORD_LENGTH, ...(variant === 'guessable' ? { hint: reason } : {}) },
      messageKey: `password_too_weak.${variant}`,
    },
  );
}
