import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { MasterKeyring } from '@tessera/runtime';
import { Outbox } from '@tessera/events';
import { createLocalJWKSet } from 'jose';
import { Broadcaster } from '@tessera/events';
import { buildJwks, generateSigningKey, JwsSigner } from '@tessera/token-formats';
import { SIGNING_ALGS, type SigningAlgorithm } from '../clients/client';
import { CLOCK, epochSeconds, type Clock } from '../clock';
import { TOKEN_SERVICE_CONFIG, type TokenServiceConfig } from '../config/token-service-config';
import { SigningKeyStore, type StoredSigningKey } from '../ports/signing-key.store';
import { UnitOfWork } from '../ports/unit-of-work';

interface KeySet {
  signers: Map<string, JwsSigner>;
  /** jose's verifier over the published keys, built once per key set (not per request). */
  verifier: ReturnType<typeof createLocalJWKSet>;
  /** The signer in use per algorithm. */
  current: Map<SigningAlgorithm, JwsSigner>;
  jwks: ReturnType<typeof buildJwks>;
  loadedAt: number;
}

const RELOAD_AFTER_MS = 60_000;

/**
 * Signing keys: one current key per algorithm plus a `next` key that is already published, so
 * that a rotation only promotes a key every verifier has had the chance to fetch. A retired key
 * stays published until every token it signed has expired.
 */
@Injectable()
export class SigningKeysService implements OnModuleInit {
  private keys?: KeySet;
  private loading?: Promise<KeySet>;

