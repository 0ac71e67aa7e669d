export { type AppConfig, loadConfig } from './config.ts';
export { isPlainHttpLoopback, refreshCookieSecure } from './cookie-security.ts';
export { productionConfigProblems } from './production-check.ts';
export {
  DEV_SECRETS_KEY_ID,
  DEV_SECRETS_KEYS,
  parseSecretKeys,
  type SecretKey,
  secretKeyRing,
  usesDevSecretsKey,
} from './secrets-keys.ts';
export { shippedPath } from './shipped-path.ts';
export { parseTrustProxy, type TrustProxy } from './trust-proxy.ts';
