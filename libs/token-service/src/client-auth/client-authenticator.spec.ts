import * as fc from 'fast-check';
import { InvalidClientError, InvalidRequestError, OAuthError } from '@tessera/oauth-errors';
import type { RequestParams } from '../http/form';
import { AUTHENTICATION_FAILED, JWT_BEARER_ASSERTION, presentedCredentials } from './client-authenticator';

const params = (one: Record<string, string> = {}): RequestParams => ({ one, many: {} });

/** RFC 6749 §2.3.1: id and secret are form-urlencoded, joined by ":", then base64-encoded. */
const formEncode = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${formEncode(id)}:${formEncode(secret)}`).toString('base64')}`;
const rawBasic = (decoded: string) => `Basic ${Buffer.from(decoded, 'utf8').toString('base64')}`;

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
/** A JWT-shaped assertion: presentedCredentials only reads it, the signature is verified later. */
const assertion = (payload: unknown) => `${b64url({ alg: 'ES256', typ: 'JWT' })}.${b64url(payload)}.c2lnbmF0dXJl`;

function errorOf(fn: () => unknown): OAuthError {
  try {
    fn();
  } catch (err) {
    if (err instanceof OAuthError) return err;
    throw err;
  }
  throw new Error('expected an OAuthError');
}

describe('presentedCredentials', () => {
  describe('client_secret_basic (RFC 6749 §2.3.1)', () => {
    it('reads the client id and secret from the Basic header', () => {
      expect(presentedCredentials(params(), basic('web-app', 's3cret'))).toEqual({
        method: 'client_secret_basic',
        clientId: 'web-app',
        secret: 's3cret',
      });
    });

    it('form-urlencoding-decodes both parts, so "+" is a space', () => {
      expect(presentedCredentials(params(), rawBasic('my+client:pass+word'))).toMatchObject({ clientId: 'my client', secret: 'pass word' });
    });

    it('decodes %3A in the client id, so ids containing ":" work', () => {
      expect(presentedCredentials(params(), rawBasic('urn%3Aexample%3Aclient:se%3Acret%2B1'))).toMatchObject({
        clientId: 'urn:example:client',
        secret: 'se:cret+1',
      });
    });

    it('round-trips ids and secrets with reserved and non-ASCII characters', () => {
      const clientId = 'client with spaces/ü:1';
      const secret = 'p@ss:w+rd %20 ünïcødé';

      expect(presentedCredentials(params(), basic(clientId, secret))).toEqual({ method: 'client_secret_basic', clientId, secret });
    });

    it('splits at the first colon, so an unencoded colon stays in the secret', () => {
      expect(presentedCredentials(params(), rawBasic('web-app:a:b'))).toMatchObject({ clientId: 'web-app', secret: 'a:b' });
    });

    it('matches the scheme name case-insensitively (RFC 9110 §11.1)', () => {
      const header = basic('web-app', 's3cret').replace('Basic', 'bAsIc');

      expect(presentedCredentials(params(), header)).toMatchObject({ method: 'client_secret_basic', clientId: 'web-app' });
    });

    it('accepts a client_id in the body that matches the Basic credentials', () => {
      expect(presentedCredentials(params({ client_id: 'web-app' }), basic('web-app', 's3cret'))).toMatchObject({
        method: 'client_secret_basic',
        clientId: 'web-app',
      });
    });

    it('refuses a client_id in the body that differs from the Basic credentials with invalid_request', () => {
      const err = errorOf(() => presentedCredentials(params({ client_id: 'other-app' }), basic('web-app', 's3cret')));

      expect(err).toBeInstanceOf(InvalidRequestError);
      expect(err.description).toBe('client_id in the body does not match the Basic credentials.');
    });

    it.each([
      ['no colon', rawBasic('web-app')],
      ['an empty client id', rawBasic(':s3cret')],
      ['characters outside base64', 'Basic d2ViLWFwcDpz!!!'],
      ['base64url instead of base64', `Basic ${Buffer.from('web-app:s3cret??>').toString('base64url')}`],
      ['a broken percent-escape', rawBasic('web%E0%A4%A:s3cret')],
      ['an invalid UTF-8 percent-escape', rawBasic('web-app:%FF')],
      ['no credentials after the scheme', 'Basic'],
      ['an empty value after the scheme', 'Basic '],
    ])('refuses malformed Basic credentials (%s) with invalid_request', (_, header) => {
      const err = errorOf(() => presentedCredentials(params(), header));

      expect(err).toBeInstanceOf(InvalidRequestError);
      expect(err.code).toBe('invalid_request');
    });

    it.each(['Bearer eyJhbGciOiJFUzI1NiJ9.e30.sig', 'Digest username="web-app"', 'web-app:s3cret', ''])(
      'refuses a non-Basic Authorization header (%s) with invalid_request',
      (header) => {
        const err = errorOf(() => presentedCredentials(params({ client_id: 'web-app' }), header));

        expect(err).toBeInstanceOf(InvalidRequestError);
        expect(err.description).toBe('The Authorization header must use the Basic scheme for client authentication.');
      },
    );
  });

  describe('client_secret_post', () => {
    it('reads client_id and client_secret from the body', () => {
      expect(presentedCredentials(params({ client_id: 'web-app', client_secret: 's3cret' }), undefined)).toEqual({
        method: 'client_secret_post',
        clientId: 'web-app',
        secret: 's3cret',
      });
    });

    it('refuses client_secret without client_id with invalid_request', () => {
      const err = errorOf(() => presentedCredentials(params({ client_secret: 's3cret' }), undefined));

      expect(err).toBeInstanceOf(InvalidRequestError);
      expect(err.description).toBe('client_secret was sent without client_id.');
    });
  });

  describe('private_key_jwt (RFC 7523 §2.2)', () => {
    it('uses the assertion\'s sub as the client id', () => {
      const jwt = assertion({ iss: 'svc-1', sub: 'svc-1', aud: 'https://id.test/oauth2/token' });

      expect(presentedCredentials(params({ client_assertion_type: JWT_BEARER_ASSERTION, client_assertion: jwt }), undefined)).toEqual({
        method: 'private_key_jwt',
        clientId: 'svc-1',
        assertion: jwt,
      });
    });

    it('accepts a client_id that matches the assertion\'s sub', () => {
      const jwt = assertion({ sub: 'svc-1' });

      expect(
        presentedCredentials(params({ client_id: 'svc-1', client_assertion_type: JWT_BEARER_ASSERTION, client_assertion: jwt }), undefined),
      ).toMatchObject({ method: 'private_key_jwt', clientId: 'svc-1' });
    });

    it('refuses a client_id that differs from the assertion\'s sub with invalid_request', () => {
      const jwt = assertion({ sub: 'svc-1' });

      const err = errorOf(() =>
        presentedCredentials(params({ client_id: 'svc-2', client_assertion_type: JWT_BEARER_ASSERTION, client_assertion: jwt }), undefined),
      );

      expect(err).toBeInstanceOf(InvalidRequestError);
      expect(err.description).toBe("client_id does not match the client assertion's subject.");
    });

    it.each([
      ['another assertion type', 'urn:ietf:params:oauth:client-assertion-type:saml2-bearer'],
      ['no assertion type', undefined],
    ])('refuses %s with invalid_request', (_, type) => {
      const one: Record<string, string> = { client_assertion: assertion({ sub: 'svc-1' }) };
      if (type !== undefined) one['client_assertion_type'] = type;

      const err = errorOf(() => presentedCredentials(params(one), undefined));

      expect(err).toBeInstanceOf(InvalidRequestError);
      expect(err.description).toBe(`client_assertion_type must be ${JWT_BEARER_ASSERTION}.`);
    });

    it('refuses the jwt-bearer assertion type without an assertion with invalid_request', () => {
      const err = errorOf(() => presentedCredentials(params({ client_assertion_type: JWT_BEARER_ASSERTION }), undefined));

      expect(err).toBeInstanceOf(InvalidRequestError);
      expect(err.description).toBe('client_assertion is missing.');
    });

    it.each([
      ['not a JWT at all', 'not-a-jwt'],
      ['a payload that is not JSON', `${b64url({ alg: 'ES256' })}.bm90IGpzb24.sig`],
      ['a payload without sub', assertion({ iss: 'svc-1' })],
      ['an empty sub', assertion({ sub: '' })],
      ['a numeric sub', assertion({ sub: 42 })],
      ['a null payload', assertion(null)],
    ])('refuses an assertion that is %s with invalid_client 401 and the generic sentence', (_, jwt) => {
      const err = errorOf(() => presentedCredentials(params({ client_assertion_type: JWT_BEARER_ASSERTION, client_assertion: jwt }), undefined));

      expect(err).toBeInstanceOf(InvalidClientError);
      expect(err.status).toBe(401);
      expect(err.description).toBe(AUTHENTICATION_FAILED);
      expect(err.toJSON()).toEqual({ error: 'invalid_client', error_description: AUTHENTICATION_FAILED });
    });
  });

  describe('one method per request (RFC 6749 §2.3)', () => {
    const jwt = assertion({ sub: 'web-app' });

    it.each([
      ['Basic and client_secret_post', { client_id: 'web-app', client_secret: 's3cret' }, basic('web-app', 's3cret')],
      ['Basic and private_key_jwt', { client_assertion_type: JWT_BEARER_ASSERTION, client_assertion: jwt }, basic('web-app', 's3cret')],
      [
        'client_secret_post and private_key_jwt',
        { client_id: 'web-app', client_secret: 's3cret', client_assertion_type: JWT_BEARER_ASSERTION, client_assertion: jwt },
        undefined,
      ],
    ])('refuses %s together with invalid_request', (_, one, header) => {
      const err = errorOf(() => presentedCredentials(params(one), header));

      expect(err).toBeInstanceOf(InvalidRequestError);
      expect(err.description).toBe('Use exactly one client authentication method per request (RFC 6749 section 2.3).');
    });
  });

  describe('public clients and no credentials', () => {
    it('treats client_id alone as the method none', () => {
      expect(presentedCredentials(params({ client_id: 'spa' }), undefined)).toEqual({ method: 'none', clientId: 'spa' });
    });

    it('refuses a request with no client identification at all with invalid_client 401', () => {
      const err = errorOf(() => presentedCredentials(params({ grant_type: 'client_credentials' }), undefined));

      expect(err).toBeInstanceOf(InvalidClientError);
      expect(err.status).toBe(401);
      expect(err.detail).toBe('no client credentials');
    });
  });

  it('property: arbitrary parameters and Authorization headers only ever raise an OAuthError', () => {
    const text = fc.string({ unit: 'binary' });
    const header = fc.oneof(
      text,
      text.map((s) => `Basic ${s}`),
      text.map(rawBasic),
      fc.tuple(text, text).map(([id, secret]) => basic(id, secret)),
    );
    const assertionValue = fc.oneof(
      text,
      fc.jsonValue().map(assertion),
      fc.tuple(text, text, text).map((parts) => parts.join('.')),
      text.map((s) => `${b64url({})}.${Buffer.from(s).toString('base64url')}.x`),
    );
    const body = fc.record(
      {
        client_id: text,
        client_secret: text,
        client_assertion: assertionValue,
        client_assertion_type: fc.oneof(fc.constant(JWT_BEARER_ASSERTION), text),
      },
      { requiredKeys: [] },
    );

    fc.assert(
      fc.property(body, fc.option(header, { nil: undefined }), (one, authorization) => {
        try {
          const presented = presentedCredentials(params(one as Record<string, string>), authorization);
          expect(typeof presented.clientId).toBe('string');
        } catch (err) {
          expect(err).toBeInstanceOf(OAuthError);
          expect(['invalid_request', 'invalid_client']).toContain((err as OAuthError).code);
        }
      }),
      { numRuns: 500 },
    );
  });
});
