import type { AppConfig } from '@medstock/config';
import { type Database, organizationTimeZone, withSessionLock, withTenantDb } from '@medstock/db';
import { sql } from 'drizzle-orm';
import { sendDueDigests } from './digest.ts';
import { inQuietHours, localClock } from './local-clock.ts';
import type { WorkerMailer } from './mailer.ts';
import type { RobotLanguage } from './robot-message.ts';
import { collectRobotMessages, sendRobotMessages } from './robots.ts';

type Settings = {
  digest_enabled: boolean;
  digest_hour: number;
  digest_roles: string[];
  expiry_days: number;
  quiet_start: string | null;
  quiet_end: string | null;
  critical_in_quiet_hours: boolean;
  robot_language: RobotLanguage;
};

/**
 * One run of an organisation's notifications: robot messages for critical alerts (collected,
 * then the due ones sent — during quiet hours only when critical alerts may break them), then
 * the daily digests once the local digest hour has come and quiet hours are over. One run per
 * organisation at a time (a session lock): a run that overlaps the next minute's skips.
 * `now` is for tests; the job uses the clock.
 */
export async function runNotifications(
  config: AppConfig,
  database: Database,
  mailer: WorkerMailer,
  tenantId: string,
  now = new Date(),
) {
  const org = await database.pool.query<{ name: string }>(
    `select name from control.organizations where id = $1 and status = 'active'`,
    [tenantId],
  );
  if (!org.rows[0]) return { skipped: 'organisation not active' as const };
  const locked = await withSessionLock(database.pool, `notify:${tenantId}`, async () => {
    const { settings, timeZone } = await withTenantDb(
      database.db,
      { organizationId: tenantId },
      async (tx) => ({
        settings: (await tx.execute<Settings>(sql`select * from notification_settings`)).rows[0]!,
        timeZone: await organizationTimeZone(tx),
      }),
    );
    const clock = localClock(now, timeZone);
    const quiet = inQuietHours(clock.hhmm, settings.quiet_start, settings.quiet_end);
    const collected = await collectRobotMessages(database, tenantId);
    const robots =
      quiet && !settings.critical_in_quiet_hours
        ? { held: 'quiet hours' as const }
        : await sendRobotMessages(config, database, tenantId, {
            language: settings.robot_language,
            timeZone,
          });
    const digests =
      settings.digest_enabled && !quiet && clock.hour >= settings.digest_hour
        ? await sendDueDigests(config, database, mailer, tenantId, settings, {
            today: clock.date,
            orgName: org.rows[0]!.name,
          })
        : { due: false as const };
    return { quiet, collected, robots, digests };
  });
  return locked.acquired ? locked.result : { skipped: 'another run holds the lock' as const };
}
