/**
 * The control-plane rows that belong to one organisation, in the order they restore. Left out on
 * purpose: sessions, password resets, sign-up requests and login counters (credentials and
 * short-lived state: a restored organisation signs in afresh) and idempotency records (replays
 * of requests made before the export must not answer after a restore).
 *
 * `where` selects the rows with `$org` standing for the organisation id (a validated UUID).
 * `userColumns` hold user ids that an import maps to the account it links or creates.
 * `sameOrganizationOnly` tables carry globally unique credentials or external ids (API key
 * prefixes, invitation tokens, Stripe event ids): a copy beside the original (--as-new) would be
 * a second holder of the same secret or bill, so only a restore as the same organisation brings them.
 */
export interface ControlTable {
  name: string;
  where: string;
  userColumns: string[];
  sameOrganizationOnly?: boolean;
}

export const CONTROL_TABLES: ControlTable[] = [
  { name: 'organizations', where: 'id = $org', userColumns: [] },
  {
    name: 'users',
    where: 'id in (select user_id from control.memberships where organization_id = $org)',
    userColumns: ['id'],
  },
  { name: 'memberships', where: 'organization_id = $org', userColumns: ['user_id'] },
  {
    name: 'api_keys',
    where: 'organization_id = $org',
    userColumns: ['created_by', 'revoked_by'],
    sameOrganizationOnly: true,
  },
  {
    name: 'invitations',
    where: 'organization_id = $org',
    userColumns: ['invited_by', 'accepted_by'],
    sameOrganizationOnly: true,
  },
  { name: 'audit_log', where: 'organization_id = $org order by id', userColumns: [] },
  { name: 'stripe_events', where: 'organization_id = $org', userColumns: [], sameOrganizationOnly: true },
];

/** What stands in for a password hash left out of an archive: no password ever matches it. */
export const NO_PASSWORD = '!restored-without-password';

export const controlWhere = (table: ControlTable, organizationId: string) =>
  table.where.replaceAll('$org', `'${organizationId}'::uuid`);
