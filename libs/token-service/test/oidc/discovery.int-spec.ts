import { Oidc, type Json } from './support';

/** OpenID Connect Discovery 1.0 §3: the provider metadata an OpenID Connect client reads. */
describe('OpenID Provider metadata', () => {
  let oidc: Oidc;
  let doc: Json;

  beforeAll(async () => {
    oidc = await Oidc.start('sqlite');
    const res = await fetch(`${oidc.app.url}/.well-known/openid-configuration`);
    expect(res.status).toBe(200);
    doc = (await res.json()) as Json;
  });
  afterAll(() => oidc?.close());

  it('lists the UserInfo endpoint under the issuer, served by this server', async () => {
    expect(doc['userinfo_endpoint']).toBe(`${oidc.app.issuer}/oauth2/userinfo`);
    const served = await fetch((doc['userinfo_endpoint'] as string).replace(oidc.app.issuer, oidc.app.url));
    expect(served.status).toBe(401);
  });

  it('lists the ID token and UserInfo signing algorithms, RS256 among them, each with a key in the JWKS', async () => {
    const algs = doc['id_token_signing_alg_values_supported'] as string[];
    expect(algs).toContain('RS256');
    expect(algs).not.toContain('none');
    expect(doc['userinfo_signing_alg_values_supported']).toEqual(expect.arrayContaining(['RS256']));
    const jwks = (await (await fetch(`${oidc.app.url}/oauth2/jwks`)).json()) as { keys: { alg: string }[] };
    for (const alg of algs)
      expect({ alg, published: jwks.keys.some((k) => k.alg === alg) }).toEqual({ alg, published: true });
  });

  it("lists public and pairwise subject types, and Tessera's acr values", () => {
    expect(doc['subject_types_supported']).toEqual(expect.arrayContaining(['public', 'pairwise']));
    expect(doc['acr_values_supported']).toEqual(
      expect.arrayContaining(['urn:tessera:acr:pwd', 'urn:tessera:acr:mfa']),
    );
  });

  it('lists the standard claims and the claims parameter', () => {
    expect(doc['claims_supported']).toEqual(
      expect.arrayContaining([
        'sub',
        'iss',
        'auth_time',
        'acr',
        'name',
        'given_name',
        'family_name',
        'email',
        'email_verified',
        'address',
        'phone_number',
        'phone_number_verified',
        'locale',
        'updated_at',
      ]),
    );
    expect(doc['claims_parameter_supported']).toBe(true);
    expect(doc['scopes_supported']).toEqual(expect.arrayContaining(['openid']));
  });

  it('lists all six response types and the fragment, query and form_post modes', () => {
    expect([...(doc['response_types_supported'] as string[])].sort()).toEqual(
      ['code', 'code id_token', 'code id_token token', 'code token', 'id_token', 'id_token token'].sort(),
    );
    expect(doc['response_modes_supported']).toEqual(
      expect.arrayContaining(['query', 'fragment', 'form_post']),
    );
  });

  it('serves the same document at the RFC 8414 path', async () => {
    expect(await (await fetch(`${oidc.app.url}/.well-known/oauth-authorization-server`)).json()).toEqual(doc);
  });
});
