import { AsyncResource } from 'node:async_hooks';

/**
 * Node 20's `AsyncResource.prototype.bind` decorates every bound function with a deprecated
 * `asyncResource` accessor (DEP0172) built by two fresh `util.deprecate()` wrappers. fastify
 * binds one function per request body, so on Node 20 that decoration alone makes a POST cost
 * about three times what it costs without it (a bare fastify form POST: ~14,000 against
 * ~42,000 requests per CPU-second on one core; see docs/benchmarks.md).
 *
 * This replaces `bind` with the same behaviour minus the deprecated accessor, and only where
 * the running Node.js still adds it (newer releases dropped it; there this is a no-op). The
 * bound function still runs `fn` in the resource's async scope with the caller's `this` (or
 * `thisArg`), which is all fastify and Node's own callers rely on.
 */
export function installLeanAsyncResourceBind(): boolean {
  if (!bindAddsDeprecatedAccessor()) return false;
  AsyncResource.prototype.bind = function bind<Func extends (...args: never[]) => unknown>(
    this: AsyncResource,
    fn: Func,
    thisArg?: unknown,
  ): Func {
    if (typeof fn !== 'function') throw new TypeError('The "fn" argument must be of type function');
    if (thisArg !== undefined) return this.runInAsyncScope.bind(this, fn as never, thisArg) as unknown as Func;
    const runInScope = this.runInAsyncScope.bind(this);
    return function (this: unknown, ...args: unknown[]) {
      return runInScope(fn as never, this, ...(args as never[]));
    } as unknown as Func;
  };
  return true;
}

function bindAddsDeprecatedAccessor(): boolean {
  const bound = new AsyncResource('tessera:probe').bind(() => undefined);
  return Object.getOwnPropertyDescriptor(bound, 'asyncResource') !== undefined;
}
