import { existsSync, statSync } from 'node:fs';
import { extname, resolve, sep } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../deps.ts';

/**
 * Serves the built web app (web/dist) at / so production is one URL: hashed files under /assets
 * are cached for a year, every other GET that is not an API path and asks for HTML gets
 * index.html (client-side routes such as /stock or /settings/users). Registered only when
 * WEB_DIST_DIR names a directory holding index.html; otherwise the API runs alone.
 *
 * @fastify/static only lends reply.sendFile here (serve: false): its own routes would declare no
 * access, which the auth plugin refuses at start-up, so the one route below declares 'public'.
 */
export async function webPlugin(app: FastifyInstance, deps: AppDeps) {
  const dir = deps.config.WEB_DIST_DIR;
  if (!dir) return;
  const root = resolve(dir);
  if (!existsSync(resolve(root, 'index.html'))) {
    app.log.warn({ root }, 'WEB_DIST_DIR has no index.html: the web app is not served');
    return;
  }
  await app.register(fastifyStatic, { root, serve: false });

  // The document's CSP: the app loads only its own scripts, styles and the API on the same origin.
  // helmet's default adds upgrade-insecure-requests, which breaks a plain-HTTP local install.
  const csp = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "frame-ancestors 'none'",
    "form-action 'self'",
  ].join('; ');

  app.get(
    '/*',
    { config: { access: 'public', rateLimit: false }, schema: { hide: true } },
    async (request, reply) => {
      let path: string;
      try {
        path = decodeURIComponent(request.url.split('?')[0] ?? '/');
      } catch {
        return reply.callNotFound();
      }
      if (path === '/v1' || path.startsWith('/v1/') || path.includes('\0')) return reply.callNotFound();
      if (extname(path)) {
        const file = resolve(root, `.${path}`);
        if (!file.startsWith(root + sep) || !existsSync(file) || !statSync(file).isFile())
          return reply.callNotFound();
        const immutable = path.startsWith('/assets/');
        return reply.sendFile(path.slice(1), root, {
          immutable,
          maxAge: immutable ? '365d' : 0,
          cacheControl: true,
        });
      }
      const accept = request.headers.accept ?? '';
      if (accept && !accept.includes('text/html') && !accept.includes('*/*')) return reply.callNotFound();
      reply.header('cache-control', 'no-cache');
      reply.header('content-security-policy', csp);
      return reply.sendFile('index.html', root, { cacheControl: false });
    },
  );
}
