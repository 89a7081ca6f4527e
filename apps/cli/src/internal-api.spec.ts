import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InternalApi } from './internal-api';

/** The operator credential the platform accepts for `secret` (libs/runtime/src/http/internal-credentials.ts). */
const operatorCredential = (secret: string) =>
  `Bearer operator.${createHmac('sha256', secret).update('tessera-internal:operator').digest('base64url')}`;

describe('InternalApi.fromEnvironment', () => {
  it('derives the operator credential from the trimmed secret, which the platform accepts too', async () => {
    const secret = 's'.repeat(40);
    let seen: IncomingHttpHeaders | undefined;
    const server = createServer((req, res) => {
      seen = req.headers;
      res.setHeader('content-type', 'application/json');
      res.end('{"ok":true}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      const api = InternalApi.fromEnvironment({ TESSERA_INTERNAL_SECRET: ` ${secret}\n`, TESSERA_INTERNAL_PORT: String(port) });

      expect(await api.call('GET', '/internal/ping')).toEqual({ status: 200, body: { ok: true } });
      expect(seen?.authorization).toBe(operatorCredential(secret));
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
