import { generateKeyPairSync } from 'node:crypto';
import { InvalidClientMetadataError, InvalidRedirectUriError, OAuthError } from '@tessera/oauth-errors';
import type { Client } from './client';
import { clientMetadataView, parseClientMetadata, type MetadataPolicy } from './client-metadata';

const dynamic: MetadataPolicy = {
  mode: 'dynamic',
  registrationScopes: ['openid', 'profile', 'email', 'offline_access'],
  defaults: { accessTokenTtl: 3600, refreshTokenTtl: 2_592_000 },
};
const managed: MetadataPolicy = { ...dynamic, mode: 'managed' };
const MODES = [dynamic, managed];

const WEB = { redirect_uris: ['https://app.example.com/cb'] };

function ecKeyPair() {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { publicJwk: publicKey.export({ format: 'jwk' }), privateJwk: privateKey.export({ format: 'jwk' }) };
}

function errorOf(fn: () => unknown): OAuthError {
  try {
    fn();
  } catch (err) {
    if (err instanceof OAuthError) return err;
    throw err;
  }
  throw new Error('expected an OAuthError');
}

/** A stored client built from metadata, as the clients service would build it. */
function aClient(metadata: Record<string, unknown>, policy: MetadataPolicy, extra: Partial<Client> = {}): Client {
  return { ...parseClientMetadata(metadata, policy), clientId: 'c-1', disabled: false, createdAt: 1_700_000_000, updatedAt: 1_700_000_000, ...extra };
}

