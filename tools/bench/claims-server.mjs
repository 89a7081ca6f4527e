// The user directory for the `userinfo` scenario: the one endpoint of the authentication
// service's internal API that Tessera's token service calls (libs/token-service/src/adapters/http/
// auth-service-claims.source.ts), `GET /internal/users/{sub}/claims`, answering the same fixed
// profile for any sub. It runs inside the bench process (pinned with it to the load generator's
// CPU), so its CPU time is not counted as Tessera's, as the real auth-service's would not be.
//
// oidc-provider-server.mjs imports BENCH_PROFILE so that its findAccount answers the same claims
// from memory.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';

/**
 * What the directory holds for every user: `openid profile email` releases everything but the
 * phone claims, which are there to check that both servers filter by scope.
 */
export const BENCH_PROFILE = Object.freeze({
  name: 'Ada Lovelace',
  given_name: 'Ada',
  family_name: 'Lovelace',
  preferred_username: 'ada',
  locale: 'en-GB',
  updated_at: 1_700_000_000,
  email: 'ada@example.com',
  email_verified: true,
  phone_number: '+44 20 7946 0000',
  phone_number_verified: false,
});

/** The claims a UserInfo answer for `openid profile email` must carry, besides `sub`. */
export const USERINFO_CLAIMS = Object.freeze(
  Object.keys(BENCH_PROFILE).filter((k) => !k.startsWith('phone_number')),
);

/**
 * Starts the directory on 127.0.0.1 (a free port). Until `trust(internalSecret)` is called it
 * accepts any `Bearer token-service.<mac>`; after, only the token service's credential for that
 * secret (HMAC-SHA256 of `tessera-internal:token-service`, as @tessera/runtime derives it).
 */
export async function startClaimsServer() {
  let expected;
  let calls = 0;
  let rejected = 0;
  const server = createServer((req, res) => {
    const m = /^\/internal\/users\/([^/?]+)\/claims(?:\?.*)?$/.exec(req.url ?? '');
    const send = (status, body) => {
      const text = JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    };
    if (!m || req.method !== 'GET') return send(404, { error: 'not_found' });
    const header = req.headers.authorization ?? '';
    const ok = expected
      ? header.length === expected.length && timingSafeEqual(Buffer.from(header), expected)
      : /^Bearer token-service\.[A-Za-z0-9_-]+$/.test(header);
    if (!ok) {
      rejected++;
      return send(401, { error: 'unauthorized' });
    }
    calls++;
    return send(200, { sub: decodeURIComponent(m[1]), ...BENCH_PROFILE });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    trust(internalSecret) {
      const mac = createHmac('sha256', internalSecret).update('tessera-internal:token-service').digest('base64url');
      expected = Buffer.from(`Bearer token-service.${mac}`);
    },
    /** Claims answered (200) so far, and requests refused for a wrong credential. */
    calls: () => calls,
    rejected: () => rejected,
    stop() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
