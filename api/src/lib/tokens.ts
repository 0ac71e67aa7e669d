import { createHash, createPublicKey, randomBytes } from 'node:crypto';
import { type CryptoKey, exportJWK, importPKCS8, type JWK, jwtVerify, SignJWT } from 'jose';

/** Access tokens: short-lived EdDSA JWTs; the public key is published as a JWKS. */
export interface AccessClaims {
  sub: string;
  org: string;
  sid: string;
}

export interface TokenKeys {
  privateKey: CryptoKey;
  publicKey: CryptoKey | Uint8Array;
  jwks: { keys: JWK[] };
  kid: string;
  issuer: string;
  ttlSeconds: number;
}

export async function loadTokenKeys(
  pem: string,
  kid: string,
  issuer: string,
  ttlSeconds: number,
): Promise<TokenKeys> {
  const privateKey = await importPKCS8(pem, 'EdDSA', { extractable: false });
  const publicKeyObject = createPublicKey(pem);
  const jwk = await exportJWK(publicKeyObject);
  const { importJWK } = await import('jose');
  const publicKey = await importJWK({ ...jwk, alg: 'EdDSA' }, 'EdDSA');
  return {
    privateKey,
    publicKey,
    jwks: { keys: [{ ...jwk, kid, alg: 'EdDSA', use: 'sig' }] },
    kid,
    issuer,
    ttlSeconds,
  };
}

export async function signAccessToken(keys: TokenKeys, claims: AccessClaims): Promise<string> {
  return new SignJWT({ org: claims.org, sid: claims.sid })
    .setProtectedHeader({ alg: 'EdDSA', kid: keys.kid })
    .setSubject(claims.sub)
    .setIssuer(keys.issuer)
    .setIssuedAt()
    .setJti(randomBytes(12).toString('base64url'))
    .setExpirationTime(`${keys.ttlSeconds}s`)
    .sign(keys.privateKey);
}

export async function verifyAccessToken(keys: TokenKeys, token: string): Promise<AccessClaims | null> {
  try {
    const { payload } = await jwtVerify(token, keys.publicKey, {
      issuer: keys.issuer,
      algorithms: ['EdDSA'],
      // jose checks exp only when present: a token without one would never expire.
      requiredClaims: ['exp', 'sub'],
    });
    if (typeof payload.sub !== 'string' || typeof payload.org !== 'string' || typeof payload.sid !== 'string')
      return null;
    return { sub: payload.sub, org: payload.org, sid: payload.sid };
  } catch {
    return null;
  }
}

/** Opaque high-entropy secrets (refresh tokens, API key secrets) are stored as their SHA-256. */
export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}
