import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks';
import { installLeanAsyncResourceBind } from './async-resource-bind';

describe('installLeanAsyncResourceBind', () => {
  beforeAll(() => {
    installLeanAsyncResourceBind();
  });

  it('leaves bound functions without the deprecated asyncResource accessor', () => {
    const bound = new AsyncResource('test').bind(() => 1);
    expect(Object.getOwnPropertyDescriptor(bound, 'asyncResource')).toBeUndefined();
    expect(installLeanAsyncResourceBind()).toBe(false);
  });

  it('runs the function in the async context captured when the resource was created', async () => {
    const als = new AsyncLocalStorage<string>();
    const bound = als.run('request-1', () => new AsyncResource('test').bind((x: number) => `${als.getStore()}:${x}`));
    const seen = await als.run('request-2', () => new Promise((resolve) => setImmediate(() => resolve(bound(7)))));
    expect(seen).toBe('request-1:7');
  });

  it('passes the caller this, or the thisArg given to bind', () => {
    function whoAmI(this: { name: string } | undefined) {
      return this?.name;
    }
    const resource = new AsyncResource('test');
    const callerBound = resource.bind(whoAmI);
    expect(callerBound.call({ name: 'caller' })).toBe('caller');
    // Node accepts a thisArg (documented since v14.8), though @types/node does not declare it.
    const fixed = (resource.bind as unknown as (fn: typeof whoAmI, thisArg: object) => typeof whoAmI)(whoAmI, { name: 'fixed' });
    expect(fixed.call({ name: 'caller' })).toBe('fixed');
  });

  it('refuses a non-function, as Node does', () => {
    // By name, not by constructor: the patch is process-wide, and may have been installed by
    // another test file of this Jest worker, whose TypeError is another realm's.
    expect(() => new AsyncResource('test').bind(42 as never)).toThrow(expect.objectContaining({ name: 'TypeError', message: 'The "fn" argument must be of type function' }));
  });

  it('propagates what the function throws', () => {
    const bound = new AsyncResource('test').bind(() => {
      throw new Error('boom');
    });
    expect(() => bound()).toThrow('boom');
  });
});
