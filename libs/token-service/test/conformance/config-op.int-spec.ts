import { testEngines } from '@tessera/test-kit';
import { Oidc, type Json } from '../oidc/support';

/** The public members each key type must have (RFC 7518 §6.2.1, §6.3.1; RFC 8037 §2), as ValidateServerJWKs checks. */
const REQUIRED_MEMBERS: Record<string, string[]> = { EC: ['crv', 'x', 'y'], RSA: ['n', 'e'], OKP: ['crv', 'x'] };
/** Private or symmetric key material (EnsureServerJwksDoesNotContainPrivateOrSymmetricKeys). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
const UNPADDED_BASE64URL = /^[A-Za-z0-9_-]+$/;
/** RFC 6749 §3.3 scope-token. */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;
/** BCP 47 language tags, loosely (CheckDiscEndpointLocalesSyntax). */
const LANGUAGE_TAG = /^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/;

/** The sets of response types, order of the words aside ("token id_token" is "id_token token"). */
const responseTypeSet = (values: string[]) => new Set(values.map((v) => v.split(' ').sort().join(' ')));

/**
 * The one module of the conformance suite's Config OP plan, oidcc-discovery-endpoint-verification
 * (also run by the Dynamic OP plan), condition by condition, for both client registration
 * variants it is run with (static_client and dynamic_client).
 */
describe.each(testEngines())('conformance-suite Config OP: oidcc-discovery-endpoint-verification (%s)', (engine) => {
  let oidc: Oidc;
  let res: Response;
  let doc: Json;
  const discoveryUrl = () => `${oidc.app.issuer}/.well-known/openid-configuration`;

  beforeAll(async () => {
    oidc = await Oidc.start(engine);
    res = await fetch(`${oidc.app.url}/.well-known/openid-configuration`);
    doc = (await res.json()) as Json;
  });
  afterAll(() => oidc?.close());

  it('serves the document 200 as JSON at an https discoveryUrl whose prefix is the issuer (OIDCD-4, 4.3)', () => {
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(new URL(discoveryUrl()).protocol).toBe('https:');
    expect(doc['issuer']).toBe(discoveryUrl().slice(0, -'/.well-known/openid-configuration'.length));
    expect(() => new URL(doc['issuer'] as string)).not.toThrow();
  });

  it('lists the response types: at least one of OpenID Connect\'s, and code, id_token and token id_token for the dynamic variant', () => {
    const listed = responseTypeSet(doc['response_types_supported'] as string[]);
    const oidcTypes = ['code', 'code id_token', 'id_token', 'token id_token', 'code id_token token', 'code token'];
    expect(oidcTypes.some((t) => listed.has(t.split(' ').sort().join(' ')))).toBe(true);
    for (const required of responseTypeSet(['code', 'id_token', 'token id_token'])) expect(listed).toContain(required);
  });

  it('lists public or pairwise subjects, RS256 ID tokens, and UserInfo algorithms as an array', () => {
    expect(doc['subject_types_supported']).toEqual(expect.arrayContaining(['public']));
    expect(doc['id_token_signing_alg_values_supported']).toContain('RS256');
    expect(doc['userinfo_signing_alg_values_supported']).toEqual(expect.any(Array));
  });

  it('gives https authorization, token, UserInfo, registration and JWKS endpoints, and every other endpoint https too', () => {
    for (const member of ['authorization_endpoint', 'token_endpoint', 'userinfo_endpoint', 'registration_endpoint', 'jwks_uri'])
      expect({ member, protocol: new URL(doc[member] as string).protocol }).toEqual({ member, protocol: 'https:' });
    for (const [member, value] of Object.entries(doc)) {
      if (member.endsWith('_endpoint') || member.endsWith('_uri'))
        expect({ member, protocol: new URL(value as string).protocol }).toEqual({ member, protocol: 'https:' });
    }
  });

  it('serves a JWKS of public keys only, each with its required members in unpadded base64url and a distinct kid', async () => {
    const jwksRes = await fetch((doc['jwks_uri'] as string).replace(oidc.app.issuer, oidc.app.url));
    expect(jwksRes.status).toBe(200);
    const { keys } = (await jwksRes.json()) as { keys: Json[] };
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      const kty = key['kty'] as string;
      expect(Object.keys(REQUIRED_MEMBERS)).toContain(kty);
      for (const member of REQUIRED_MEMBERS[kty].filter((m) => m !== 'crv'))
        expect({ kid: key['kid'], member, value: key[member] }).toEqual({ kid: key['kid'], member, value: expect.stringMatching(UNPADDED_BASE64URL) });
      expect(PRIVATE_MEMBERS.filter((m) => m in key)).toEqual([]);
      expect(key['kid']).toEqual(expect.any(String));
    }
    expect(new Set(keys.map((k) => k['kid'])).size).toBe(keys.length);
  });

  it('lists the request, request_uri and claims parameters, RS256 request objects, and the claims supported', () => {
    expect(doc).toMatchObject({ request_parameter_supported: true, request_uri_parameter_supported: true, claims_parameter_supported: true });
    expect(doc['request_object_signing_alg_values_supported']).toContain('RS256');
    expect(doc['claims_supported']).toEqual(expect.arrayContaining(['sub']));
  });

  it('lists authorization_code and implicit among the grant types (static and dynamic variants alike)', () => {
    expect(doc['grant_types_supported']).toEqual(expect.arrayContaining(['authorization_code', 'implicit']));
  });

  it('lists openid among syntactically valid scopes, well-formed locales if any, and code_challenge_methods_supported as an array', () => {
    const scopes = doc['scopes_supported'] as string[];
    expect(scopes).toContain('openid');
    for (const scope of scopes) expect(scope).toMatch(SCOPE_TOKEN);
    for (const member of ['ui_locales_supported', 'claims_locales_supported']) {
      for (const tag of (doc[member] as string[] | undefined) ?? []) expect(tag).toMatch(LANGUAGE_TAG);
    }
    expect(doc['code_challenge_methods_supported']).toEqual(expect.any(Array));
  });
});
