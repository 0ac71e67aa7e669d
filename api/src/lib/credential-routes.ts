import type { FastifyRequest, RouteOptions } from 'fastify';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The response carries a credential (token, API key, signing secret). Derived at start-up
     * (see markCredentialRoute); a route may also set it explicitly.
     */
    credentials?: boolean;
  }
}

// Response fields that hold a credential wherever they appear in our API.
const CREDENTIAL_FIELDS = new Set(['accessToken', 'refreshToken', 'secret', 'key', 'token', 'apiKey']);

type SchemaNode = {
  properties?: Record<string, unknown>;
  allOf?: unknown[];
  anyOf?: unknown[];
  oneOf?: unknown[];
};

function hasCredentialField(schema: unknown, depth = 0): boolean {
  if (!schema || typeof schema !== 'object' || depth > 4) return false;
  const s = schema as SchemaNode;
  if (s.properties && Object.keys(s.properties).some((k) => CREDENTIAL_FIELDS.has(k))) return true;
  return [...(s.allOf ?? []), ...(s.anyOf ?? []), ...(s.oneOf ?? [])].some((x) =>
    hasCredentialField(x, depth + 1),
  );
}

/**
 * A route is credential-bearing when it lives under /v1/auth/ (sign-up, confirmation, login,
 * refresh, password reset) or a success response declares a credential field (API-key creation,
 * webhook creation and secret rotation, invitation acceptance): its responses are `no-store` and
 * are never kept for an Idempotency-Key replay. Deriving it from the schema means a new route
 * that returns a token is covered without anyone remembering a flag.
 */
export function markCredentialRoute(route: RouteOptions): void {
  const responses = (route.schema?.response ?? {}) as Record<string, unknown>;
  const success = Object.entries(responses).filter(([status]) => /^2/.test(status));
  const derived =
    route.url.startsWith('/v1/auth/') || success.some(([, schema]) => hasCredentialField(schema));
  if (derived || route.config?.credentials) route.config = { ...route.config, credentials: true };
}

export const carriesCredentials = (request: FastifyRequest): boolean =>
  request.routeOptions.config?.credentials === true;

export const isAuthRoute = (request: FastifyRequest): boolean =>
  (request.routeOptions.url ?? '').startsWith('/v1/auth/');
