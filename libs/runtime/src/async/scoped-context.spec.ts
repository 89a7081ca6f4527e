import { AsyncLocalStorage } from 'node:async_hooks';
import { setImmediate as turn } from 'node:timers/promises';
import { ScopedContext } from './scoped-context';

describe('ScopedContext', () => {
  afterEach(() => jest.restoreAllMocks());

  it('gives the store to everything awaited inside run(), and nothing outside it', async () => {
    const context = new ScopedContext<string>();
    expect(context.getStore()).toBeUndefined();
    const seen = await context.run('tx-1', async () => {
      const before = context.getStore();
      await turn();
      const afterTurn = await Promise.resolve().then(() => context.getStore());
      return [before, afterTurn];
    });
    expect(seen).toEqual(['tx-1', 'tx-1']);
    expect(context.getStore()).toBeUndefined();
  });

  it('keeps concurrent and nested scopes apart', async () => {
    const context = new ScopedContext<string>();
    const inner = (name: string) =>
      context.run(name, async () => {
        await turn();
        return context.getStore();
      });
    const [a, b] = await Promise.all([
      context.run('a', async () => {
        await turn();
        const nested = await inner('a.1');
        return [nested, context.getStore()];
      }),
      context.run('b', async () => {
        await turn();
        return [context.getStore()];
      }),
    ]);
    expect(a).toEqual(['a.1', 'a']);
    expect(b).toEqual(['b']);
  });

  it('disables the storage (and with it the promise hooks) only when its last scope ends', async () => {
    const disable = jest.spyOn(AsyncLocalStorage.prototype, 'disable');
    const context = new ScopedContext<string>();
    let releaseFirst!: () => void;
    const first = context.run('first', () => new Promise<void>((resolve) => (releaseFirst = resolve)));
    const second = context.run('second', async () => {
      await turn();
      return context.getStore();
    });
    expect(context.inFlight).toBe(2);

    // The second scope ends while the first still runs: nothing is disabled under it.
    await expect(second).resolves.toBe('second');
    expect(context.inFlight).toBe(1);
    expect(disable).not.toHaveBeenCalled();

    releaseFirst();
    await first;
    expect(context.inFlight).toBe(0);
    expect(disable).toHaveBeenCalledTimes(1);

    // Enabled again by the next scope, which sees its own store.
    await expect(context.run('third', async () => (await turn(), context.getStore()))).resolves.toBe('third');
    expect(disable).toHaveBeenCalledTimes(2);
  });

  it('ends the scope when the work fails, synchronously or not, and passes the error on', async () => {
    const disable = jest.spyOn(AsyncLocalStorage.prototype, 'disable');
    const context = new ScopedContext<string>();
    await expect(
      context.run('x', async () => {
        await turn();
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    await expect(
      context.run('y', () => {
        throw new Error('thrown before any await');
      }),
    ).rejects.toThrow('thrown before any await');
    expect(context.inFlight).toBe(0);
    expect(disable).toHaveBeenCalledTimes(2);
    expect(context.getStore()).toBeUndefined();
  });

  it('answers undefined to background work a scope left running, once the scope has ended', async () => {
    const context = new ScopedContext<string>();
    let background!: Promise<string | undefined>;
    let releaseBackground!: () => void;
    const gate = new Promise<void>((resolve) => (releaseBackground = resolve));
    await context.run('tx', async () => {
      // Started inside, never awaited by the scope: it outlives it.
      background = gate.then(() => context.getStore());
    });
    releaseBackground();
    await expect(background).resolves.toBeUndefined();
  });
});
