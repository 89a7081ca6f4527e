import { assertScopes, requiredScopes } from './scopes';
import { TokenError } from './token-error';
import type { VerifiedToken } from './verified-token';

const token = (scopes: string[]): VerifiedToken => ({ format: 'jwt', client_id: 'c', scopes, aud: ['a'], exp: 0, claims: {} });

describe('scopes', () => {
  it('accepts a token holding every required scope, whatever else it holds', () => {
    expect(() => assertScopes(token(['a', 'b', 'c']), ['a', 'c'])).not.toThrow();
    expect(() => assertScopes(token([]), [])).not.toThrow();
  });

  it('refuses a token missing one of them with insufficient_scope (403) naming all required scopes', () => {
    let error: unknown;
    try {
      assertScopes(token(['a']), ['a', 'b']);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(TokenError);
    expect(error).toMatchObject({ code: 'insufficient_scope', status: 403, scope: 'a b', description: 'The access token lacks the scope this request needs: b.' });
  });

  it('does not match scopes by prefix or case', () => {
    expect(() => assertScopes(token(['orders:readonly', 'ORDERS:READ']), ['orders:read'])).toThrow(TokenError);
  });

  it('checks scope names when a route declares them', () => {
    expect(requiredScopes(['a', 'b', 'a'])).toEqual(['a', 'b']);
    for (const bad of [['two words'], ['quo"te'], ['back\\slash'], [''], ['é']]) expect(() => requiredScopes(bad)).toThrow(TypeError);
  });
});
