import { isAdminScope } from '../clients/admin-scopes';
import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { InvalidGrantError, InvalidRequestError, InvalidTargetError } from '@tessera/oauth-errors';
import { generateReferenceToken, safeEqual, storageKey, uuidV7 } from '@tessera/token-formats';
import type { AccessTokenFormat, Client } from '../clients/client';
import { CLOCK, epochSeconds, type Clock } from '../clock';
import type { RequestParams } from '../http/form';
import { AuthorizationCodeStore, type AuthorizationCode } from '../ports/authorization-code.store';
import { GrantStore } from '../ports/grant.store';
import { RefreshTokenStore } from '../ports/refresh-token.store';
import { UnitOfWork } from '../ports/unit-of-work';
import { ResourceServersService } from '../resources/resource-servers.service';
import { AccessTokensService } from '../tokens/access-tokens.service';
import { TokenFamiliesService } from '../tokens/token-families.service';
import { IdTokensService } from '../oidc/id-tokens.service';
import { userinfoClaimsOf } from '../oidc/userinfo-claims';
import { audienceOf, outsideOf } from './audience';
import { GrantHandler, type TokenResponse, type ValidatedGrant } from './grant-handler';

/** One public sentence for every bad code (RFC 6749 §5.2); which check failed goes to `detail`. */
export const INVALID_CODE = 'The authorization code is invalid, expired, already used, or was issued to another client.';

/** RFC 7636 §4.1: 43 to 128 characters of [A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~". */
const CODE_VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

interface AuthorizationCodeGrant extends ValidatedGrant {
  code: AuthorizationCode;
  audience: string[];
  format?: AccessTokenFormat;
}

/**
 * RFC 6749 §4.1.3 with PKCE (RFC 7636) and resource indicators (RFC 8707). A code is redeemed
 * once: a second redemption is refused and revokes everything the first one issued (§4.1.2,
 * §10.5). Public clients authenticate with `none` (client_id alone), hence 'optional'.
 */
@Injectable()
export class AuthorizationCodeGrantHandler extends GrantHandler {
  readonly grantType = 'authorization_code';
  readonly parameters = new Set(['code', 'redirect_uri', 'code_verifier', 'resource']);
  override readonly repeatableParameters = new Set(['resource']);
  readonly clientAuthentication = 'optional' as const;

  constructor(
    private readonly codes: AuthorizationCodeStore,
    private readonly grants: GrantStore,
    private readonly refreshTokens: RefreshTokenStore,
    private readonly accessTokens: AccessTokensService,
    private readonly resourceServers: ResourceServersService,
    private readonly families: TokenFamiliesService,
    private readonly idTokens: IdTokensService,
    private readonly uow: UnitOfWork,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    super();
  }

  async validate(params: RequestParams, client: Client): Promise<AuthorizationCodeGrant> {
    const value = params.one['code'];
    if (!value) throw new InvalidRequestError('code is required.');
    const code = await this.codes.find(storageKey(value));
    if (!code) throw invalidCode('unknown code');
    // §4.1.3: the code must have been issued to the authenticated client (or, for a public
    // client, to the client_id of the request).
    if (code.clientId !== client.clientId) throw invalidCode(`code issued to client ${code.clientId}, redeemed by ${client.clientId}`);
    if (code.expiresAt <= epochSeconds(this.clock)) throw invalidCode('code expired');
    checkRedirectUri(params.one['redirect_uri'], code, client);
    checkPkce(params.one['code_verifier'], code, client);

    const requested = params.many['resource'] ?? [];
    const outside = outsideOf(requested, code.resource);
    if (outside.length) {
      throw new InvalidTargetError(`The authorization request did not include the resource ${outside.join(' ')}; ask for it at the authorization endpoint.`);
    }
    // The code's grant is checked where it counts, in the redeeming transaction (markUsed: live,
    // and the code's user's grant to this client), not read here as well.
    const { audience, format } = await audienceOf(this.resourceServers, requested.length ? requested : code.resource, client);
    return { code, audience, format };
  }

