import type { SwaggerTransform } from '@fastify/swagger';
import type { FastifySchema } from 'fastify';
import type { RouteAccess } from '../plugins/access.ts';
import { withAcceptLanguage } from '../plugins/errors.plugin.ts';

/**
 * What the OpenAPI document says about each operation beyond its route schema, derived in one
 * place so that no route can forget it: the operationId, the security the auth hook actually
 * applies, and the Accept-Language header.
 */

/**
 * Credentials every authenticated route accepts (the auth hook reads `X-API-Key` or
 * `Authorization: Bearer`, for every route alike); public routes declare none explicitly.
 */
export function securityFor(access: RouteAccess | undefined): Record<string, string[]>[] {
  return access === 'public' ? [] : [{ bearer: [] }, { apiKey: [] }];
}

// Plural-looking words that name one resource, so a GET of them is a `get`, not a `list`.
const SINGULAR_RESOURCES = new Set(['settings', 'preferences', 'kpis', 'status']);
const VERB_BY_METHOD: Record<string, string> = { GET: 'get', PATCH: 'update', PUT: 'set', DELETE: 'delete' };

const isParam = (segment: string) => segment.startsWith(':') || segment.startsWith('{');
const words = (segment: string) => segment.split(/[^A-Za-z0-9]+/).filter(Boolean);
const capitalise = (w: string) => w.charAt(0).toUpperCase() + w.slice(1).toLowerCase();
const isPlural = (segment: string) => {
  const last = words(segment).at(-1)?.toLowerCase() ?? '';
  return !SINGULAR_RESOURCES.has(last) && last.endsWith('s') && !last.endsWith('ss');
};
function singular(word: string): string {
  if (/ies$/i.test(word)) return `${word.slice(0, -3)}y`;
  if (/ss$/i.test(word) || !/s$/i.test(word)) return word;
  return word.slice(0, -1);
}

/**
 * The operationId of a route that does not name its own: camelCase verb + noun from the method
 * and the path template, so it changes only when the path does (renaming it is a breaking change
 * for generated clients, and infra/openapi/breaking-changes.ts reports it). The rule:
 *  - the noun is the path's static segments without `v1`; a segment followed by a path parameter
 *    is singular (`/items/{id}/suppliers/{supplierId}` → ItemSupplier);
 *  - ending in a parameter: GET get, PATCH update, PUT set, DELETE delete (`deleteItemSupplier`);
 *  - ending in a static segment: GET of a plural is `list`, otherwise `get` (`listAlerts`,
 *    `getAlertsSummary`); POST of a plural creates one (`createPurchaseOrderReceipt`);
 *    POST of anything else is an action whose first word is the verb and the rest follows the
 *    noun (`/alerts/{id}/acknowledge` → acknowledgeAlert, `/webhooks/{id}/rotate-secret` →
 *    rotateWebhookSecret, `/engine/recalculate` → recalculateEngine); PUT/PATCH/DELETE as above.
 * A route that sets `schema.operationId` keeps it; api/test/openapi.test.ts checks that every
 * operation has one and that they are unique.
 */
export function operationIdFor(method: string, url: string): string {
  const segments = url.split('/').filter((s) => s && s !== 'v1');
  const nounWords: string[] = [];
  segments.forEach((segment, i) => {
    if (isParam(segment)) return;
    const ws = words(segment);
    if (i + 1 < segments.length && isParam(segments[i + 1]!)) ws.push(singular(ws.pop()!));
    nounWords.push(...ws);
  });
  const last = segments.at(-1) ?? '';
  const verb = method.toUpperCase();
  let name: string[];
  if (isParam(last) || (verb !== 'GET' && verb !== 'POST')) {
    name = [VERB_BY_METHOD[verb] ?? verb.toLowerCase(), ...nounWords];
  } else if (verb === 'GET') {
    name = [isPlural(last) ? 'list' : 'get', ...nounWords];
  } else if (isPlural(last)) {
    name = ['create', ...nounWords.slice(0, -1), singular(nounWords.at(-1)!)];
  } else {
    const action = words(last);
    const noun = nounWords.slice(0, nounWords.length - action.length);
    name = [action[0]!, ...noun, ...action.slice(1)];
  }
  return name.map((w, i) => (i === 0 ? w.toLowerCase() : capitalise(w))).join('');
}

/** The @fastify/swagger `transform`: the route's schema with the derived parts added. */
export const documentOperation: SwaggerTransform = ({ schema, url, route }) => {
  const s = schema as (FastifySchema & { hide?: boolean; operationId?: string }) | undefined;
  if (!s || s.hide) return { schema, url };
  const method = Array.isArray(route.method) ? route.method[0]! : route.method;
  const access = (route.config as { access?: RouteAccess } | undefined)?.access;
  return {
    url,
    schema: withAcceptLanguage({
      ...s,
      operationId: s.operationId ?? operationIdFor(method, url),
      security: securityFor(access),
    }),
  };
};
