import { Inject, Injectable } from '@nestjs/common';
import { createHmac } from 'node:crypto';
import { InvalidGrantError, InvalidRequestError, InvalidScopeError, InvalidTargetError, UnauthorizedClientError } from '@tessera/oauth-errors';
import { MasterKeyring } from '@tessera/runtime';
import { storageKey, TOKEN_PREFIXES } from '@tessera/token-formats';
import type { AccessTokenFormat, Client } from '../clients/client';
import { splitScope } from '../clients/client-metadata';
import { CLOCK, epochSeconds, type Clock } from '../clock';
import type { RequestParams } from '../http/form';
import { GrantStore } from '../ports/grant.store';
import { RefreshTokenStore, type RefreshToken } from '../ports/refresh-token.store';
import { UnitOfWork, type Transaction } from '../ports/unit-of-work';
import { ResourceServersService } from '../resources/resource-servers.service';
import { AccessTokensService, type IssuedAccessToken } from '../tokens/access-tokens.service';
import { TokenFamiliesService } from '../tokens/token-families.service';
import { IdTokensService } from '../oidc/id-tokens.service';
import { userinfoClaimsOf, withoutDeclined } from '../oidc/userinfo-claims';
import type { ScopeRegistry } from '@tessera/scopes';
import { SCOPE_REGISTRY } from '../token-service.tokens';
import { audienceOf, outsideOf } from './audience';
import { GrantHandler, type TokenResponse, type ValidatedGrant } from './grant-handler';

/** One public sentence for every unusable refresh token; which check failed goes to `detail`. */
export const INVALID_REFRESH_TOKEN = 'The refresh token is invalid, expired, revoked, or was issued to another client.';

/** The HKDF label of the key that derives a refresh token's successor from its value. */
export const SUCCESSOR_KEY_LABEL = 'tessera refresh-token successor';

interface RefreshTokenGrant extends ValidatedGrant {
  /** The presented value: its successor is derived from it. */
  value: string;
  token: RefreshToken;
  scope: string[];
  audience: string[];
  format?: AccessTokenFormat;
}

/** Thrown inside a transaction to roll it back when a grace-period retry turns out to be reuse. */
class NotARetry extends Error {}

/**
 * RFC 6749 §6 with rotation and reuse detection (RFC 9700 §4.14.2): every use exchanges the
 * token for its successor in the same family; presenting a rotated-out token again revokes the
 * whole family, unless the client has a grace period and this is a retry within it, which gets
 * the same successor again (and a fresh access token).
 *
 * The successor's value is an HMAC of the presented value under a key derived from the master
 * key, so that a retry computes the same successor without it ever being stored in clear.
 */
@Injectable()
export class RefreshTokenGrantHandler extends GrantHandler {
  readonly grantType = 'refresh_token';
  readonly parameters = new Set(['refresh_token', 'scope', 'resource']);
  override readonly repeatableParameters = new Set(['resource']);
  readonly clientAuthentication = 'optional' as const;

  constructor(
    private readonly refreshTokens: RefreshTokenStore,
    private readonly grants: GrantStore,
    private readonly accessTokens: AccessTokensService,
    private readonly resourceServers: ResourceServersService,
    private readonly families: TokenFamiliesService,
    private readonly idTokens: IdTokensService,
    private readonly uow: UnitOfWork,
    private readonly keyring: MasterKeyring,
    @Inject(SCOPE_REGISTRY) private readonly registry: ScopeRegistry,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    super();
  }

  async validate(params: RequestParams, client: Client): Promise<RefreshTokenGrant> {
    const value = params.one['refresh_token'];
    if (!value) throw new InvalidRequestError('refresh_token is required.');
    if (!client.refreshTokens) throw new UnauthorizedClientError('This client is not allowed to hold refresh tokens.');
    const token = await this.refreshTokens.find(storageKey(value));
    const now = epochSeconds(this.clock);
    if (!token) throw invalidToken('unknown refresh token');
    // RFC 6749 §10.4: the token is bound to the client it was issued to.
    if (token.clientId !== client.clientId) throw invalidToken(`refresh token of client ${token.clientId}, presented by ${client.clientId}`);
    if (token.revokedAt !== undefined) throw invalidToken('refresh token revoked');
    if (token.expiresAt <= now) throw invalidToken('refresh token expired');
    if (client.revokedBefore !== undefined && token.issuedAt <= client.revokedBefore) throw invalidToken('client access revoked since issuance');
    if (token.grantId !== undefined) {
      const grant = await this.grants.find(token.grantId);
      if (!grant || grant.revokedAt !== undefined) throw invalidToken(`grant ${token.grantId} revoked`);
    }
    // A consumed token is not refused here: whether it is a retry or reuse is decided, with its
    // side effects, in issue.

    // §6: the scope may be narrowed, never widened; omitted, it is the scope originally granted.
    let scope = token.scope;
    if (params.one['scope'] !== undefined) {
      scope = splitScope(params.one['scope']);
      if (!scope.length) throw new InvalidScopeError('scope is empty: omit it to keep the scope originally granted.');
      const beyond = scope.filter((s) => !token.scope.includes(s));
      if (beyond.length) {
        throw new InvalidScopeError(`The scope ${beyond.join(' ')} was not granted; a refresh may only narrow the scope.`, { scope: beyond.join(' ') });
      }
    }
    // RFC 8707 §2.2: likewise for resources.
    const requested = params.many['resource'] ?? [];
    const outside = outsideOf(requested, token.resource);
    if (outside.length) throw new InvalidTargetError(`The resource ${outside.join(' ')} was not part of the grant; a refresh may only narrow the resources.`);
    const { audience, format } = await audienceOf(this.resourceServers, requested.length ? requested : token.resource, client);
    return { value, token, scope, audience, format };
  }