describe('parseClientMetadata', () => {
  describe.each(MODES)('defaults ($mode)', (policy) => {
    it('registers a confidential authorization-code client: client_secret_basic, grant authorization_code, response code', () => {
      const props = parseClientMetadata(WEB, policy);

      expect(props).toMatchObject({
        tokenEndpointAuthMethod: 'client_secret_basic',
        grantTypes: ['authorization_code'],
        responseTypes: ['code'],
        redirectUris: ['https://app.example.com/cb'],
        accessTokenFormat: 'reference',
        accessTokenTtl: 3600,
        refreshTokenTtl: 2_592_000,
        refreshTokens: false,
        refreshTokenGracePeriod: 0,
        requirePkce: false,
        firstParty: false,
        admin: false,
        dynamic: policy.mode === 'dynamic',
      });
    });

    it('holds refresh tokens only when the refresh_token grant is registered', () => {
      expect(parseClientMetadata({ ...WEB, grant_types: ['authorization_code', 'refresh_token'] }, policy).refreshTokens).toBe(true);
    });

    it('requires PKCE of a public client (token_endpoint_auth_method none)', () => {
      expect(parseClientMetadata({ ...WEB, token_endpoint_auth_method: 'none', require_pkce: false }, policy).requirePkce).toBe(true);
    });

    it.each([
      ['an array', [WEB]],
      ['a string', 'redirect_uris=https://app.example.com/cb'],
      ['null', null],
    ])('refuses %s as the metadata with invalid_client_metadata', (_, input) => {
      expect(() => parseClientMetadata(input, policy)).toThrow(InvalidClientMetadataError);
    });

    it('ignores unknown fields (RFC 7591 §2)', () => {
      expect(() => parseClientMetadata({ ...WEB, x_vendor_extension: { any: 'thing' } }, policy)).not.toThrow();
    });

    it('refuses an unsupported token_endpoint_auth_method', () => {
      const err = errorOf(() => parseClientMetadata({ ...WEB, token_endpoint_auth_method: 'client_secret_jwt' }, policy));

      expect(err).toBeInstanceOf(InvalidClientMetadataError);
      expect(err.code).toBe('invalid_client_metadata');
    });
  });

  it('grants a dynamic client openid by default when the registration policy allows it, and nothing by default when managed', () => {
    expect(parseClientMetadata(WEB, dynamic).scopes).toEqual([{ scope: 'openid', required: false }]);
    expect(parseClientMetadata(WEB, { ...dynamic, registrationScopes: ['profile'] }).scopes).toEqual([]);
    expect(parseClientMetadata(WEB, managed).scopes).toEqual([]);
  });

  describe('grant_types and response_types consistency (RFC 7591 §2.1)', () => {
    it('refuses response_types code without the authorization_code grant', () => {
      const err = errorOf(() => parseClientMetadata({ grant_types: ['client_credentials'], response_types: ['code'] }, dynamic));

      expect(err).toBeInstanceOf(InvalidClientMetadataError);
      expect(err.description).toContain('RFC 7591 section 2.1');
    });

    it('refuses the authorization_code grant with response_types that leave out code', () => {
      const err = errorOf(() => parseClientMetadata({ ...WEB, grant_types: ['authorization_code'], response_types: [] }, dynamic));

      expect(err).toBeInstanceOf(InvalidClientMetadataError);
      expect(err.description).toContain('RFC 7591 section 2.1');
    });

    it('defaults response_types to none for a client without the authorization_code grant', () => {
      const props = parseClientMetadata({ grant_types: ['client_credentials'] }, dynamic);

      expect(props.responseTypes).toEqual([]);
      expect(props.redirectUris).toEqual([]);
    });

    it.each(['token', 'code code', 'none', 'id_token id_token'])('refuses the unsupported response_type %s', (responseType) => {
      const err = errorOf(() => parseClientMetadata({ ...WEB, response_types: ['code', responseType] }, managed));

      expect(err).toBeInstanceOf(InvalidClientMetadataError);
      expect(err.description).toBe(
        `response_type '${responseType}' is not supported. Supported: code, id_token, id_token token, code id_token, code token, code id_token token.`,
      );
    });

    it.each(['id_token', 'code id_token', 'id_token token'])('refuses response_type %s without the implicit grant (OpenID Connect Registration §2)', (responseType) => {
      const err = errorOf(() => parseClientMetadata({ ...WEB, grant_types: ['authorization_code'], response_types: ['code', responseType] }, managed));

      expect(err).toBeInstanceOf(InvalidClientMetadataError);
      expect(err.description).toMatch(/require the 'implicit' grant type/);
    });

    it('registers hybrid and implicit response types for a managed client with both grants, words in canonical order', () => {
      const props = parseClientMetadata(
        { ...WEB, grant_types: ['authorization_code', 'implicit'], response_types: ['code', 'id_token code', 'token id_token', 'code id_token token'] },
        managed,
      );

      expect(props.responseTypes).toEqual(['code', 'code id_token', 'id_token token', 'code id_token token']);
    });

    it('refuses an implicit web client with an http or localhost redirect URI', () => {
      const implicit = { grant_types: ['implicit'], response_types: ['id_token'] };
      expect(errorOf(() => parseClientMetadata({ ...implicit, redirect_uris: ['http://127.0.0.1:8080/cb'] }, managed)).code).toBe('invalid_redirect_uri');
      expect(errorOf(() => parseClientMetadata({ ...implicit, redirect_uris: ['https://localhost/cb'] }, managed)).code).toBe('invalid_redirect_uri');
      expect(parseClientMetadata({ ...implicit, application_type: 'native', redirect_uris: ['http://127.0.0.1:8080/cb'] }, managed).responseTypes).toEqual(['id_token']);
    });

    it('refuses a grant type the server does not implement', () => {
      expect(() => parseClientMetadata({ grant_types: ['urn:ietf:params:oauth:grant-type:device_code'] }, managed)).toThrow(
        /not supported/,
      );
    });

    it('collapses repeated grant types', () => {
      expect(parseClientMetadata({ ...WEB, grant_types: ['authorization_code', 'authorization_code'] }, dynamic).grantTypes).toEqual([
        'authorization_code',
      ]);
    });

    it.each([
      ['a string', 'authorization_code'],
      ['an array with a number', ['authorization_code', 1]],
    ])('refuses grant_types given as %s', (_, grantTypes) => {
      expect(() => parseClientMetadata({ ...WEB, grant_types: grantTypes }, dynamic)).toThrow(InvalidClientMetadataError);
    });
  });

  describe('legacy grants', () => {
    it.each(['password', 'implicit'])('refuses %s in dynamic registration, saying only an administrator can enable it', (grant) => {
      const err = errorOf(() => parseClientMetadata({ grant_types: [grant] }, dynamic));

      expect(err).toBeInstanceOf(InvalidClientMetadataError);
      expect(err.description).toBe(`grant_type '${grant}' is a legacy grant that only an administrator can enable for a client.`);
    });

    it('accepts password for a managed client', () => {
      expect(parseClientMetadata({ grant_types: ['password'] }, managed).grantTypes).toEqual(['password']);
    });

    it('accepts implicit for a managed client registered for an implicit response type', () => {
      expect(parseClientMetadata({ ...WEB, grant_types: ['implicit'], response_types: ['id_token'] }, managed).grantTypes).toEqual(['implicit']);
    });
  });

  describe('redirect_uris', () => {
    const confidential = { token_endpoint_auth_method: 'client_secret_basic' };
    const publicClient = { token_endpoint_auth_method: 'none' };

    it('is required for the authorization_code grant', () => {
      const err = errorOf(() => parseClientMetadata({}, dynamic));

      expect(err).toBeInstanceOf(InvalidRedirectUriError);
      expect(err.code).toBe('invalid_redirect_uri');
    });

    it('may not be an empty list for the authorization_code grant', () => {
      expect(() => parseClientMetadata({ redirect_uris: [] }, dynamic)).toThrow(InvalidRedirectUriError);
    });

    it.each([
      ['a string', 'https://app.example.com/cb'],
      ['an array with a non-string', ['https://app.example.com/cb', 42]],
    ])('refuses redirect_uris given as %s', (_, uris) => {
      expect(() => parseClientMetadata({ redirect_uris: uris }, dynamic)).toThrow(InvalidRedirectUriError);
    });

    it.each([
      ['a fragment (RFC 6749 §3.1.2)', 'https://app.example.com/cb#done'],
      ['an empty fragment', 'https://app.example.com/cb#'],
      ['a relative reference', '/cb'],
      ['no scheme', 'app.example.com/cb'],
      ['the javascript scheme', 'javascript:alert(document.cookie)'],
      ['the javascript scheme in capitals', 'JAVASCRIPT:alert(1)'],
      ['the data scheme', 'data:text/html,<script>alert(1)</script>'],
    ])('refuses a redirect URI with %s, for every kind of client', (_, uri) => {
      for (const auth of [confidential, publicClient]) {
        for (const policy of MODES) {
          const err = errorOf(() => parseClientMetadata({ ...auth, redirect_uris: ['https://app.example.com/ok', uri] }, policy));

          expect(err).toBeInstanceOf(InvalidRedirectUriError);
          expect(err.code).toBe('invalid_redirect_uri');
        }
      }
    });

    it.each(['client_secret_basic', 'client_secret_post'])('refuses plain http on a non-loopback host for a %s client', (method) => {
      const err = errorOf(() => parseClientMetadata({ token_endpoint_auth_method: method, redirect_uris: ['http://app.example.com/cb'] }, managed));

      expect(err).toBeInstanceOf(InvalidRedirectUriError);
      expect(err.description).toContain('must use https');
    });

    it('refuses plain http on a host that only starts with "localhost"', () => {
      expect(() => parseClientMetadata({ redirect_uris: ['http://localhost.attacker.example/cb'] }, dynamic)).toThrow(InvalidRedirectUriError);
    });

    it('refuses plain http on a non-loopback host for a public client (none) too (RFC 9700 §2.1)', () => {
      expect(() => parseClientMetadata({ ...publicClient, redirect_uris: ['http://app.example.com/cb'] }, dynamic)).toThrow(InvalidRedirectUriError);
    });

    it('accepts a private-use URI scheme for a native public client (RFC 8252 §7.1)', () => {
      expect(parseClientMetadata({ ...publicClient, redirect_uris: ['com.example.app:/oauth2redirect'] }, dynamic).redirectUris).toEqual([
        'com.example.app:/oauth2redirect',
      ]);
    });

    it('refuses private_key_jwt with an empty key set (the client could never authenticate)', () => {
      expect(() =>
        parseClientMetadata({ grant_types: ['client_credentials'], token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [] } }, dynamic),
      ).toThrow(InvalidClientMetadataError);
    });

    it.each(['http://localhost:8080/cb', 'http://127.0.0.1:53682/callback', 'http://[::1]:4000/cb'])(
      'accepts the loopback http redirect URI %s even for a confidential client (RFC 8252 §7.3)',
      (uri) => {
        expect(parseClientMetadata({ ...confidential, redirect_uris: [uri] }, dynamic).redirectUris).toEqual([uri]);
      },
    );

    it('accepts a private-use scheme for native apps (RFC 8252 §7.1)', () => {
      const uri = 'com.example.app:/oauth2redirect';

      expect(parseClientMetadata({ ...publicClient, redirect_uris: [uri] }, dynamic).redirectUris).toEqual([uri]);
    });

    it('keeps redirect URIs exactly as registered, for exact matching later', () => {
      const uris = ['https://app.example.com/cb?tenant=a', 'https://APP.example.com:443/cb'];

      expect(parseClientMetadata({ redirect_uris: uris }, dynamic).redirectUris).toEqual(uris);
    });
  });

  describe('scope', () => {
    it('accepts scopes from the registration allow-list in dynamic mode', () => {
      expect(parseClientMetadata({ ...WEB, scope: 'openid  profile openid' }, dynamic).scopes).toEqual([
        { scope: 'openid', required: false },
        { scope: 'profile', required: false },
      ]);
    });

    it.each(['admin:clients', 'account', 'api:unknown'])('refuses %s in dynamic mode, naming it', (scope) => {
      const err = errorOf(() => parseClientMetadata({ ...WEB, scope: `openid ${scope}` }, dynamic));

      expect(err).toBeInstanceOf(InvalidClientMetadataError);
      expect(err.description).toContain(`'${scope}' may not be registered dynamically`);
      expect(err.description).not.toContain('"openid"');
    });

    it('accepts any scope for a managed client', () => {
      expect(parseClientMetadata({ ...WEB, scope: 'admin:clients account api:read' }, managed).scopes.map((s) => s.scope)).toEqual([
        'admin:clients',
        'account',
        'api:read',
      ]);
    });

    it('takes allowed_scopes with required flags for a managed client, over scope', () => {
      const props = parseClientMetadata(
        { ...WEB, scope: 'ignored', allowed_scopes: ['openid', { scope: 'api:read', required: true }, { scope: 'api:write' }] },
        managed,
      );

      expect(props.scopes).toEqual([
        { scope: 'openid', required: false },
        { scope: 'api:read', required: true },
        { scope: 'api:write', required: false },
      ]);
    });

    it.each([
      ['not an array', 'openid api:read'],
      ['an entry with a space', ['api read']],
      ['an entry with a double quote (not a scope-token, RFC 6749 §3.3)', ['api"read']],
      ['an object without a scope', [{ required: true }]],
      ['a number', [7]],
    ])('refuses allowed_scopes that is %s', (_, value) => {
      expect(() => parseClientMetadata({ ...WEB, allowed_scopes: value }, managed)).toThrow(InvalidClientMetadataError);
    });

    it('refuses a scope that is not a string', () => {
      expect(() => parseClientMetadata({ ...WEB, scope: ['openid'] }, dynamic)).toThrow(InvalidClientMetadataError);
    });
  });

  describe('Tessera policy fields', () => {
    const policyFields = {
      access_token_format: 'jwt',
      access_token_signing_alg: 'RS256',
      default_audience: ['https://api.example.com'],
      access_token_ttl: 300,
      refresh_token_ttl: 86_400,
      refresh_tokens: true,
      refresh_token_grace_period: 30,
      require_pkce: true,
      mfa_policy: 'required',
      first_party: true,
      admin: true,
      allowed_scopes: [{ scope: 'admin:clients', required: true }],
    };

    it('ignores them in dynamic registration: a client cannot make itself first-party, admin or long-lived', () => {
      const props = parseClientMetadata({ ...WEB, ...policyFields }, dynamic);

      expect(props).toMatchObject({
        accessTokenFormat: 'reference',
        accessTokenSigningAlg: 'ES256',
        defaultAudience: [],
        accessTokenTtl: 3600,
        refreshTokenTtl: 2_592_000,
        refreshTokens: false,
        refreshTokenGracePeriod: 0,
        requirePkce: false,
        mfaPolicy: 'optional',
        firstParty: false,
        admin: false,
        scopes: [{ scope: 'openid', required: false }],
      });
    });

    it('ignores them in dynamic registration even when their values are out of bounds', () => {
      expect(() =>
        parseClientMetadata({ ...WEB, access_token_ttl: 10 ** 9, first_party: 'yes', access_token_format: 'opaque' }, dynamic),
      ).not.toThrow();
    });

    it('applies them for a managed client', () => {
      const props = parseClientMetadata({ ...WEB, ...policyFields }, managed);

      expect(props).toMatchObject({
        accessTokenFormat: 'jwt',
        accessTokenSigningAlg: 'RS256',
        defaultAudience: ['https://api.example.com'],
        accessTokenTtl: 300,
        refreshTokenTtl: 86_400,
        refreshTokens: true,
        refreshTokenGracePeriod: 30,
        requirePkce: true,
        mfaPolicy: 'required',
        firstParty: true,
        admin: true,
        scopes: [{ scope: 'admin:clients', required: true }],
      });
    });

    it.each([60, 86_400])('accepts access_token_ttl %d (the bounds) for a managed client', (ttl) => {
      expect(parseClientMetadata({ ...WEB, access_token_ttl: ttl }, managed).accessTokenTtl).toBe(ttl);
    });

    it.each([
      ['below 60 seconds', 59],
      ['above a day', 86_401],
      ['fractional', 300.5],
      ['a string', '300'],
    ])('refuses access_token_ttl %s for a managed client', (_, ttl) => {
      const err = errorOf(() => parseClientMetadata({ ...WEB, access_token_ttl: ttl }, managed));

      expect(err).toBeInstanceOf(InvalidClientMetadataError);
      expect(err.description).toBe('access_token_ttl must be a whole number of seconds from 60 to 86400.');
    });

    it.each([
      ['access_token_format', 'opaque'],
      ['access_token_signing_alg', 'HS256'],
      ['mfa_policy', 'sometimes'],
      ['first_party', 'true'],
      ['admin', 1],
      ['refresh_token_ttl', 31_536_001],
      ['default_audience', ['api']],
    ])('refuses an invalid %s for a managed client', (field, value) => {
      expect(() => parseClientMetadata({ ...WEB, [field]: value }, managed)).toThrow(InvalidClientMetadataError);
    });

    describe('refresh_token_grace_period', () => {
      it('is off (0) unless an administrator sets it', () => {
        expect(parseClientMetadata({ ...WEB, grant_types: ['authorization_code', 'refresh_token'] }, managed).refreshTokenGracePeriod).toBe(0);
      });

      it.each([0, 1, 300])('accepts %d seconds (0 to 300) for a managed client', (seconds) => {
        expect(parseClientMetadata({ ...WEB, refresh_token_grace_period: seconds }, managed).refreshTokenGracePeriod).toBe(seconds);
      });

      it.each([
        ['negative', -1],
        ['above 5 minutes', 301],
        ['fractional', 2.5],
        ['a string', '30'],
        ['a boolean', true],
      ])('refuses a grace period that is %s, saying what is allowed', (_, seconds) => {
        const err = errorOf(() => parseClientMetadata({ ...WEB, refresh_token_grace_period: seconds }, managed));

        expect(err).toBeInstanceOf(InvalidClientMetadataError);
        expect(err.description).toBe('refresh_token_grace_period must be a whole number of seconds from 0 to 300.');
      });

      it('is ignored in dynamic registration: a client cannot soften reuse detection for itself', () => {
        expect(parseClientMetadata({ ...WEB, refresh_token_grace_period: 300 }, dynamic).refreshTokenGracePeriod).toBe(0);
        expect(() => parseClientMetadata({ ...WEB, refresh_token_grace_period: 'forever' }, dynamic)).not.toThrow();
      });
    });

    it('keeps PKCE required for a managed public client even if require_pkce is false', () => {
      expect(parseClientMetadata({ ...WEB, token_endpoint_auth_method: 'none', require_pkce: false }, managed).requirePkce).toBe(true);
    });
  });

  describe('jwks and private_key_jwt', () => {
    it('registers a private_key_jwt client with its public keys', () => {
      const { publicJwk } = ecKeyPair();

      const props = parseClientMetadata(
        { grant_types: ['client_credentials'], token_endpoint_auth_method: 'private_key_jwt', token_endpoint_auth_signing_alg: 'ES256', jwks: { keys: [publicJwk] } },
        dynamic,
      );

      expect(props).toMatchObject({ tokenEndpointAuthMethod: 'private_key_jwt', tokenEndpointAuthSigningAlg: 'ES256', jwks: { keys: [publicJwk] } });
    });

    it('refuses private_key_jwt without jwks', () => {
      const err = errorOf(() => parseClientMetadata({ grant_types: ['client_credentials'], token_endpoint_auth_method: 'private_key_jwt' }, managed));

      expect(err).toBeInstanceOf(InvalidClientMetadataError);
      expect(err.description).toBe("private_key_jwt needs the client's public keys in 'jwks' or at 'jwks_uri'.");
    });

    it('refuses a private key in jwks', () => {
      const { publicJwk, privateJwk } = ecKeyPair();

      const err = errorOf(() =>
        parseClientMetadata({ grant_types: ['client_credentials'], token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [publicJwk, privateJwk] } }, dynamic),
      );

      expect(err).toBeInstanceOf(InvalidClientMetadataError);
      expect(err.description).toBe('jwks must contain public keys only.');
    });

    it('refuses a symmetric (oct) key in jwks: it is a shared secret, not a public key', () => {
      const oct = { kty: 'oct', k: Buffer.alloc(32, 9).toString('base64url'), alg: 'HS256' };

      const err = errorOf(() =>
        parseClientMetadata({ grant_types: ['client_credentials'], token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [oct] } }, managed),
      );

      expect(err).toBeInstanceOf(InvalidClientMetadataError);
      expect(err.description).toBe('jwks must contain public keys only.');
    });

    it.each([
      ['an array', [{ kty: 'EC' }]],
      ['an object without keys', {}],
      ['keys that are not objects', { keys: ['EC'] }],
    ])('refuses jwks that is %s', (_, jwks) => {
      expect(() => parseClientMetadata({ ...WEB, jwks }, dynamic)).toThrow(InvalidClientMetadataError);
    });

    it('registers a private_key_jwt client by its https jwks_uri', () => {
      const props = parseClientMetadata({ ...WEB, token_endpoint_auth_method: 'private_key_jwt', jwks_uri: 'https://app.example.com/jwks' }, dynamic);
      expect(props).toMatchObject({ tokenEndpointAuthMethod: 'private_key_jwt', jwksUri: 'https://app.example.com/jwks', jwks: undefined });
    });

    it('refuses jwks_uri over http, and jwks together with jwks_uri (RFC 7591 section 2)', () => {
      expect(() => parseClientMetadata({ ...WEB, jwks_uri: 'http://app.example.com/jwks' }, dynamic)).toThrow(/https/);
      expect(() => parseClientMetadata({ ...WEB, jwks_uri: 'https://app.example.com/jwks', jwks: { keys: [ecKeyPair().publicJwk] } }, dynamic)).toThrow(/not both/);
    });

    it.each(['HS256', 'none'])('refuses token_endpoint_auth_signing_alg %s (asymmetric algorithms only)', (alg) => {
      expect(() => parseClientMetadata({ ...WEB, token_endpoint_auth_signing_alg: alg }, dynamic)).toThrow(InvalidClientMetadataError);
    });
  });

  describe('public clients', () => {
    it.each(MODES)('refuses client_credentials for a public client ($mode)', (policy) => {
      const err = errorOf(() => parseClientMetadata({ token_endpoint_auth_method: 'none', grant_types: ['client_credentials'] }, policy));

      expect(err).toBeInstanceOf(InvalidClientMetadataError);
      expect(err.description).toBe("A public client (token_endpoint_auth_method 'none') cannot use client_credentials.");
    });
  });

  describe('display metadata', () => {
    it('keeps client_name, display URLs and contacts', () => {
      const props = parseClientMetadata(
        { ...WEB, client_name: 'Example App', client_uri: 'https://app.example.com', logo_uri: 'https://app.example.com/logo.png', contacts: ['ops@example.com'] },
        dynamic,
      );

      expect(props.clientName).toBe('Example App');
      expect(props.display).toEqual({ client_uri: 'https://app.example.com', logo_uri: 'https://app.example.com/logo.png', contacts: ['ops@example.com'] });
    });

    it.each(['client_uri', 'logo_uri', 'tos_uri', 'policy_uri'])('refuses a %s that is not an http(s) URL', (field) => {
      expect(() => parseClientMetadata({ ...WEB, [field]: 'javascript:alert(1)' }, dynamic)).toThrow(`${field} must be an http(s) URL.`);
    });

    it('refuses a client_name longer than 2048 characters', () => {
      expect(() => parseClientMetadata({ ...WEB, client_name: 'x'.repeat(2049) }, dynamic)).toThrow(InvalidClientMetadataError);
    });
  });
});

