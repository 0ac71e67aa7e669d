import { loadConfig, secretKeyRing } from '@medstock/config';
import { createDatabase, resealRobotSecrets, resealWebhookSecrets } from '@medstock/db';

/**
 * pnpm secrets:reseal — seals every organisation's webhook signing secrets (and group-robot URLs
 * and secrets) with the first key of SECRETS_KEYS now: secrets from before encryption at rest,
 * and those sealed under an older key (run it after putting a new key first; the old key can be
 * removed once it reports 0 left).
 * Housekeeping does the same per organisation within the hour; this is for not waiting.
 */
const config = loadConfig();
const database = createDatabase(config.DATABASE_URL, 2);
const ring = secretKeyRing(config.SECRETS_KEYS);
let failed = 0;
try {
  const { rows } = await database.pool.query<{ id: string }>(
    `select id from control.organizations where status = 'active' order by id`,
  );
  let total = 0;
  let robots = 0;
  for (const { id } of rows) {
    try {
      const n = await resealWebhookSecrets(database.db, ring, id);
      total += n;
      if (n) console.log(`${id}: ${n} sealed`);
      // Group-robot URLs and DingTalk secrets (sealed from the start; re-sealed under a new key).
      robots += await resealRobotSecrets(database.db, ring, id);
    } catch (err) {
      failed++;
      console.error(`${id}: failed: ${(err as Error).message}`);
    }
  }
  console.log(
    `${total} webhook secrets sealed with key "${ring[0]!.id}" in ${rows.length} organisations, ${failed} failed`,
  );
  console.log(`${robots} robot channels re-sealed with key "${ring[0]!.id}"`);
} finally {
  await database.close();
}
process.exit(failed ? 1 : 0);
