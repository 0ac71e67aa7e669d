import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { SecretKey } from '@medstock/config';

/**
 * Secrets at rest (webhook signing secrets), sealed with AES-256-GCM:
 *   v1.<key id>.<iv>.<ciphertext>.<tag>      (base64url parts)
 * The first key of the ring seals; any key of the ring opens, found by the id in the envelope,
 * so keys rotate by putting a new one first and re-sealing. The associated data binds a sealed
 * value to its place (e.g. `webhook:<endpoint id>`): copied onto another row it does not open.
 */
const VERSION = 'v1';

export function sealSecret(ring: readonly SecretKey[], plaintext: string, context: string): string {
  const current = ring[0];
  if (!current) throw new Error('sealSecret: the key ring is empty');
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', current.key, iv);
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [VERSION, current.id, iv, ciphertext, cipher.getAuthTag()]
    .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
    .join('.');
}

export function openSecret(ring: readonly SecretKey[], sealed: string, context: string): string {
  const [version, keyId, iv, ciphertext, tag, extra] = sealed.split('.');
  if (version !== VERSION || !keyId || !iv || ciphertext === undefined || !tag || extra !== undefined)
    throw new Error('openSecret: not a sealed secret');
  const key = ring.find((k) => k.id === keyId);
  if (!key) throw new Error(`openSecret: key "${keyId}" is not in SECRETS_KEYS`);
  const decipher = createDecipheriv('aes-256-gcm', key.key, Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(context, 'utf8'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString(
    'utf8',
  );
}

/** The id of the key that sealed a value (for re-sealing under the current key). */
export function sealedKeyId(sealed: string): string | null {
  const [version, keyId] = sealed.split('.');
  return version === VERSION && keyId ? keyId : null;
}