describe('OpenID Connect registration metadata', () => {
  it.each(MODES)('defaults to RS256 ID tokens, public subjects, plain UserInfo, no PAR ($mode)', (policy) => {
    expect(parseClientMetadata(WEB, policy)).toMatchObject({
      idTokenSignedResponseAlg: 'RS256',
      userinfoSignedResponseAlg: undefined,
      subjectType: 'public',
      requireAuthTime: false,
      requestUris: [],
      requirePushedAuthorizationRequests: false,
    });
  });

  it('takes the signing algorithms, pairwise subjects, require_auth_time, default_max_age and PAR switch a client registers', () => {
    const props = parseClientMetadata(
      {
        ...WEB,
        id_token_signed_response_alg: 'ES256',
        userinfo_signed_response_alg: 'EdDSA',
        subject_type: 'pairwise',
        require_auth_time: true,
        default_max_age: 600,
        request_object_signing_alg: 'PS256',
        request_uris: ['https://app.example.com/req.jwt'],
        require_pushed_authorization_requests: true,
      },
      dynamic,
    );

    expect(props).toMatchObject({
      idTokenSignedResponseAlg: 'ES256',
      userinfoSignedResponseAlg: 'EdDSA',
      subjectType: 'pairwise',
      sectorIdentifier: 'app.example.com',
      requireAuthTime: true,
      defaultMaxAge: 600,
      requestObjectSigningAlg: 'PS256',
      requestUris: ['https://app.example.com/req.jwt'],
      requirePushedAuthorizationRequests: true,
    });
  });

  it('refuses unsigned ID tokens (none) and algorithms Tessera does not sign with', () => {
    expect(errorOf(() => parseClientMetadata({ ...WEB, id_token_signed_response_alg: 'none' }, dynamic)).code).toBe('invalid_client_metadata');
    expect(errorOf(() => parseClientMetadata({ ...WEB, userinfo_signed_response_alg: 'HS256' }, dynamic)).code).toBe('invalid_client_metadata');
  });

  it('refuses encrypted responses, which are not offered, instead of answering in clear', () => {
    const err = errorOf(() => parseClientMetadata({ ...WEB, id_token_encrypted_response_alg: 'RSA-OAEP' }, dynamic));
    expect(err.code).toBe('invalid_client_metadata');
    expect(err.description).toMatch(/not supported/);
  });

  it('refuses a pairwise client whose redirect URIs span several hosts without a sector_identifier_uri', () => {
    const err = errorOf(() =>
      parseClientMetadata({ redirect_uris: ['https://a.example.com/cb', 'https://b.example.com/cb'], subject_type: 'pairwise' }, dynamic),
    );
    expect(err.code).toBe('invalid_client_metadata');
    expect(err.description).toMatch(/sector_identifier_uri/);
  });

  it('takes the sector from an https sector_identifier_uri, and refuses an http one', () => {
    const props = parseClientMetadata(
      { redirect_uris: ['https://a.example.com/cb', 'https://b.example.com/cb'], subject_type: 'pairwise', sector_identifier_uri: 'https://sector.example.com/uris.json' },
      dynamic,
    );
    expect(props.sectorIdentifier).toBe('sector.example.com');
    expect(errorOf(() => parseClientMetadata({ ...WEB, sector_identifier_uri: 'http://sector.example.com/uris.json' }, dynamic)).code).toBe('invalid_client_metadata');
  });
});

