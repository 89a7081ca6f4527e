import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { internalCredential } from '@tessera/runtime';

export interface DirectoryRequest {
  sub: string;
  status: number;
}

/**
 * Stands in for the auth-service's internal user API, the one endpoint the token service calls:
 * `GET /internal/users/{sub}/claims` answers the user's OIDC claims as JSON, 404 for an unknown
 * user. Callers authenticate as `Bearer token-service.<mac>`: anything else gets 401, and once
 * `trust(secret)` is called the MAC itself must be the token service's credential for that
 * internal secret (the platform generates it into its data directory at first start).
 */
export class FakeUserDirectory {
  private readonly users = new Map<string, Record<string, unknown>>();
  private readonly log: DirectoryRequest[] = [];
  private expected?: Buffer;
  private server = createServer((req, res) => this.handle(req, res));
  url = '';

  static async start(): Promise<FakeUserDirectory> {
    const directory = new FakeUserDirectory();
    await new Promise<void>((resolve, reject) => {
      directory.server.once('error', reject);
      directory.server.listen(0, '127.0.0.1', () => resolve());
    });
    directory.url = `http://127.0.0.1:${(directory.server.address() as AddressInfo).port}`;
    return directory;
  }

  /** From now on, only the token service's credential for this internal secret is accepted. */
  trust(internalSecret: string) {
    this.expected = Buffer.from(`Bearer ${internalCredential(internalSecret, 'token-service')}`);
  }

  /** Creates or replaces a user's claims (the profile as the auth-service would hold it). */
  set(sub: string, claims: Record<string, unknown>) {
    this.users.set(sub, { sub, ...claims });
  }

  /** Changes some of a user's claims, as a profile edit would. */
  update(sub: string, changes: Record<string, unknown>) {
    const current = this.users.get(sub);
    if (!current) throw new Error(`no user ${sub} in the fake directory`);
    this.users.set(sub, { ...current, ...changes });
  }

  claimsOf(sub: string): Record<string, unknown> | undefined {
    return this.users.get(sub);
  }

  /** Every request answered so far, in order. */
  requests(): readonly DirectoryRequest[] {
    return this.log;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }

  private handle(req: IncomingMessage, res: ServerResponse) {
    const match = /^\/internal\/users\/([^/?]+)\/claims(?:\?.*)?$/.exec(req.url ?? '');
    const sub = match ? decodeURIComponent(match[1]) : '';
    const answer = (status: number, body?: unknown, headers: Record<string, string> = {}) => {
      this.log.push({ sub, status });
      res.writeHead(status, body === undefined ? headers : { 'content-type': 'application/json', ...headers });
      res.end(body === undefined ? undefined : JSON.stringify(body));
    };
    if (!match) return answer(404, { error: 'not_found' });
    if (req.method !== 'GET') return answer(405, undefined, { allow: 'GET' });
    if (!this.authorized(req.headers.authorization)) {
      return answer(401, { error: 'unauthorized' }, { 'www-authenticate': 'Bearer realm="tessera-internal"' });
    }
    const claims = this.users.get(sub);
    return claims ? answer(200, claims) : answer(404, { error: 'no_such_user' });
  }

  private authorized(header: string | undefined): boolean {
    if (!header || !/^Bearer token-service\.[A-Za-z0-9_-]+$/.test(header)) return false;
    if (!this.expected) return true;
    const presented = Buffer.from(header);
    return presented.length === this.expected.length && timingSafeEqual(presented, this.expected);
  }
}
