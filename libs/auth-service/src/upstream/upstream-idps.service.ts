import { Inject, Injectable } from '@nestjs/common';
import { DataSource, In, type EntityManager } from 'typeorm';
import { inTransaction, Outbox } from '@tessera/events';
import { MasterKeyring } from '@tessera/runtime';
import { AUTH_CLOCK, AUTH_SERVICE_DATA_SOURCE, nowSeconds, type Clock } from '../auth-service.tokens';
import { AUTH_SERVICE_CONFIG, type AuthServiceConfig } from '../config/auth-service-config';
import { isUniqueViolation } from '@tessera/runtime';
import { FlowError } from '../http/flow-error';
import { UpstreamAuthRequestEntity } from './entities/upstream-auth-request.entity';
import { UpstreamIdpEntity } from './entities/upstream-idp.entity';
import { UpstreamLinkEntity } from './entities/upstream-link.entity';
import { UpstreamPendingLinkEntity } from './entities/upstream-pending-link.entity';
import { IDP_ID, parseIdpChange, parseNewIdp } from './idp-input';
import { upstreamUrls } from './upstream-urls';

/** The encryption context of a provider's client secret: the ciphertext decrypts for this row only. */
export const upstreamClientSecretContext = (id: string) => `upstream_idps.client_secret:${id}`;

