import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { carriesCredentials, markCredentialRoute } from '../lib/credential-routes.ts';

/**
 * Responses that carry a credential (tokens, API keys, webhook signing secrets) must not be kept
 * by browsers or proxies: `Cache-Control: no-store` (RFC 9111), set on every answer of such a
 * route. Registered before the routes, so its onRoute hook sees them all.
 */
export const credentialResponsesPlugin = fp(async (app: FastifyInstance) => {
  app.addHook('onRoute', markCredentialRoute);
  app.addHook('onSend', async (request, reply, payload) => {
    if (carriesCredentials(request)) reply.header('cache-control', 'no-store');
    return payload;
  });
});
