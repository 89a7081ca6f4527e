import { TokenError } from './token-error';

/** An access token this API accepted, whichever way it was checked. */
export interface VerifiedToken {
  /** `jwt`: verified locally (RFC 9068); `reference`: answered active by introspection (RFC 7662). */
  format: 'jwt' | 'reference';
  /** The user (or, for client_credentials, the client) the token speaks for. */
  sub?: string;
  client_id: string;
  /** The granted scopes, split from the space-delimited `scope`. */
  scopes: string[];
  aud: string[];
  exp: number;
  iat?: number;
  auth_time?: number;
  acr?: string;
  jti?: string;
  /** Everything the token (JWT) or the introspection answer said, as received. */
  claims: Record<string, unknown>;
}

export interface ClaimChecks {
  issuer: string;
  audiences: readonly string[];
  clockToleranceSec: number;
  /** Epoch seconds. */
  now: number;
}

/** The VerifiedToken view of an RFC 9068 claim set already verified by the JWT verifier. */
export function fromJwtClaims(claims: Record<string, unknown>): VerifiedToken {
  return build('jwt', claims);
}

/**
 * The VerifiedToken view of an RFC 7662 introspection answer, or invalid_token. `active: true`
 * alone is not enough: the answer must be for an access token (RFC 7662 `token_type`), from
 * this issuer, addressed to this API (`aud`: a token for another API, or one the resource
 * server sees only because its client happens to be the token's client, is refused as RFC 9068
 * §4 refuses it for JWTs), and not expired by our own clock.
 */
export function fromIntrospection(answer: Record<string, unknown>, checks: ClaimChecks, format: VerifiedToken['format'] = 'reference'): VerifiedToken {
  const refuse = (detail: string, description = 'The access token is not active.') =>
    new TokenError('invalid_token', description, { detail });

  if (answer['active'] !== true) throw refuse('inactive');
  const tokenType = answer['token_type'];
  if (tokenType !== undefined && (typeof tokenType !== 'string' || tokenType.toLowerCase() !== 'bearer')) {
    throw refuse('not_an_access_token', 'The token is not a bearer access token.');
  }
  if (answer['iss'] !== undefined && answer['iss'] !== checks.issuer) throw refuse('wrong_issuer', 'The access token was issued by another issuer.');
  const aud = audiencesOf(answer['aud']);
  if (!aud.some((a) => checks.audiences.includes(a))) throw refuse('wrong_audience', 'The access token is not meant for this API.');
  const exp = answer['exp'];
  if (typeof exp !== 'number' || !Number.isFinite(exp)) throw refuse('missing_exp');
  if (exp <= checks.now - checks.clockToleranceSec) throw refuse('expired', 'The access token has expired.');
  const nbf = answer['nbf'];
  if (typeof nbf === 'number' && nbf > checks.now + checks.clockToleranceSec) throw refuse('not_yet_valid', 'The access token is not valid yet.');
  if (typeof answer['client_id'] !== 'string' || answer['client_id'] === '') throw refuse('missing_client_id');
  if (answer['scope'] !== undefined && typeof answer['scope'] !== 'string') throw refuse('invalid_scope_claim');
  return build(format, answer);
}

function build(format: VerifiedToken['format'], claims: Record<string, unknown>): VerifiedToken {
  const scope = typeof claims['scope'] === 'string' ? claims['scope'] : '';
  const token: VerifiedToken = {
    format,
    client_id: claims['client_id'] as string,
    scopes: scope.split(' ').filter(Boolean),
    aud: audiencesOf(claims['aud']),
    exp: claims['exp'] as number,
    claims: { ...claims },
  };
  if (typeof claims['sub'] === 'string') token.sub = claims['sub'];
  if (typeof claims['iat'] === 'number') token.iat = claims['iat'];
  if (typeof claims['auth_time'] === 'number') token.auth_time = claims['auth_time'];
  if (typeof claims['acr'] === 'string') token.acr = claims['acr'];
  if (typeof claims['jti'] === 'string') token.jti = claims['jti'];
  return token;
}

function audiencesOf(aud: unknown): string[] {
  if (typeof aud === 'string') return [aud];
  if (Array.isArray(aud)) return aud.filter((a): a is string => typeof a === 'string');
  return [];
}
