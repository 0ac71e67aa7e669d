import type { App } from '@medstock/api/app.ts';
import type { IdPool, Principal } from './openapi-requests.ts';

/**
 * A fuzzed organisation with real rows, so that generated requests reach handlers and the
 * database rather than stopping at "not found": an owner, a second site, items, a supplier, a
 * purchase order, stock, a procedure type, a webhook, and an API key limited to one site.
 */
export interface FuzzTarget {
  pool: IdPool;
  /** Headers that authenticate each principal (none for `anonymous`). */
  credentials: Record<Principal, Record<string, string>>;
  /** Logs the owner in again when a fuzzed request ended the session (logout, session revoke). */
  refreshOwner(): Promise<void>;
}

/** The organisation's owner, signed up by the caller (the sign-up flow belongs to the tests' support). */
export interface FuzzOwner {
  email: string;
  password: string;
  headers: Record<string, string>;
}

export async function seedFuzzTarget(app: App, signedUp: FuzzOwner): Promise<FuzzTarget> {
  const { email, password } = signedUp;
  const owner: Record<string, string> = { ...signedUp.headers };

  const pool: IdPool = {};
  const add = (kind: string, id: unknown) => {
    if (typeof id !== 'string' && typeof id !== 'number') return;
    pool[kind] = [...(pool[kind] ?? []), String(id)];
  };
  const call = async (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) => {
    const res = await app.inject({
      method,
      url,
      headers: owner,
      ...(payload ? { payload: payload as object } : {}),
    });
    if (res.statusCode >= 300)
      throw new Error(`fuzz fixture ${method} ${url}: ${res.statusCode} ${res.body}`);
    return res.json();
  };

  const mainSite = (await call('GET', '/v1/sites')).items[0];
  add('sites', mainSite.id);
  const otherSite = await call('POST', '/v1/sites', { code: 'FUZZ2', name: 'Other site', kind: 'clinic' });
  add('sites', otherSite.id);
  for (const site of [mainSite.id, otherSite.id]) {
    for (const l of (await call('GET', `/v1/sites/${site}/locations`)).items) add('locations', l.id);
  }
  const ward = await call('POST', `/v1/sites/${mainSite.id}/locations`, {
    code: 'WARD',
    name: 'Ward',
    kind: 'ward',
  });
  add('locations', ward.id);
  const central = pool.locations![0]!;

  const items: string[] = [];
  for (const [code, lotTracked] of [
    ['FZ-GLOVE', false],
    ['FZ-SYRINGE', true],
  ] as const) {
    const item = await call('POST', '/v1/items', {
      code,
      nameZh: `耗材 ${code}`,
      nameEn: `Item ${code}`,
      baseUnit: { code: 'piece', zh: '支', en: 'piece' },
      packUnits: [{ code: 'box', factor: 10 }],
      lotTracked,
      unitCost: 1.5,
    });
    items.push(item.id);
    add('items', item.id);
  }
  const supplier = await call('POST', '/v1/suppliers', { code: 'FZSUP', name: 'Fuzz supplier' });
  add('suppliers', supplier.id);
  await call('PUT', `/v1/items/${items[0]}/suppliers/${supplier.id}`, { packPrice: 12, packSize: 10 });
  const receipt = await call('POST', '/v1/movements', {
    type: 'receipt',
    itemId: items[0],
    locationId: central,
    quantity: 100,
  });
  add('movements', receipt.id ?? receipt.movements?.[0]?.id);
  await call('POST', '/v1/movements', {
    type: 'receipt',
    itemId: items[1],
    locationId: central,
    quantity: 20,
    lotNumber: 'LOT-1',
    expiryDate: '2031-01-01',
  });
  const po = await call('POST', '/v1/purchase-orders', {
    supplierId: supplier.id,
    locationId: central,
    lines: [{ itemId: items[0], quantity: 5 }],
  });
  add('purchase-orders', po.id);
  for (const line of po.lines ?? []) add('lines', line.id);
  const procedure = await call('POST', '/v1/procedure-types', {
    code: 'FZPROC',
    nameZh: '手术',
    nameEn: 'Procedure',
    kit: [{ itemId: items[0], quantity: 2 }],
  });
  add('procedure-types', procedure.id);
  const scheduled = await call('POST', '/v1/scheduled-procedures', {
    procedureTypeId: procedure.id,
    locationId: central,
    scheduledFor: '2030-01-01',
  });
  add('scheduled-procedures', scheduled.id);
  // Optional: without an endpoint the webhook routes are still fuzzed, with unknown ids.
  const hook = await call('POST', '/v1/webhooks', {
    url: 'https://hooks.example.com/in',
    events: ['movement.created'],
  }).catch((err: Error) => console.warn(`(no webhook fixture: ${err.message.slice(0, 200)})`));
  add('webhooks', hook?.id);
  const backtest = await call('POST', '/v1/backtests', { from: '2024-01-01', to: '2024-03-01' }).catch(
    (err: Error) => console.warn(`(no backtest fixture: ${err.message.slice(0, 200)})`),
  );
  add('backtests', backtest?.id);
  const key = await call('POST', '/v1/api-keys', {
    name: 'fuzz site key',
    scopes: ['read', 'stock:write', 'purchasing', 'admin'],
    siteIds: [mainSite.id],
  });
  for (const t of (await call('GET', '/v1/catalogue-templates')).items ?? [])
    add('catalogue-templates', t.code);
  // Real cursors, so that valid continuation pages are fuzzed too.
  for (const list of [
    '/v1/sites',
    '/v1/items',
    '/v1/movements',
    '/v1/audit-log',
    '/v1/stock',
    '/v1/webhooks',
  ]) {
    const page = await call('GET', `${list}?limit=1`);
    add('cursors', page.nextCursor);
  }
  // The fuzz key itself and the owner's own user and session stay out of the pool, so a fuzzed
  // DELETE does not end the run's credentials.
  const credentials: Record<Principal, Record<string, string>> = {
    owner,
    siteKey: { 'x-api-key': key.key },
    anonymous: {},
    forged: { authorization: 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.' },
  };
  return {
    pool,
    credentials,
    refreshOwner: async () => {
      // From an address of its own: fuzzed sign-ins with wrong passwords throttle the fuzzer's.
      for (let attempt = 0; ; attempt++) {
        const login = await app.inject({
          method: 'POST',
          url: '/v1/auth/login',
          remoteAddress: '127.0.0.2',
          payload: { email, password },
        });
        if (login.statusCode === 200) {
          credentials.owner = { authorization: `Bearer ${login.json().accessToken}` };
          return;
        }
        if (login.statusCode !== 429 || attempt >= 5)
          throw new Error(`fuzz owner login failed: ${login.statusCode} ${login.body}`);
        const wait = Math.min(Number(login.json().retryAfterSeconds) || 1, 30);
        await new Promise((r) => setTimeout(r, wait * 1000));
      }
    },
  };
}