describe('clientMetadataView', () => {
  const POLICY_FIELDS = [
    'dynamic',
    'allowed_scopes',
    'access_token_format',
    'access_token_signing_alg',
    'default_audience',
    'access_token_ttl',
    'refresh_token_ttl',
    'refresh_tokens',
    'refresh_token_grace_period',
    'require_pkce',
    'mfa_policy',
    'first_party',
    'admin',
    'disabled',
  ];

  it('answers the RFC 7591 fields of a registered client', () => {
    const client = aClient({ ...WEB, client_name: 'Example App', scope: 'openid profile', client_uri: 'https://app.example.com' }, dynamic);

    expect(clientMetadataView(client)).toEqual({
      client_id: 'c-1',
      client_id_issued_at: 1_700_000_000,
      client_name: 'Example App',
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['authorization_code'],
      response_types: ['code'],
      redirect_uris: ['https://app.example.com/cb'],
      scope: 'openid profile',
      client_uri: 'https://app.example.com',
      client_secret_expires_at: 0,
      id_token_signed_response_alg: 'RS256',
      subject_type: 'public',
    });
  });

  it.each(MODES)('never shows Tessera policy fields in the RFC 7591 view ($mode client)', (policy) => {
    const view = clientMetadataView(aClient({ ...WEB, first_party: true, admin: true }, policy));

    for (const field of POLICY_FIELDS) expect(view).not.toHaveProperty(field);
  });

  it('shows Tessera policy fields in the admin view, as the managed client was configured', () => {
    const client = aClient(
      { ...WEB, first_party: true, access_token_format: 'jwt', refresh_token_grace_period: 20, allowed_scopes: [{ scope: 'api:read', required: true }] },
      managed,
      { revokedBefore: 1_700_000_500 },
    );

    expect(clientMetadataView(client, { policy: true })).toMatchObject({
      dynamic: false,
      first_party: true,
      refresh_token_grace_period: 20,
      admin: false,
      access_token_format: 'jwt',
      allowed_scopes: [{ scope: 'api:read', required: true }],
      require_pkce: false,
      revoked_before: 1_700_000_500,
    });
  });

  it('shows whether the client is disabled in the admin view only, and never takes it from metadata', () => {
    const disabledClient = aClient({ ...WEB, disabled: false }, managed, { disabled: true });

    expect(clientMetadataView(disabledClient, { policy: true })['disabled']).toBe(true);
    expect(clientMetadataView(aClient(WEB, managed), { policy: true })['disabled']).toBe(false);
    expect(clientMetadataView(disabledClient)).not.toHaveProperty('disabled');
    for (const policy of MODES) expect(parseClientMetadata({ ...WEB, disabled: true }, policy)).not.toHaveProperty('disabled');
  });

  it('marks a dynamically registered client as dynamic in the admin view', () => {
    expect(clientMetadataView(aClient(WEB, dynamic), { policy: true })).toMatchObject({ dynamic: true, first_party: false, admin: false });
  });

  it.each(['client_secret_basic', 'client_secret_post'])('shows client_secret_expires_at for a %s client, 0 when the secret never expires', (method) => {
    const metadata = { ...WEB, token_endpoint_auth_method: method };

    expect(clientMetadataView(aClient(metadata, dynamic))['client_secret_expires_at']).toBe(0);
    expect(clientMetadataView(aClient(metadata, dynamic, { secretExpiresAt: 1_800_000_000 }))['client_secret_expires_at']).toBe(1_800_000_000);
  });

  it('shows no client_secret_expires_at for clients without a secret (none, private_key_jwt)', () => {
    const { publicJwk } = ecKeyPair();
    const publicClient = aClient({ ...WEB, token_endpoint_auth_method: 'none' }, dynamic);
    const jwtClient = aClient({ grant_types: ['client_credentials'], token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [publicJwk] } }, managed);

    expect(clientMetadataView(publicClient)).not.toHaveProperty('client_secret_expires_at');
    expect(clientMetadataView(jwtClient)).not.toHaveProperty('client_secret_expires_at');
    expect(clientMetadataView(jwtClient)['jwks']).toEqual({ keys: [publicJwk] });
  });

  it('never shows stored credential hashes, in either view', () => {
    const client = aClient(WEB, managed, { secretHash: 'hash-of-secret', registrationAccessTokenHash: 'hash-of-rat' });

    for (const view of [clientMetadataView(client), clientMetadataView(client, { policy: true })]) {
      expect(JSON.stringify(view)).not.toMatch(/hash-of-secret|hash-of-rat/);
    }
  });

  it('leaves out fields with no value instead of sending nulls', () => {
    const view = clientMetadataView(aClient({ grant_types: ['client_credentials'] }, managed));

    expect(view).not.toHaveProperty('client_name');
    expect(view).not.toHaveProperty('scope');
    expect(view).not.toHaveProperty('jwks');
    expect(Object.values(view)).not.toContain(undefined);
  });
});
