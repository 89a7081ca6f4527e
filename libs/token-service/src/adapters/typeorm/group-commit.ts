/**
 * Group commit: rows inserted by concurrent requests in the same turn of the event loop are
 * written by one multi-row INSERT, one transaction, and every caller resolves only after that
 * commit, so durability is unchanged. On SQLite a commit costs far more than a row; under load
 * this divides the token endpoint's database cost by the batch size.
 */
export class GroupCommit<Row> {
  private pending: { row: Row; resolve: () => void; reject: (err: unknown) => void }[] = [];
  private scheduled = false;

  constructor(
    private readonly write: (rows: Row[]) => Promise<void>,
    private readonly maxBatch = 200,
  ) {}

  add(row: Row): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ row, resolve, reject });
      if (this.pending.length >= this.maxBatch) void this.flush();
      else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush() {
    this.scheduled = false;
    const batch = this.pending.splice(0, this.maxBatch);
    if (!batch.length) return;
    try {
      await this.write(batch.map((b) => b.row));
      for (const b of batch) b.resolve();
    } catch (err) {
      if (batch.length === 1) return batch[0].reject(err);
      // One bad row must not fail the others: retry each alone, so each caller gets its own outcome.
      await Promise.all(batch.map((b) => this.write([b.row]).then(b.resolve, b.reject)));
    }
  }
}
