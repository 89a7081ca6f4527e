import type { VerifiedToken } from '../../src';
import { ORDERS_API, startTokenService, type Client, type TokenService } from './token-service';

/** What both HTTP adapters' test APIs answer for an accepted request. */
export const summary = (token: VerifiedToken | undefined) => ({
  format: token?.format,
  client_id: token?.client_id,
  scopes: token?.scopes,
});

export interface HttpFixture {
  ts: TokenService;
  ordersRs: Client;
  /** A JWT with orders:read and orders:write for ORDERS_API. */
  readWriteJwt(): Promise<string>;
  /** A reference token with orders:read only, for ORDERS_API. */
  readOnlyReference(): Promise<string>;
  reader: Client;
}

export async function httpFixture(): Promise<HttpFixture> {
  const ts = await startTokenService();
  const ordersRs = await ts.resourceServer(ORDERS_API);
  const writer = await ts.client({ allowed_scopes: ['orders:read', 'orders:write'], access_token_format: 'jwt' });
  const reader = await ts.client({ allowed_scopes: ['orders:read'] });
  return {
    ts,
    ordersRs,
    reader,
    readWriteJwt: () => ts.token(writer, { scope: 'orders:read orders:write', resource: ORDERS_API }),
    readOnlyReference: () => ts.token(reader, { scope: 'orders:read', resource: ORDERS_API }),
  };
}

export async function call(url: string, init: { method?: string; authorization?: string } = {}) {
  const res = await fetch(url, { method: init.method ?? 'GET', headers: init.authorization === undefined ? {} : { authorization: init.authorization } });
  const text = await res.text();
  return {
    status: res.status,
    challenge: res.headers.get('www-authenticate'),
    body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined,
  };
}
