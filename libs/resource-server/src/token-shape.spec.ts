import { shapeOf } from './token-shape';

describe('shapeOf', () => {
  it.each([
    ['eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln', 'jwt'],
    ['eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.', 'jwt'], // unsecured: still verified as a JWT (and refused there)
    ['tsr_at_3q2-7wX_abcdefghijklmnopqrstuvwxyz0123456', 'reference'],
    ['tsr_rt_3q2-7wX_abcdefghijklmnopqrstuvwxyz0123456', 'unknown'], // a refresh token is not an access token
    ['tsr_at_', 'unknown'],
    ['tsr_at_abc.def', 'unknown'],
    ['a.b', 'unknown'],
    ['a.b.c.d.e', 'unknown'], // JWE: Tessera does not issue encrypted access tokens
    ['opaque', 'unknown'],
  ])('%j is %s', (token, shape) => {
    expect(shapeOf(token)).toBe(shape);
  });
});
