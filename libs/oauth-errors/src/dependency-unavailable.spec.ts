import { isDependencyUnavailable } from './dependency-unavailable';
import { toOAuthError } from './oauth-error';

describe('isDependencyUnavailable', () => {
  const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

  it.each([
    ['a refused connection', withCode('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')],
    ['PostgreSQL shutting down (57P01)', withCode('57P01', 'terminating connection due to administrator command')],
    ['PostgreSQL starting up (57P03)', withCode('57P03', 'the database system is starting up')],
    ['a connection exception (08006)', withCode('08006')],
    ['node-postgres losing its connection', new Error('Connection terminated unexpectedly')],
    ['a pool that cannot connect in time', new Error('timeout exceeded when trying to connect')],
    ["TypeORM's QueryFailedError around a driver error", Object.assign(new Error('query failed'), { driverError: withCode('57P01') })],
    ['an Error whose cause is a reset socket', new Error('fetch failed', { cause: withCode('ECONNRESET') })],
  ])('%s is a dependency that is unavailable', (_what, err) => {
    expect(isDependencyUnavailable(err)).toBe(true);
  });

  it.each([
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'x')")],
    ['a unique violation (23505)', withCode('23505', 'duplicate key value violates unique constraint')],
    ['a syntax error in SQL (42601)', withCode('42601')],
    ['not an error at all', 'Connection terminated'],
    ['nothing', undefined],
  ])('%s is not', (_what, err) => {
    expect(isDependencyUnavailable(err)).toBe(false);
  });

  it('toOAuthError answers an unreachable database with 503 temporarily_unavailable, anything else with 500 server_error', () => {
    const down = toOAuthError(withCode('ECONNREFUSED'));
    expect([down.code, down.status]).toEqual(['temporarily_unavailable', 503]);
    expect(down.description).not.toMatch(/ECONNREFUSED/);
    const bug = toOAuthError(new TypeError('boom'));
    expect([bug.code, bug.status]).toEqual(['server_error', 500]);
  });
});
