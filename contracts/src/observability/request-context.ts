import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The X-Request-Id of the API request (or of the job) being handled, so every job enqueued while
 * handling it carries that id (JobMeta.requestId) without each call site passing it along.
 */
const requestContext = new AsyncLocalStorage<{ requestId: string }>();

export function withRequestId<T>(requestId: string | undefined, fn: () => T): T {
  return requestId ? requestContext.run({ requestId }, fn) : fn();
}

export function currentRequestId(): string | undefined {
  return requestContext.getStore()?.requestId;
}
