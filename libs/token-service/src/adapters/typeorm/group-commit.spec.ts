import { GroupCommit } from './group-commit';

describe('GroupCommit', () => {
  it('writes rows added in the same turn with one write, and resolves each caller after it', async () => {
    const writes: number[][] = [];
    const group = new GroupCommit<number>(async (rows) => {
      writes.push(rows);
    });
    await Promise.all([group.add(1), group.add(2), group.add(3)]);
    expect(writes).toEqual([[1, 2, 3]]);
  });

  it('never resolves a caller before its row is written', async () => {
    let release!: () => void;
    const written = new Promise<void>((r) => (release = r));
    const group = new GroupCommit<number>(() => written);
    let done = false;
    const adding = group.add(1).then(() => (done = true));
    await new Promise((r) => setImmediate(r));
    expect(done).toBe(false);
    release();
    await adding;
    expect(done).toBe(true);
  });

  it('splits batches at the maximum size', async () => {
    const sizes: number[] = [];
    const group = new GroupCommit<number>(async (rows) => void sizes.push(rows.length), 2);
    await Promise.all([1, 2, 3, 4, 5].map((n) => group.add(n)));
    expect(sizes.sort()).toEqual([1, 2, 2]);
  });

  it('gives each caller its own outcome when a batch fails because of one row', async () => {
    const group = new GroupCommit<number>(async (rows) => {
      if (rows.includes(2)) throw new Error('duplicate key');
    });
    const results = await Promise.allSettled([group.add(1), group.add(2), group.add(3)]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });
});
