import type { SecretKey } from '@medstock/config';
import { sql } from 'drizzle-orm';
import type { Db } from '../pool.ts';
import { openSecret, sealedKeyId, sealSecret } from '../secrets/secret-box.ts';
import { withTenantDb } from '../with-tenant-db.ts';

/** A sealed secret opens only on its own endpoint row. */
const context = (endpointId: string) => `webhook-signing-secret:${endpointId}`;

export function sealWebhookSecret(ring: readonly SecretKey[], endpointId: string, secret: string): string {
  return sealSecret(ring, secret, context(endpointId));
}

/** What a receiver's signature is computed with: the sealed value, or a plain one not re-sealed yet. */
export function openWebhookSecret(
  ring: readonly SecretKey[],
  row: { id: string; secret_sealed: string | null; secret: string | null },
): string {
  if (row.secret_sealed) return openSecret(ring, row.secret_sealed, context(row.id));
  if (row.secret) return row.secret;
  throw new Error(`webhook endpoint ${row.id} has no secret`);
}

/** The last characters of a secret, enough to tell secrets apart after a rotation. */
export const webhookSecretHint = (secret: string) => secret.slice(-4);

/**
 * Seals the tenant's plain secrets (rows from before encryption at rest) and re-seals those
 * sealed under an older key than the ring's first, so a key can be retired afterwards.
 * Idempotent; returns how many rows it changed.
 */
export async function resealWebhookSecrets(
  db: Db,
  ring: readonly SecretKey[],
  tenantId: string,
): Promise<number> {
  const current = ring[0]!.id;
  return withTenantDb(db, { organizationId: tenantId }, async (tx) => {
    const rows = (
      await tx.execute<{ id: string; secret: string | null; secret_sealed: string | null }>(sql`
        select id, secret, secret_sealed from webhook_endpoints
         where secret is not null or split_part(secret_sealed, '.', 2) <> ${current}
         for update`)
    ).rows;
    for (const row of rows) {
      if (row.secret_sealed && sealedKeyId(row.secret_sealed) === current && row.secret === null) continue;
      const plain = openWebhookSecret(ring, row);
      await tx.execute(sql`
        update webhook_endpoints set secret_sealed = ${sealWebhookSecret(ring, row.id, plain)}, secret = null,
               secret_hint = ${webhookSecretHint(plain)}
         where id = ${row.id}`);
    }
    return rows.length;
  });
}
