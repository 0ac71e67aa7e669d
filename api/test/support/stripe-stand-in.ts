import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';

/**
 * A local stand-in for api.stripe.com (Stripe cannot be reached from here). The real Stripe SDK
 * is pointed at it through STRIPE_API_BASE; it records every request (path, form parameters,
 * headers) so tests can assert what was sent, and answers the few endpoints the API calls.
 * Webhooks go the other way: `signedEvent` builds a payload and signs it with the real SDK.
 */
export interface StandInRequest {
  method: string;
  path: string;
  /** Form parameters as Stripe encodes them: `line_items[0][price]`, `metadata[plan]`... */
  params: Record<string, string>;
  headers: IncomingMessage['headers'];
}

export interface StripeStandIn {
  url: string;
  requests: StandInRequest[];
  /** Requests to one path, e.g. '/v1/checkout/sessions'. */
  to(path: string): StandInRequest[];
  /** Answer the next request to `path` with this status and Stripe error (once). */
  failNext(path: string, status: number, message: string): void;
  close(): Promise<void>;
}

export async function startStripeStandIn(): Promise<StripeStandIn> {
  const requests: StandInRequest[] = [];
  const failures = new Map<string, { status: number; message: string }>();
  let seq = 0;
  const next = (prefix: string) => `${prefix}_standin_${++seq}`;
  let base = '';

  const handle = (req: IncomingMessage, res: ServerResponse, body: string) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const params = Object.fromEntries(new URLSearchParams(body));
    requests.push({ method: req.method ?? 'GET', path, params, headers: req.headers });
    const send = (status: number, json: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json', 'request-id': `req_${seq}` });
      res.end(JSON.stringify(json));
    };
    const failure = failures.get(path);
    if (failure) {
      failures.delete(path);
      return send(failure.status, { error: { type: 'api_error', message: failure.message } });
    }
    if (req.headers.authorization !== `Bearer ${STAND_IN_SECRET_KEY}`) {
      return send(401, { error: { type: 'invalid_request_error', message: 'Invalid API Key provided' } });
    }
    const created = Math.floor(Date.now() / 1000);
    if (req.method === 'POST' && path === '/v1/customers') {
      return send(200, {
        id: next('cus'),
        object: 'customer',
        created,
        name: params.name ?? null,
        email: params.email ?? null,
      });
    }
    if (req.method === 'POST' && path === '/v1/checkout/sessions') {
      const id = next('cs_test');
      return send(200, {
        id,
        object: 'checkout.session',
        created,
        mode: params.mode,
        customer: params.customer ?? null,
        client_reference_id: params.client_reference_id ?? null,
        url: `${base}/checkout/pay/${id}`,
        status: 'open',
        payment_status: 'unpaid',
      });
    }
    if (req.method === 'POST' && path === '/v1/billing_portal/sessions') {
      const id = next('bps');
      return send(200, {
        id,
        object: 'billing_portal.session',
        created,
        customer: params.customer,
        return_url: params.return_url,
        url: `${base}/portal/${id}`,
      });
    }
    return send(404, {
      error: { type: 'invalid_request_error', message: `Unrecognized request URL (${req.method}: ${path})` },
    });
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    requests,
    to: (path) => requests.filter((r) => r.path === path),
    failNext: (path, status, message) => failures.set(path, { status, message }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export const STAND_IN_SECRET_KEY = 'sk_test_standin_0123456789';
export const STAND_IN_WEBHOOK_SECRET = 'whsec_standin_0123456789abcdef';
export const PRICE_CLINIC = 'price_standin_clinic';
export const PRICE_CHAIN_PER_SITE = 'price_standin_chain_site';

/** The settings that turn billing on against the stand-in. */
export const billingConfig = (standIn: StripeStandIn) => ({
  STRIPE_SECRET_KEY: STAND_IN_SECRET_KEY,
  STRIPE_WEBHOOK_SECRET: STAND_IN_WEBHOOK_SECRET,
  STRIPE_API_BASE: standIn.url,
  STRIPE_PRICE_CLINIC: PRICE_CLINIC,
  STRIPE_PRICE_CHAIN_PER_SITE: PRICE_CHAIN_PER_SITE,
  BILLING_RETURN_URL: 'http://127.0.0.1:3000/settings/billing',
});

let eventSeq = 0;
// Events are created one second apart, after "now", so ordering checks see them in sequence.
let clock = Math.floor(Date.now() / 1000);

/** A Stripe event envelope around `object`, as Stripe would POST it. */
export function stripeEvent(
  type: string,
  object: Record<string, unknown>,
  opts: { id?: string; created?: number } = {},
) {
  clock += 1;
  return {
    id: opts.id ?? `evt_standin_${++eventSeq}_${Date.now().toString(36)}`,
    object: 'event',
    api_version: Stripe.API_VERSION,
    created: opts.created ?? clock,
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
    data: { object },
  };
}

const signer = new Stripe(STAND_IN_SECRET_KEY);

/** The body and Stripe-Signature header of a webhook delivery, signed with the real SDK. */
export function signedDelivery(event: unknown, secret = STAND_IN_WEBHOOK_SECRET) {
  const payload = JSON.stringify(event);
  const signature = signer.webhooks.generateTestHeaderString({ payload, secret });
  return {
    payload,
    headers: { 'content-type': 'application/json; charset=utf-8', 'stripe-signature': signature },
  };
}
