import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signing. Each request carries
 *   Medstock-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>
 * The key is the whole secret string, `whsec_` prefix included. Receivers recompute the HMAC over
 * the raw bytes they received (before any JSON parsing), compare in constant time, and refuse
 * timestamps older than a few minutes (replays).
 */
export const SIGNATURE_HEADER = 'medstock-signature';
export const EVENT_ID_HEADER = 'medstock-event-id';
export const EVENT_TYPE_HEADER = 'medstock-event-type';
export const DELIVERY_ID_HEADER = 'medstock-delivery-id';

export function newWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64url')}`;
}

export function signPayload(secret: string, timestamp: number, rawBody: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex');
}

export function signatureHeader(
  secret: string,
  rawBody: string,
  timestamp = Math.floor(Date.now() / 1000),
): string {
  return `t=${timestamp},v1=${signPayload(secret, timestamp, rawBody)}`;
}

/** The receiver's check, as in the recipe below. */
export function verifySignature(
  secret: string,
  rawBody: string,
  header: string,
  toleranceSeconds = 300,
  nowSeconds = Date.now() / 1000,
): boolean {
  const parts = header.split(',').map((p) => p.trim().split('='));
  const t = Number(parts.find(([k]) => k === 't')?.[1]);
  if (!Number.isInteger(t) || Math.abs(nowSeconds - t) > toleranceSeconds) return false;
  const expected = Buffer.from(signPayload(secret, t, rawBody), 'hex');
  return parts.some(([k, v]) => {
    if (k !== 'v1' || !v || v.length !== expected.length * 2) return false;
    return timingSafeEqual(Buffer.from(v, 'hex'), expected);
  });
}

/** The verification recipe printed in the API docs (keep in step with verifySignature). */
export const VERIFICATION_RECIPE = `import { createHmac, timingSafeEqual } from 'node:crypto';

// rawBody: the request body exactly as received (a string or Buffer), before JSON.parse.
export function verifyMedstockSignature(secret, rawBody, header, toleranceSeconds = 300) {
  const parts = header.split(',').map((p) => p.trim().split('='));
  const t = Number(parts.find(([k]) => k === 't')?.[1]);
  if (!Number.isInteger(t) || Math.abs(Date.now() / 1000 - t) > toleranceSeconds) return false;
  const expected = createHmac('sha256', secret).update(\`\${t}.\${rawBody}\`).digest();
  return parts.some(([k, v]) => k === 'v1' && v?.length === expected.length * 2 &&
    timingSafeEqual(Buffer.from(v, 'hex'), expected));
}

// Express: app.post('/hooks/medstock', express.raw({ type: 'application/json' }), (req, res) => {
//   if (!verifyMedstockSignature(process.env.MEDSTOCK_WEBHOOK_SECRET, req.body, req.get('Medstock-Signature')))
//     return res.status(400).end();
//   const event = JSON.parse(req.body); // { id, type, createdAt, data }; dedupe on event.id
//   res.status(204).end();
// });`;