/** The upstream providers admins configure. */
@Injectable()
export class UpstreamIdpsService {
  constructor(
    @Inject(AUTH_SERVICE_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(AUTH_CLOCK) private readonly clock: Clock,
    @Inject(AUTH_SERVICE_CONFIG) private readonly config: AuthServiceConfig,
    private readonly keyring: MasterKeyring,
    private readonly outbox: Outbox,
  ) {}

  async create(body: unknown): Promise<UpstreamIdpEntity> {
    const input = parseNewIdp(body, this.config.upstreamAllowPrivate);
    const now = nowSeconds(this.clock);
    const idp = Object.assign(new UpstreamIdpEntity(), {
      id: input.id,
      displayName: input.display_name,
      issuer: input.issuer,
      clientId: input.client_id,
      clientSecretEncrypted: await this.keyring.encrypt(input.client_secret, upstreamClientSecretContext(input.id)),
      tokenEndpointAuthMethod: input.token_endpoint_auth_method,
      scopes: input.scopes,
      claimMapping: input.claim_mapping,
      trustEmailVerified: input.trust_email_verified,
      enabled: input.enabled,
      createdAt: now,
      updatedAt: now,
    });
    try {
      await this.dataSource.manager.insert(UpstreamIdpEntity, idp);
    } catch (err) {
      if (isUniqueViolation(err)) throw new FlowError('conflict', `An upstream provider with the id "${input.id}" exists already.`);
      throw err;
    }
    return idp;
  }

  /**
   * Changes a provider. Its issuer cannot change while accounts are linked through it: an
   * upstream `sub` is unique only within its issuer (OIDC Core §2, §5.7), so the links made at
   * one issuer would sign in whoever holds the same `sub` at another. Moving to another issuer
   * is deleting the provider (its links go with it) and creating it again. When no account is
   * linked, the change also drops what was begun at the old issuer: pending links and the
   * sign-ins under way.
   */
  async update(id: string, body: unknown): Promise<UpstreamIdpEntity> {
    await this.require(id);
    const change = parseIdpChange(body, this.config.upstreamAllowPrivate);
    const clientSecretEncrypted = change.client_secret === undefined ? undefined : await this.keyring.encrypt(change.client_secret, upstreamClientSecretContext(id));
    return inTransaction(this.dataSource, async (manager) => {
      // The row lock orders this against links being made (holdIssuer): none slips in after the count.
      if (this.dataSource.options.type === 'postgres') await manager.query('SELECT "id" FROM "upstream_idps" WHERE "id" = $1 FOR UPDATE', [id]);
      const idp = await manager.findOneBy(UpstreamIdpEntity, { id });
      if (!idp) throw notFound();
      if (change.issuer !== undefined && change.issuer !== idp.issuer) {
        const linked = await manager.countBy(UpstreamLinkEntity, { idpId: id });
        if (linked) {
          throw new FlowError(
            'conflict',
            `The issuer of "${id}" cannot change while ${linked} account${linked === 1 ? ' is' : 's are'} linked through it: an upstream account id means something only at its own issuer. To move to another issuer, delete this provider (its links go with it) and create it again; people then link their accounts again.`,
          );
        }
        await manager.delete(UpstreamPendingLinkEntity, { idpId: id });
        await manager.delete(UpstreamAuthRequestEntity, { idpId: id });
        idp.issuer = change.issuer;
      }
      if (change.display_name !== undefined) idp.displayName = change.display_name;
      if (change.client_id !== undefined) idp.clientId = change.client_id;
      if (clientSecretEncrypted !== undefined) idp.clientSecretEncrypted = clientSecretEncrypted;
      if (change.token_endpoint_auth_method !== undefined) idp.tokenEndpointAuthMethod = change.token_endpoint_auth_method;
      if (change.scopes !== undefined) idp.scopes = change.scopes;
      if (change.claim_mapping !== undefined) idp.claimMapping = change.claim_mapping;
      if (change.trust_email_verified !== undefined) idp.trustEmailVerified = change.trust_email_verified;
      if (change.enabled !== undefined) idp.enabled = change.enabled;
      // A strictly newer updated_at: cached discovery results are keyed by it.
      idp.updatedAt = Math.max(nowSeconds(this.clock), idp.updatedAt + 1);
      await manager.save(UpstreamIdpEntity, idp);
      return idp;
    });
  }

  /**
   * Inside the caller's transaction, before it records anything tied to an upstream `sub` (a
   * link, a pending link): refuses when the provider's issuer is no longer the one that `sub`
   * was asserted by (an admin changed it during the sign-in), and holds the provider's row
   * (PostgreSQL; SQLite transactions take turns anyway) so that the issuer cannot change
   * before the caller commits.
   */
  async holdIssuer(manager: EntityManager, idpId: string, issuer: string): Promise<void> {
    const pg = this.dataSource.options.type === 'postgres';
    const rows = (await manager.query(`SELECT "issuer" FROM "upstream_idps" WHERE "id" = ${pg ? '$1 FOR SHARE' : '?'}`, [idpId])) as Array<{ issuer: string }>;
    if (rows[0]?.issuer !== issuer) {
      throw new FlowError('conflict', 'The identity provider was reconfigured during this sign-in; start it again.', {}, `upstream ${idpId}: the issuer changed during a sign-in`);
    }
  }

  /** Deletes the provider with every link to it: the linked users hear of it (`user.updated`). */
  async delete(id: string): Promise<void> {
    if (!isIdpId(id)) throw notFound();
    await inTransaction(this.dataSource, async (manager) => {
      const idp = await manager.findOneBy(UpstreamIdpEntity, { id });
      if (!idp) throw notFound();
      const links = await manager.findBy(UpstreamLinkEntity, { idpId: id });
      if (links.length) await manager.delete(UpstreamLinkEntity, { id: In(links.map((l) => l.id)) });
      await manager.delete(UpstreamPendingLinkEntity, { idpId: id });
      await manager.delete(UpstreamAuthRequestEntity, { idpId: id });
      await manager.delete(UpstreamIdpEntity, { id });
      for (const sub of new Set(links.map((l) => l.sub))) await this.outbox.add(manager, 'user.updated', { sub });
    });
  }

  list(): Promise<UpstreamIdpEntity[]> {
    return this.dataSource.manager.find(UpstreamIdpEntity, { order: { id: 'ASC' } });
  }

  listEnabled(): Promise<UpstreamIdpEntity[]> {
    return this.dataSource.manager.find(UpstreamIdpEntity, { where: { enabled: true }, order: { displayName: 'ASC', id: 'ASC' } });
  }

  /** The provider with this id; null for a value that cannot be an id (checked before the database sees it). */
  find(id: string): Promise<UpstreamIdpEntity | null> {
    if (!isIdpId(id)) return Promise.resolve(null);
    return this.dataSource.manager.findOneBy(UpstreamIdpEntity, { id });
  }

  async require(id: string): Promise<UpstreamIdpEntity> {
    const idp = await this.find(id);
    if (!idp) throw notFound();
    return idp;
  }

  /** A provider people may use now (a disabled one is as if it did not exist). */
  async requireEnabled(id: string): Promise<UpstreamIdpEntity> {
    const idp = await this.find(id);
    if (!idp?.enabled) throw notFound();
    return idp;
  }

  clientSecretOf(idp: UpstreamIdpEntity): Promise<string> {
    return this.keyring.decrypt(idp.clientSecretEncrypted, upstreamClientSecretContext(idp.id));
  }

  /** What the internal API shows of a provider: never its secret. */
  view(idp: UpstreamIdpEntity) {
    return {
      id: idp.id,
      display_name: idp.displayName,
      issuer: idp.issuer,
      client_id: idp.clientId,
      has_client_secret: true,
      token_endpoint_auth_method: idp.tokenEndpointAuthMethod,
      scopes: idp.scopes,
      claim_mapping: idp.claimMapping,
      trust_email_verified: idp.trustEmailVerified,
      enabled: idp.enabled,
      /** What to register at the provider. */
      redirect_uri: upstreamUrls(this.config.issuer).callback(idp.id),
      created_at: idp.createdAt,
      updated_at: idp.updatedAt,
    };
  }
}

/** Ids come from paths: anything but a slug (a NUL, which PostgreSQL refuses in text, an overlong value) names no provider. */
const isIdpId = (id: unknown): id is string => typeof id === 'string' && IDP_ID.test(id);

const notFound = () => new FlowError('not_found', 'No such upstream provider.');