  async issue(validated: ValidatedGrant, client: Client): Promise<TokenResponse> {
    const g = validated as RefreshTokenGrant;
    const { token } = g;
    const now = epochSeconds(this.clock);
    const successor = this.successorOf(g.value);
    // OpenID Connect Core §12.2: a refresh of an openid grant answers a new ID token with the same
    // iss, sub and aud and the original auth_time (and no nonce). Prepared before the rotation.
    const signIdToken = g.scope.includes('openid')
      ? await this.idTokens.prepare({
          client,
          sub: token.sub,
          scope: g.scope,
          // A narrowed scope narrows the claims named individually too.
          claims: withoutDeclined(token.claims, this.registry, token.scope, g.scope),
          claimsLocales: token.claimsLocales,
          authTime: token.authTime,
          acr: token.acr,
          amr: token.amr,
          sid: token.sid,
        })
      : undefined;
    const idTokenFor = (access: IssuedAccessToken) => signIdToken?.({ accessToken: access.value });
    const access = await this.uow.run(async (tx) => {
      // The conditional update decides: of two concurrent uses, exactly one rotates.
      if (!(await this.refreshTokens.consume(token.storageKey, now, tx))) return undefined;
      if (token.grantId !== undefined && !(await this.grants.markUsed(token.grantId, now, { sub: token.sub, clientId: token.clientId }, tx))) {
        throw invalidToken(`grant ${token.grantId} revoked during refresh`);
      }
      const issued = await this.issueAccessToken(g, client, tx);
      await this.refreshTokens.insert(
        {
          ...token,
          storageKey: successor.storageKey,
          // §6: the new refresh token's scope is identical to the one presented, even when this
          // request narrowed the access token's. Its resources likewise.
          scope: token.scope,
          resource: token.resource,
          accessJti: jwtOf(issued)?.jti,
          accessExpiresAt: jwtOf(issued)?.expiresAt,
          issuedAt: now,
          expiresAt: now + client.refreshTokenTtl,
          consumedAt: undefined,
          revokedAt: undefined,
        },
        tx,
      );
      return issued;
    });
    if (access) return response(access, successor.value, g.scope, idTokenFor(access));

    const retried = await this.retryWithinGracePeriod(g, client, successor.storageKey, now);
    if (retried) return response(retried, successor.value, g.scope, idTokenFor(retried));
    // Reuse: the token was rotated out and someone presents it again. The server cannot tell the
    // legitimate client from an attacker, so the whole family goes (committed before refusing).
    await this.families.revokeFamily(token.familyId);
    throw invalidToken('refresh token reuse: its family was revoked');
  }

  /**
   * A rotated-out token presented again within the client's grace period, while its successor is
   * still unused, is a retry after a lost response: it gets a fresh access token, which becomes
   * the one recorded with the successor (an earlier JWT recorded there is deny-listed). Anything
   * else is reuse (undefined).
   */
  private async retryWithinGracePeriod(g: RefreshTokenGrant, client: Client, successorKey: string, now: number): Promise<IssuedAccessToken | undefined> {
    const grace = client.refreshTokenGracePeriod;
    if (grace <= 0) return undefined;
    // Re-read: consumedAt is the instant of the rotation this request lost to.
    const presented = await this.refreshTokens.find(g.token.storageKey);
    if (presented?.consumedAt === undefined || presented.revokedAt !== undefined || now - presented.consumedAt > grace) return undefined;
    const next = await this.refreshTokens.find(successorKey);
    if (!next || next.familyId !== presented.familyId || next.expiresAt <= now) return undefined;
    try {
      return await this.uow.run(async (tx) => {
        const issued = await this.issueAccessToken(g, client, tx);
        const replaced = await this.refreshTokens.replaceAccessToken(successorKey, jwtOf(issued), tx);
        // The successor was used or revoked meanwhile: not a retry any more.
        if (!replaced) throw new NotARetry();
        if (replaced.replaced) await this.families.denyList([replaced.replaced], now, tx);
        return issued;
      });
    } catch (err) {
      if (err instanceof NotARetry) return undefined;
      throw err;
    }
  }

  private issueAccessToken(g: RefreshTokenGrant, client: Client, tx: Transaction) {
    const { token } = g;
    return this.accessTokens.issue(
      {
        client,
        sub: token.sub,
        scope: g.scope,
        audience: g.audience,
        format: g.format,
        grantId: token.grantId,
        familyId: token.familyId,
        claims: userinfoClaimsOf(withoutDeclined(token.claims, this.registry, token.scope, g.scope), token.claimsLocales),
      },
      tx,
    );
  }

  /** `tsr_rt_` + base64url(HMAC-SHA256(derived key, presented value)): the same for every retry. */
  private successorOf(value: string): { value: string; storageKey: string } {
    const mac = createHmac('sha256', this.keyring.deriveKey(SUCCESSOR_KEY_LABEL)).update(value, 'utf8').digest('base64url');
    const successor = TOKEN_PREFIXES.refresh_token + mac;
    return { value: successor, storageKey: storageKey(successor) };
  }
}

const invalidToken = (detail: string) => new InvalidGrantError(INVALID_REFRESH_TOKEN, { detail });

const jwtOf = (access: IssuedAccessToken) => (access.format === 'jwt' ? { jti: access.jti, expiresAt: access.expiresAt } : undefined);

function response(access: IssuedAccessToken, refreshToken: string, scope: readonly string[], idToken: string | undefined): TokenResponse {
  return {
    access_token: access.value,
    token_type: 'Bearer',
    expires_in: access.expiresIn,
    ...(scope.length ? { scope: scope.join(' ') } : {}),
    refresh_token: refreshToken,
    ...(idToken ? { id_token: idToken } : {}),
  };
}
