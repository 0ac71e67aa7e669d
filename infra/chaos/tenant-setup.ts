import { randomBytes } from 'node:crypto';
import { type Answer, type RequestOptions, request, retriable } from './http-client.ts';
import { signupConfirmationToken } from './mailbox.ts';
import { sleep } from './timing.ts';

/** One organisation a scenario writes to: its credentials and the item-locations it stocks. */
export interface ChaosTenant {
  organizationId: string;
  /** Owner's access token: admin calls (webhooks, full recalculation). */
  ownerToken: string;
  /** An integration key with `read` and `stock:write`: what the workload clients use. */
  apiKey: string;
  centralId: string;
  wardId: string;
  itemIds: string[];
}

const ITEMS = 8;
const HISTORY_DAYS = [28, 24, 20, 16, 12, 8, 4];
/** On-hand after set-up: low enough that the workload's issues cross reorder points and stock out. */
const OPENING = { central: 30, ward: 15 };

/** A set-up call, retried briefly (the stack is healthy during set-up); anything but 2xx stops the scenario. */
// biome-ignore lint/suspicious/noExplicitAny: the JSON of many different routes, read field by field
async function call(baseUrl: string, method: string, path: string, opts: RequestOptions): Promise<any> {
  let a: Answer | undefined;
  for (let i = 0; i < 5; i++) {
    // A loaded machine (a hundred sign-ups, other tests) may take longer than a client's 10 s.
    a = await request(baseUrl, method, path, { timeoutMs: 30_000, ...opts });
    if (a.status >= 200 && a.status < 300) return a.body;
    if (!retriable(a)) break;
    await sleep(500);
  }
  throw new Error(`set-up ${method} ${path} failed: ${a?.status || a?.error} ${JSON.stringify(a?.body)}`);
}

/**
 * Sign-up as a new customer does it: the request, the confirmation e-mail, the confirm call with
 * the password, which signs in. (A stack without e-mail confirmation answers the first call with
 * the tokens at once.)
 */
async function signUp(baseUrl: string, label: string, mailDir: string) {
  const tag = randomBytes(4).toString('hex');
  const email = `chaos-${label}-${tag}@example.org`;
  const password = `Chaos-${randomBytes(12).toString('base64url')}-run`;
  let session = await call(baseUrl, 'POST', '/v1/auth/signup', {
    body: { organizationName: `Chaos ${label} ${tag}`, email, password },
  });
  if (typeof session?.accessToken !== 'string') {
    const token = await signupConfirmationToken(mailDir, email);
    session = await call(baseUrl, 'POST', '/v1/auth/signup/confirm', { body: { token, password } }).catch(
      // A confirmation whose answer was lost (timed out, retried: the token is then used) was
      // applied: the account signs in. A sign-up that was not confirmed fails here too.
      () => call(baseUrl, 'POST', '/v1/auth/login', { body: { email, password } }),
    );
  }
  if (typeof session?.accessToken !== 'string')
    throw new Error(`sign-up gave no access token (${JSON.stringify(session).slice(0, 200)})`);
  return { token: session.accessToken as string, organizationId: session.organizationId as string };
}

const daysAgo = (d: number) => new Date(Date.now() - d * 86_400_000).toISOString();

/**
 * Signs up an organisation through the API, as a new customer would, then gives it a ward next
 * to the central store, a few items with stock, and four weeks of backdated issues: with a
 * demand history the engine computes real reorder points and raises `stocked_out` when on-hand
 * reaches 0 (it does not for an item nobody ever used).
 */
export async function setUpTenant(
  baseUrl: string,
  label: string,
  mailDir: string,
  /** A smaller tenant (`pnpm bench scale` sets up a hundred): fewer items, fewer history days. */
  shape: { items?: number; historyDays?: number[] } = {},
): Promise<ChaosTenant> {
  const historyDays = shape.historyDays ?? HISTORY_DAYS;
  const { token, organizationId } = await signUp(baseUrl, label, mailDir);

  const sites = await call(baseUrl, 'GET', '/v1/sites', { token });
  const siteId: string = sites.items[0].id;
  const locations = await call(baseUrl, 'GET', `/v1/sites/${siteId}/locations`, { token });
  const centralId: string = locations.items[0].id;
  const ward = await call(baseUrl, 'POST', `/v1/sites/${siteId}/locations`, {
    token,
    body: { code: 'WARD-1', name: 'Ward 1', kind: 'ward' },
  });

  const itemIds: string[] = [];
  for (let i = 0; i < (shape.items ?? ITEMS); i++) {
    const item = await call(baseUrl, 'POST', '/v1/items', {
      token,
      body: {
        code: `CHAOS-${i + 1}`,
        nameZh: `测试耗材 ${i + 1}`,
        nameEn: `Chaos consumable ${i + 1}`,
        category: 'injection',
        baseUnit: { code: 'piece', zh: '支', en: 'piece' },
        ved: i % 3 === 0 ? 'V' : 'E',
        unitCost: 1.5,
        lotTracked: false,
      },
    });
    itemIds.push(item.id);
  }

  const movement = (body: Record<string, unknown>) =>
    call(baseUrl, 'POST', '/v1/movements', { token, body: { ...body, reference: 'chaos-setup' } });
  await Promise.all(
    itemIds.map(async (itemId, i) => {
      for (const [locationId, opening] of [
        [centralId, OPENING.central],
        [ward.id, OPENING.ward],
      ] as const) {
        const issues = historyDays.map((_, d) => 2 + ((i + d) % 5));
        const received = opening + issues.reduce((a, b) => a + b, 0);
        await movement({ type: 'receipt', itemId, locationId, quantity: received, occurredAt: daysAgo(40) });
        for (const [d, quantity] of issues.entries())
          await movement({
            type: 'issue',
            itemId,
            locationId,
            quantity,
            occurredAt: daysAgo(historyDays[d]!),
          });
      }
    }),
  );

  const key = await call(baseUrl, 'POST', '/v1/api-keys', {
    token,
    body: { name: `chaos ${label}`, scopes: ['read', 'stock:write'] },
  });
  return { organizationId, ownerToken: token, apiKey: key.key, centralId, wardId: ward.id, itemIds };
}
