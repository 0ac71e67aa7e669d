import { createPrivateKey } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { AppConfig } from './config.ts';
import { isPlainHttpLoopback } from './cookie-security.ts';
import { DEV_SECRETS_KEYS, parseSecretKeys } from './secrets-keys.ts';
import { shippedPath } from './shipped-path.ts';

/**
 * What would make a production start unsafe, one sentence per problem (empty: none). Run by
 * loadConfig when NODE_ENV=production, so the API, the worker and every CLI refuse alike;
 * development and tests keep their conveniences (a public secrets key, mail into files).
 */
export function productionConfigProblems(config: AppConfig): string[] {
  const problems: string[] = [];

  const jwtProblem = jwtKeyProblem(config.JWT_PRIVATE_KEY);
  if (jwtProblem) problems.push(jwtProblem);

  const devKeys = parseSecretKeys(DEV_SECRETS_KEYS);
  if (
    parseSecretKeys(config.SECRETS_KEYS).some((k) =>
      devKeys.some((d) => d.id === k.id || d.key.equals(k.key)),
    )
  )
    problems.push(
      'SECRETS_KEYS contains the public development key ("dev"): set id:base64key with 32 random bytes (openssl rand -base64 32).',
    );

  if (!config.PUBLIC_URL.startsWith('https://') && !isPlainHttpLoopback(config.PUBLIC_URL))
    problems.push(
      `PUBLIC_URL ${config.PUBLIC_URL} is not https: the session cookie would travel unencrypted (or, Secure, never be stored). Serve it behind a TLS proxy and set the https URL.`,
    );
  else if (config.COOKIE_SECURE === false && !isPlainHttpLoopback(config.PUBLIC_URL))
    problems.push(
      'COOKIE_SECURE=false sends the session cookie without Secure: remove it (https sets Secure).',
    );

  if (!config.SMTP_URL)
    problems.push(
      'SMTP_URL is empty: sign-up confirmations, password resets and invitations would only be written to MAIL_DIR, never sent.',
    );

  if (config.STRIPE_SECRET_KEY) {
    const missing = (
      ['STRIPE_WEBHOOK_SECRET', 'STRIPE_PRICE_CLINIC', 'STRIPE_PRICE_CHAIN_PER_SITE'] as const
    ).filter((k) => !config[k]);
    if (missing.length > 0)
      problems.push(
        `billing is on (STRIPE_SECRET_KEY) but ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} empty.`,
      );
    if (config.STRIPE_API_BASE)
      problems.push('STRIPE_API_BASE sends billing to a stand-in, not Stripe: remove it.');
  } else if (
    config.STRIPE_WEBHOOK_SECRET ||
    config.STRIPE_PRICE_CLINIC ||
    config.STRIPE_PRICE_CHAIN_PER_SITE
  ) {
    problems.push(
      'Stripe settings are present but STRIPE_SECRET_KEY is empty, so billing is off: set it or remove them.',
    );
  }
  return problems;
}

function jwtKeyProblem(pem: string): string | undefined {
  let type: string | undefined;
  try {
    type = createPrivateKey(pem).asymmetricKeyType;
  } catch {
    return 'JWT_PRIVATE_KEY is not a private key: set a PKCS#8 PEM Ed25519 key (openssl genpkey -algorithm ed25519).';
  }
  if (type !== 'ed25519') return `JWT_PRIVATE_KEY is a ${type} key: access tokens are signed with Ed25519.`;
  // `npm start` writes its own key into the checkout; a production process must not sign with it.
  const devKeyFile = shippedPath('.local/jwt-ed25519.pem');
  if (existsSync(devKeyFile) && readFileSync(devKeyFile, 'utf8').trim() === pem.trim())
    return 'JWT_PRIVATE_KEY is the development key of npm start (.local/jwt-ed25519.pem): generate one for production.';
  return undefined;
}