  async issue(validated: ValidatedGrant, client: Client): Promise<TokenResponse> {
    const { code, audience, format } = validated as AuthorizationCodeGrant;
    const grantId = code.grantId;
    const now = epochSeconds(this.clock);
    // Time-ordered, as grant ids: the family's index entries land together (time-ordered.ts).
    const familyId = uuidV7();
    // OpenID Connect Core §3.1.3.3: with the openid scope the response carries an ID token. Its
    // lookups happen before the code is spent, so that a failure there leaves the code usable.
    const signIdToken = code.scope.includes('openid')
      ? await this.idTokens.prepare({
          client,
          sub: code.sub,
          scope: code.scope,
          claims: code.claims,
          claimsLocales: code.claimsLocales,
          nonce: code.nonce,
          authTime: code.authTime,
          acr: code.acr,
          amr: code.amr,
          sid: code.sid,
        }).catch((err: unknown) => {
          // A user gone (deleted, their grants revoked with them) makes the code unusable: said
          // with the same one sentence as every other unusable code, not as what happened.
          throw err instanceof InvalidGrantError ? invalidCode(err.detail ?? err.message) : err;
        })
      : undefined;
    const issued = await this.uow.run(async (tx) => {
      // The single-use check is this conditional update, not the read in validate: of two
      // concurrent redemptions exactly one gets here with true.
      if (!(await this.codes.consume(code.storageKey, now, familyId, tx))) return undefined;
      // Revoked (or not the code's user's grant to this client)? Then nothing is issued and the
      // code stays unused (rollback).
      if (!(await this.grants.markUsed(grantId, now, { sub: code.sub, clientId: code.clientId }, tx))) {
        throw invalidCode(`grant ${grantId} revoked, gone, or not the code's`);
      }
      const claims = userinfoClaimsOf(code.claims, code.claimsLocales);
      const access = await this.accessTokens.issue({ client, sub: code.sub, scope: code.scope, audience, format, grantId, familyId, claims }, tx);
      const jwt = access.format === 'jwt' ? { jti: access.jti, expiresAt: access.expiresAt } : undefined;
      // A JWT is not stored: remember its jti where a replay of this code will look for it.
      if (jwt) await this.codes.recordAccessToken(code.storageKey, jwt, tx);
      let refreshToken: string | undefined;
      if (mayHoldRefreshToken(client, code.scope)) {
        const refresh = generateReferenceToken('refresh_token');
        await this.refreshTokens.insert(
          {
            storageKey: refresh.storageKey,
            familyId,
            grantId,
            clientId: client.clientId,
            sub: code.sub,
            scope: code.scope,
            // The grant's resources, not a narrowed set: a refresh may ask for any of them.
            resource: code.resource,
            acr: code.acr,
            amr: code.amr,
            authTime: code.authTime,
            sid: code.sid,
            claims: code.claims,
            claimsLocales: code.claimsLocales,
            accessJti: jwt?.jti,
            accessExpiresAt: jwt?.expiresAt,
            issuedAt: now,
            expiresAt: now + client.refreshTokenTtl,
          },
          tx,
        );
        refreshToken = refresh.value;
      }
      return { access, refreshToken };
    });
    if (!issued) {
      await this.revokeFirstRedemption(code.storageKey);
      throw invalidCode('code replayed: the tokens of its first redemption were revoked');
    }
    // at_hash binds the ID token to the access token issued with it.
    const idToken = signIdToken?.({ accessToken: issued.access.value });
    return {
      access_token: issued.access.value,
      token_type: 'Bearer',
      expires_in: issued.access.expiresIn,
      ...(code.scope.length ? { scope: code.scope.join(' ') } : {}),
      ...(issued.refreshToken ? { refresh_token: issued.refreshToken } : {}),
      ...(idToken ? { id_token: idToken } : {}),
    };
  }

