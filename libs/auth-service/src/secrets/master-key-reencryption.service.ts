import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { InjectLogger, MasterKeyring } from '@tessera/runtime';
import { AUTH_SERVICE_DATA_SOURCE } from '../auth-service.tokens';
import { totpSecretContext } from '../mfa/totp.service';
import { upstreamClientSecretContext } from '../upstream/upstream-idps.service';

/** Rows read per statement: a start never holds much in memory, however many people use TOTP. */
const BATCH = 200;

/** One encrypted column this service keeps under the current master key (names are fixed SQL identifiers). */
interface EncryptedColumn {
  table: string;
  key: string;
  column: string;
  context: (key: string) => string;
  /** Rows left alone (SQL condition). */
  skip?: string;
}

const COLUMNS: readonly EncryptedColumn[] = [
  // An enrollment not yet confirmed is left alone: its confirmation compares the stored value, and
  // it expires within minutes (one made just before a retired key is dropped is started again).
  { table: 'mfa_totp', key: 'sub', column: 'secret_encrypted', context: totpSecretContext, skip: '"confirmed_at" IS NULL' },
  { table: 'upstream_idps', key: 'id', column: 'client_secret_encrypted', context: upstreamClientSecretContext },
];

export interface ReencryptionReport {
  /** Values rewritten under the current master key, by table. */
  rewritten: Record<string, number>;
  /** Values that could not be decrypted (their key is in neither TESSERA_MASTER_KEY nor the retired list), by table. */
  unreadable: Record<string, number>;
  /** Values whose rewrite failed (a database error), by table: the next start tries them again. */
  failed: Record<string, number>;
}

/**
 * Rewrites the authentication service's long-lived encrypted values (TOTP secrets, upstream IdP
 * client secrets) under the current master key, at every start, in the background. Without it a
 * retired master key stayed needed for as long as one person kept an authenticator app enrolled
 * before the rotation, and dropping it locked those people out of their second factor.
 *
 * Each value is replaced only if it is still the one read (compare and set), so a replica doing
 * the same work, or a person re-enrolling meanwhile, is never overwritten. Values under the
 * current key are skipped in SQL by their header prefix; the rest are decrypted with whichever
 * key they name and encrypted again with the current one, in the same row and context.
 */
@Injectable()
export class MasterKeyReencryptionService implements OnApplicationBootstrap, OnModuleDestroy {
  private running?: Promise<ReencryptionReport>;
  private stopping = false;
  /** Rows read per statement (tests make it small to cross page boundaries). */
  batchSize = BATCH;

  constructor(
    @Inject(AUTH_SERVICE_DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly keyring: MasterKeyring,
    @InjectLogger() private readonly logger: Logger,
  ) {}

  onApplicationBootstrap() {
    // Not awaited: the service listens at once; until this finishes the retired keys still decrypt.
    this.running = this.run().catch((err: unknown) => {
      // The message only: a query error's parameters would carry ciphertexts and user ids.
      this.logger.error({ error: err instanceof Error ? err.message : String(err) }, 'could not re-encrypt stored secrets under the current master key; the next start tries again');
      return { rewritten: {}, unreadable: {}, failed: {} };
    });
  }

  /** Before the database closes (its module closes it at application shutdown, a later phase): the pass stops after its page. */
  async onModuleDestroy() {
    this.stopping = true;
    await this.running;
  }

  /** The start's pass, once it has finished (for tests and tools). */
  settled(): Promise<ReencryptionReport | undefined> {
    return this.running ?? Promise.resolve(undefined);
  }

  /** One pass over every encrypted column; safe to run on several replicas at once. */
  async run(): Promise<ReencryptionReport> {
    const report: ReencryptionReport = { rewritten: {}, unreadable: {}, failed: {} };
    for (const column of COLUMNS) {
      const { rewritten, unreadable, failed } = await this.reencrypt(column);
      if (rewritten) report.rewritten[column.table] = rewritten;
      if (unreadable) report.unreadable[column.table] = unreadable;
      if (failed) report.failed[column.table] = failed;
    }
    if (Object.keys(report.rewritten).length) {
      this.logger.info({ rewritten: report.rewritten, masterKeyId: this.keyring.currentKid }, 're-encrypted stored secrets under the current master key');
    }
    if (Object.keys(report.failed).length) {
      this.logger.warn({ failed: report.failed }, 'some stored secrets could not be rewritten under the current master key; the next start tries again');
    }
    if (Object.keys(report.unreadable).length) {
      this.logger.error({ unreadable: report.unreadable }, 'stored secrets under a master key this service does not have: was a retired key dropped too early?');
    }
    return report;
  }

  private async reencrypt(c: EncryptedColumn) {
    const pg = this.dataSource.options.type === 'postgres';
    const p = (n: number) => (pg ? `$${n}` : '?');
    const prefix = this.keyring.currentValuePrefix;
    const batch = this.batchSize;
    // Keyset pages in key order; values under the current key are skipped by their header prefix.
    const page = (after: boolean) =>
      `SELECT "${c.key}" AS "key", "${c.column}" AS "value" FROM "${c.table}" ` +
      `WHERE substr("${c.column}", 1, ${prefix.length}) <> ${p(1)}${c.skip ? ` AND NOT (${c.skip})` : ''}${after ? ` AND "${c.key}" > ${p(2)}` : ''} ` +
      `ORDER BY "${c.key}" ASC LIMIT ${batch}`;
    const replace = `UPDATE "${c.table}" SET "${c.column}" = ${p(1)} WHERE "${c.key}" = ${p(2)} AND "${c.column}" = ${p(3)} RETURNING 1 AS "changed"`;
    let rewritten = 0;
    let unreadable = 0;
    let failed = 0;
    let after: string | undefined;
    while (!this.stopping) {
      const rows = (await this.dataSource.query(page(after !== undefined), after === undefined ? [prefix] : [prefix, after])) as Array<{ key: string; value: string }>;
      for (const { key, value } of rows) {
        let plaintext: string;
        try {
          if (!this.keyring.isStale(value)) continue;
          plaintext = await this.keyring.decrypt(value, c.context(key));
        } catch {
          // A key neither current nor retired, or a damaged value: counted and logged, never guessed at.
          unreadable++;
          continue;
        }
        // Compare and set: a value changed since it was read (re-enrollment, another replica) is left alone.
        try {
          const raw = (await this.dataSource.query(replace, [await this.keyring.encrypt(plaintext, c.context(key)), key, value])) as unknown[];
          // PostgreSQL answers [rows, rowCount] for an UPDATE; SQLite the rows RETURNING produced.
          if ((Array.isArray(raw[0]) ? raw[0] : raw).length) rewritten++;
        } catch {
          failed++;
        }
      }
      if (rows.length < batch) break;
      after = rows[rows.length - 1].key;
    }
    return { rewritten, unreadable, failed };
  }
}
