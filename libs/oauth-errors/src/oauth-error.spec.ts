import * as fc from 'fast-check';
import {
  InvalidClientError,
  InvalidRequestError,
  InvalidScopeError,
  OAUTH_ERROR_STATUS,
  OAuthError,
  toOAuthError,
} from './oauth-error';

describe('OAuthError', () => {
  it('serializes only error, error_description and scope: detail never reaches the wire', () => {
    const err = new InvalidClientError('Client authentication failed.', { detail: 'secret mismatch for c1' });
    expect(err.toJSON()).toEqual({ error: 'invalid_client', error_description: 'Client authentication failed.' });
    expect(JSON.stringify(err)).not.toContain('secret mismatch');
    expect(err.status).toBe(401);
    expect(err).toBeInstanceOf(OAuthError);
    expect(err.code).toBe('invalid_client');
  });

  it('carries the scope at fault for invalid_scope', () => {
    expect(new InvalidScopeError('not allowed', { scope: 'admin:all' }).toJSON()).toEqual({
      error: 'invalid_scope',
      error_description: 'not allowed',
      scope: 'admin:all',
    });
  });

  it('turns any other throwable into a generic server_error without its message', () => {
    const err = toOAuthError(new Error('SQLITE_CONSTRAINT: UNIQUE failed: clients.id'));
    expect(err.code).toBe('server_error');
    expect(err.status).toBe(500);
    expect(err.description).not.toContain('SQLITE');
    expect(err.detail).toContain('SQLITE');
    expect(toOAuthError('boom').code).toBe('server_error');
  });

  it('lets a status override the default (invalid_client is 400 when no credentials were presented)', () => {
    expect(new InvalidClientError('x', { status: 400 }).status).toBe(400);
    expect(OAUTH_ERROR_STATUS.invalid_token).toBe(401);
  });
});

describe('error_description (RFC 6749 §5.2 character set)', () => {
  const ALLOWED = /^[\x20-\x21\x23-\x5B\x5D-\x7E]*$/;

  it('maps quotes, backslashes, section signs, dashes and ellipses to allowed characters', () => {
    const err = new InvalidRequestError('response_type "id_token" needs RFC 6749 §3.1 — see C:\\docs… ‘now’');
    expect(err.description).toBe("response_type 'id_token' needs RFC 6749 section 3.1 - see C:/docs... 'now'");
    expect(err.toJSON().error_description).toMatch(ALLOWED);
  });

  it('drops any other character outside the set, whatever the message', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        expect(new InvalidRequestError(text).description).toMatch(ALLOWED);
      }),
    );
  });
});