  constructor(
    private readonly store: SigningKeyStore,
    private readonly uow: UnitOfWork,
    private readonly keyring: MasterKeyring,
    private readonly outbox: Outbox,
    private readonly broadcaster: Broadcaster,
    @Inject(TOKEN_SERVICE_CONFIG) private readonly config: TokenServiceConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async onModuleInit() {
    await this.ensureKeys();
    await this.reencryptStale();
    await this.reload();
    // A rotation on one replica reaches the others at once (they would otherwise reload within a minute).
    await this.broadcaster.subscribe(KEYS_CHANNEL, () => void this.reload());
  }

  /** After a master-key rotation, rewrites private keys still encrypted under a retired master key. */
  async reencryptStale(): Promise<number> {
    let count = 0;
    for (const key of await this.store.list()) {
      if (!this.keyring.isStale(key.privateJwkEncrypted)) continue;
      const plain = await this.keyring.decrypt(key.privateJwkEncrypted, contextOf(key.kid));
      await this.store.save({ ...key, privateJwkEncrypted: await this.keyring.encrypt(plain, contextOf(key.kid)) });
      count++;
    }
    return count;
  }

  /**
   * Creates the first current and next key of each algorithm that has none. Replicas starting
   * together on an empty database take turns (a transaction-scoped advisory lock on PostgreSQL;
   * SQLite has one writer and one process): the first creates the keys, the others then find them,
   * so the cluster starts with one key set that every replica publishes.
   */
  async ensureKeys(): Promise<void> {
    await this.uow.run(async (tx) => {
      if (tx.connection.options.type === 'postgres') await tx.query("SELECT pg_advisory_xact_lock(hashtext('tessera:signing-keys:first-keys'))");
      // Read after the lock: what a replica that held it before committed is visible now.
      const existing = await this.store.list();
      for (const alg of SIGNING_ALGS) {
        const mine = existing.filter((k) => k.alg === alg);
        if (!mine.some((k) => k.state === 'current')) await this.store.insert(await this.newKey(alg, 'current'), tx);
        if (!mine.some((k) => k.state === 'next')) await this.store.insert(await this.newKey(alg, 'next'), tx);
      }
    });
  }

  /** The signer for `alg`, from a key set reloaded at most once a minute (or on key.rotated). */
  async signer(alg: SigningAlgorithm): Promise<JwsSigner> {
    const keys = await this.current();
    const signer = keys.current.get(alg);
    if (!signer) throw new Error(`No current signing key for ${alg}`);
    return signer;
  }

  async signerByKid(kid: string): Promise<JwsSigner | undefined> {
    return (await this.current()).signers.get(kid);
  }

  async jwks() {
    return (await this.current()).jwks;
  }

  /** For jose's jwtVerify: the published keys, imported once per key set. */
  async verifier() {
    return (await this.current()).verifier;
  }

  /** Promotes `next` to `current`, retires the old current and pre-publishes a new `next`. */
  async rotate(alg: SigningAlgorithm): Promise<{ kid: string; previousKid?: string }> {
    const now = epochSeconds(this.clock);
    const keys = (await this.store.list()).filter((k) => k.alg === alg);
    const next = keys.find((k) => k.state === 'next') ?? (await this.newKey(alg, 'next'));
    const current = keys.filter((k) => k.state === 'current');
    const fresh = await this.newKey(alg, 'next');
    await this.uow.run(async (tx) => {
      for (const old of current) {
        await this.store.save(
          { ...old, state: 'retired', retiredAt: now, publishUntil: now + this.config.maxTokenTtl + this.config.keyPublishGrace },
          tx,
        );
      }
      if (keys.includes(next)) await this.store.save({ ...next, state: 'current', activatedAt: now }, tx);
      else await this.store.insert({ ...next, state: 'current', activatedAt: now }, tx);
      await this.store.insert(fresh, tx);
      await this.outbox.add(tx, 'key.rotated', { alg, kid: next.kid, previousKid: current[0]?.kid });
    });
    await this.reload();
    await this.broadcaster.publish(KEYS_CHANNEL, { alg, kid: next.kid });
    return { kid: next.kid, previousKid: current[0]?.kid };
  }

  /**
   * Stops publishing a key rotated out earlier, before its tokens expire (it leaked, or its
   * algorithm is being dropped): every token it signed fails verification from then on. The key
   * in use is never retired this way: rotate first. Undefined: no such key.
   */
  async retireNow(kid: string): Promise<'retired' | 'in_use' | undefined> {
    const key = (await this.store.list()).find((k) => k.kid === kid);
    if (!key) return undefined;
    if (key.state !== 'retired') return 'in_use';
    const now = epochSeconds(this.clock);
    await this.store.save({ ...key, publishUntil: now - 1 });
    await this.reload();
    await this.broadcaster.publish(KEYS_CHANNEL, { alg: key.alg, kid });
    return 'retired';
  }

  /** Public view for the internal API: never private material. */
  async describe() {
    return (await this.store.list()).map(({ privateJwkEncrypted: _secret, ...rest }) => rest);
  }

  invalidate() {
    this.keys = undefined;
  }

  /** Reads the store again. A load already under way may predate the caller's write: it is waited for, then a new one runs. */
  async reload(): Promise<KeySet> {
    const earlier = this.loading;
    if (earlier) await earlier.catch(() => undefined);
    this.loading ??= this.load().finally(() => (this.loading = undefined));
    this.keys = await this.loading;
    return this.keys;
  }

  private async current(): Promise<KeySet> {
    if (this.keys && this.clock() - this.keys.loadedAt < RELOAD_AFTER_MS) return this.keys;
    return this.reload();
  }

  private async load(): Promise<KeySet> {
    const now = epochSeconds(this.clock);
    await this.store.deleteUnpublished(now);
    const stored = await this.store.list();
    const signers = new Map<string, JwsSigner>();
    const current = new Map<SigningAlgorithm, JwsSigner>();
    for (const key of stored) {
      const signer = new JwsSigner(JSON.parse(await this.keyring.decrypt(key.privateJwkEncrypted, contextOf(key.kid))));
      signers.set(key.kid, signer);
      // Replicas racing on a first start may both create a current key: the oldest wins everywhere.
      if (key.state === 'current' && !current.has(key.alg as SigningAlgorithm)) current.set(key.alg as SigningAlgorithm, signer);
    }
    const published = stored.filter((k) => k.state !== 'retired' || (k.publishUntil ?? 0) >= now);
    const jwks = buildJwks(published as never);
    return { signers, current, jwks, verifier: createLocalJWKSet(jwks), loadedAt: this.clock() };
  }

  private async newKey(alg: SigningAlgorithm, state: StoredSigningKey['state']): Promise<StoredSigningKey> {
    const key = await generateSigningKey(alg);
    return {
      kid: key.kid,
      alg,
      state,
      publicJwk: key.publicJwk as Record<string, unknown>,
      privateJwkEncrypted: await this.keyring.encrypt(JSON.stringify(key.privateJwk), contextOf(key.kid)),
      createdAt: epochSeconds(this.clock),
    };
  }
}

const contextOf = (kid: string) => `signing_keys:${kid}`;
const KEYS_CHANNEL = 'token-service.keys';
