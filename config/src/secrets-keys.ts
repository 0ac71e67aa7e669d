import { createHash } from 'node:crypto';

/** One key of the ring that encrypts secrets at rest (AES-256-GCM). */
export interface SecretKey {
  id: string;
  key: Buffer;
}

/**
 * The id of the development key that ships as SECRETS_KEYS' default. It is public (it is in
 * this file), so it protects nothing: a production configuration check refuses it.
 */
export const DEV_SECRETS_KEY_ID = 'dev';
export const DEV_SECRETS_KEYS = `${DEV_SECRETS_KEY_ID}:${createHash('sha256')
  .update('medstock development secrets key: public, never use in production')
  .digest('base64')}`;

/**
 * SECRETS_KEYS: comma list of `id:base64key` (32-byte keys). The first key encrypts; every key
 * decrypts, so a new key is put first and the old one kept until the re-encryption has run.
 */
export function parseSecretKeys(value: string): SecretKey[] {
  const ring: SecretKey[] = [];
  for (const entry of value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m = /^([A-Za-z0-9_-]{1,32}):([A-Za-z0-9+/=_-]+)$/.exec(entry);
    if (!m) throw new Error('SECRETS_KEYS: each entry must be id:base64key (id of letters, digits, _ or -)');
    const key = Buffer.from(m[2]!, 'base64');
    if (key.length !== 32)
      throw new Error(`SECRETS_KEYS: key "${m[1]}" must be 32 bytes (base64 of 32 random bytes)`);
    if (ring.some((k) => k.id === m[1])) throw new Error(`SECRETS_KEYS: key id "${m[1]}" appears twice`);
    ring.push({ id: m[1]!, key });
  }
  if (ring.length === 0) throw new Error('SECRETS_KEYS: at least one key is required');
  return ring;
}

/** True when secrets would be encrypted with the public development key. */
export function usesDevSecretsKey(value: string): boolean {
  return parseSecretKeys(value)[0]!.id === DEV_SECRETS_KEY_ID;
}

const rings = new Map<string, SecretKey[]>();

/** The parsed ring of a SECRETS_KEYS value, parsed once per process. */
export function secretKeyRing(value: string): readonly SecretKey[] {
  let ring = rings.get(value);
  if (!ring) {
    ring = parseSecretKeys(value);
    rings.set(value, ring);
  }
  return ring;
}