  /**
   * A replayed code (RFC 6749 §4.1.2): revoke what its first redemption issued,
   * in a transaction of its own that commits before the replay is refused.
   */
  private async revokeFirstRedemption(key: string): Promise<void> {
    // Re-read: the first redemption wrote the family id (and its JWT's jti) when it consumed the code.
    const code = await this.codes.find(key);
    const familyId = code?.familyId;
    if (!familyId) return;
    await this.uow.run(async (tx) => {
      await this.families.revokeFamily(familyId, tx);
      if (code.accessJti !== undefined && code.accessExpiresAt !== undefined) {
        await this.families.denyList([{ jti: code.accessJti, expiresAt: code.accessExpiresAt }], epochSeconds(this.clock), tx);
      }
    });
  }
}

const invalidCode = (detail: string) => new InvalidGrantError(INVALID_CODE, { detail });

/**
 * Refresh tokens go only to clients trusted with them and registered for the grant, and, for a
 * user, only with consent to offline_access or by the client's policy (a first-party client).
 */
export function mayHoldRefreshToken(client: Client, scope: readonly string[]): boolean {
  return (
    client.refreshTokens &&
    client.grantTypes.includes('refresh_token') &&
    (scope.includes('offline_access') || client.firstParty) &&
    // Admin-scoped access is short-lived by design (ADMIN_TOKEN_MAX_TTL): nothing renews it silently.
    !scope.some(isAdminScope)
  );
}

/**
 * RFC 6749 §4.1.3: redirect_uri is required, and must be identical, when the authorization
 * request included it. When it did not, the code went to the registered redirect URI; a
 * redirect_uri sent anyway must still be exactly that one.
 */
function checkRedirectUri(sent: string | undefined, code: AuthorizationCode, client: Client): void {
  if (code.redirectUriSent) {
    if (sent === undefined) {
      throw new InvalidGrantError('redirect_uri is required: the authorization request included one (RFC 6749 §4.1.3).', {
        detail: 'redirect_uri omitted',
      });
    }
    if (sent !== code.redirectUri) {
      throw new InvalidGrantError('redirect_uri does not match the one in the authorization request.', { detail: `redirect_uri ${sent}` });
    }
    return;
  }
  if (sent !== undefined && (sent !== code.redirectUri || !client.redirectUris.includes(sent))) {
    throw new InvalidGrantError('redirect_uri does not match the registered redirect URI the code was sent to.', { detail: `redirect_uri ${sent}` });
  }
}

/**
 * PKCE (RFC 7636 §4.6) with downgrade protection (RFC 9700 §4.8.2): a code issued with a
 * challenge needs the matching verifier; a code issued without one refuses a verifier, so that
 * an attacker cannot strip the challenge from the authorization request unnoticed.
 */
function checkPkce(verifier: string | undefined, code: AuthorizationCode, client: Client): void {
  if (code.codeChallenge === undefined) {
    if (verifier !== undefined) {
      throw new InvalidGrantError('code_verifier was sent, but the authorization request carried no code_challenge (RFC 9700 §4.8.2).', {
        detail: 'PKCE downgrade: verifier without challenge',
      });
    }
    // The authorization endpoint enforces this; checked again in case the registration changed.
    if (client.requirePkce) throw new InvalidGrantError('This client must use PKCE.', { detail: 'code issued without challenge to a PKCE client' });
    return;
  }
  if (verifier === undefined) {
    throw new InvalidGrantError('code_verifier is required: the authorization request carried a code_challenge (RFC 7636 §4.5).', {
      detail: 'PKCE verifier missing',
    });
  }
  // S256 is the only method the authorization endpoint accepts (plain is refused).
  const matches = CODE_VERIFIER.test(verifier) && safeEqual(createHash('sha256').update(verifier, 'ascii').digest('base64url'), code.codeChallenge);
  if (!matches) {
    throw new InvalidGrantError('PKCE verification failed: code_verifier does not match the code_challenge.', {
      detail: CODE_VERIFIER.test(verifier) ? 'PKCE verifier mismatch' : 'PKCE verifier malformed',
    });
  }
}
