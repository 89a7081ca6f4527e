import { FlowError } from '../http/flow-error';
import { parseIdpChange, parseNewIdp } from './idp-input';

const valid = { id: 'acme', display_name: 'Acme', issuer: 'https://login.acme.example', client_id: 'tessera', client_secret: 's3cret' };

function problemsOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(FlowError);
    expect((err as FlowError).code).toBe('invalid_request');
    return (err as FlowError).description;
  }
  throw new Error('expected a refusal');
}

describe('upstream provider input', () => {
  it('fills in the defaults', () => {
    expect(parseNewIdp(valid, false)).toMatchObject({
      ...valid,
      token_endpoint_auth_method: 'client_secret_basic',
      scopes: ['openid', 'profile', 'email'],
      trust_email_verified: false,
      enabled: true,
      claim_mapping: expect.objectContaining({ email: 'email', name: 'name' }),
    });
  });

  it.each([
    [{ ...valid, id: 'Acme Corp' }, 'id: must be a slug'],
    [{ ...valid, id: '-acme' }, 'id: must be a slug'],
    [{ ...valid, issuer: 'http://login.acme.example' }, 'issuer: must be an https URL'],
    [{ ...valid, issuer: 'https://login.acme.example/?tenant=1' }, 'issuer: must not have a query'],
    [{ ...valid, issuer: 'https://login.acme.example/#x' }, 'issuer: must not have a fragment'],
    [{ ...valid, issuer: 'not a url' }, 'issuer: must be an absolute URL'],
    [{ ...valid, client_secret: '' }, 'client_secret: must not be empty'],
    [{ ...valid, client_secret: undefined }, 'client_secret: is required'],
    [{ ...valid, scopes: ['profile'] }, 'scopes: must include "openid"'],
    [{ ...valid, scopes: ['openid', 'a b'] }, 'scopes.1: must be a scope token'],
    [{ ...valid, scopes: 'openid' }, 'scopes: must be an array of scopes'],
    [{ ...valid, claim_mapping: { upn: 'sub' } }, 'claim_mapping.upn: "sub" cannot be set from a provider'],
    [{ ...valid, claim_mapping: { a: 'name', b: 'name' } }, '"a" and "b" both map to "name"'],
    [{ ...valid, trust_email_verified: 'yes' }, 'trust_email_verified: must be true or false'],
    [{ ...valid, client_sceret: 'typo' }, 'unknown field "client_sceret"'],
  ])('refuses %j', (body, message) => {
    expect(problemsOf(() => parseNewIdp(body, false))).toContain(message);
  });

  it('lists every problem at once', () => {
    const description = problemsOf(() => parseNewIdp({ id: 'x', issuer: 'ftp://x' }, false));
    expect(description).toContain('display_name: is required');
    expect(description).toContain('issuer: must be an https URL');
    expect(description).toContain('client_id: is required');
  });

  it('allows http issuers only when loopback upstreams are allowed (tests)', () => {
    expect(parseNewIdp({ ...valid, issuer: 'http://127.0.0.1:4000' }, true).issuer).toBe('http://127.0.0.1:4000');
  });

  it('changes anything but the id', () => {
    expect(parseIdpChange({ enabled: false }, false)).toEqual({ enabled: false });
    expect(problemsOf(() => parseIdpChange({ id: 'other' }, false))).toContain('id cannot be changed');
    expect(problemsOf(() => parseIdpChange({}, false))).toContain('at least one field');
    expect(problemsOf(() => parseIdpChange([], false))).toContain('JSON object');
  });
});
