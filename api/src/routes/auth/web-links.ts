import type { AppDeps } from '../../deps.ts';

/** A page of the web app, as e-mails link to it (PUBLIC_URL is where people open medstock). */
export function webUrl(deps: AppDeps, path: string, token?: string): string {
  const base = deps.config.PUBLIC_URL.replace(/\/+$/, '');
  return token === undefined ? `${base}${path}` : `${base}${path}?token=${encodeURIComponent(token)}`;
}
