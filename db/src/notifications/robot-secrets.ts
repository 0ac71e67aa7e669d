import type { SecretKey } from '@medstock/config';
import { sql } from 'drizzle-orm';
import type { Db } from '../pool.ts';
import { openSecret, sealedKeyId, sealSecret } from '../secrets/secret-box.ts';
import { withTenantDb } from '../with-tenant-db.ts';

/**
 * A group robot's webhook URL carries its key (WeCom `key=`, DingTalk `access_token=`), and a
 * DingTalk robot may have a signing secret: both are sealed like webhook signing secrets, each
 * bound to its channel row and purpose so a sealed value copied elsewhere does not open.
 */
export type RobotSecretPart = 'url' | 'secret';
const context = (channelId: string, part: RobotSecretPart) => `robot-${part}:${channelId}`;

export const sealRobotValue = (
  ring: readonly SecretKey[],
  channelId: string,
  part: RobotSecretPart,
  value: string,
) => sealSecret(ring, value, context(channelId, part));

export const openRobotValue = (
  ring: readonly SecretKey[],
  channelId: string,
  part: RobotSecretPart,
  sealed: string,
) => openSecret(ring, sealed, context(channelId, part));

/** What the settings page shows of a robot URL: its host and the last 4 characters of its key. */
export function robotUrlHint(url: string): string {
  try {
    const u = new URL(url);
    return `${u.host}…${url.slice(-4)}`;
  } catch {
    return `…${url.slice(-4)}`;
  }
}

/** Re-seals the tenant's robot URLs and secrets sealed under an older key than the ring's first. */
export async function resealRobotSecrets(
  db: Db,
  ring: readonly SecretKey[],
  tenantId: string,
): Promise<number> {
  const current = ring[0]!.id;
  return withTenantDb(db, { organizationId: tenantId }, async (tx) => {
    const rows = (
      await tx.execute<{ id: string; url_sealed: string; secret_sealed: string | null }>(sql`
        select id, url_sealed, secret_sealed from robot_channels
         where split_part(url_sealed, '.', 2) <> ${current} or split_part(secret_sealed, '.', 2) <> ${current}
         for update`)
    ).rows;
    for (const row of rows) {
      const url = sealRobotValue(ring, row.id, 'url', openRobotValue(ring, row.id, 'url', row.url_sealed));
      const secret =
        row.secret_sealed && sealedKeyId(row.secret_sealed) !== current
          ? sealRobotValue(ring, row.id, 'secret', openRobotValue(ring, row.id, 'secret', row.secret_sealed))
          : row.secret_sealed;
      await tx.execute(
        sql`update robot_channels set url_sealed = ${url}, secret_sealed = ${secret} where id = ${row.id}`,
      );
    }
    return rows.length;
  });
}
