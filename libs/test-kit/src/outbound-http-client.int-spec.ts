import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from 'node:net';
import { OutboundHttpClient, OutboundHttpError, type OutboundHttpErrorReason } from '@tessera/runtime';
import { eventually } from './engines';
import { startTlsTestServer, type TlsTestServer } from './tls-test-server';

// Real sockets on 127.0.0.1: every rule of the runtime's OutboundHttpClient against a server that
// tries to break it. It lives here, not beside the client in libs/runtime, because test-kit already
// depends on runtime: a runtime spec importing test-kit would make a project cycle.

async function refusal(promise: Promise<unknown>, reason: OutboundHttpErrorReason): Promise<OutboundHttpError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(OutboundHttpError);
  expect((err as OutboundHttpError).reason).toBe(reason);
  expect((err as OutboundHttpError).message).not.toContain('hunter2');
  expect((err as OutboundHttpError).url).not.toContain('hunter2');
  return err as OutboundHttpError;
}

const SECRET = '?state=hunter2';

describe('OutboundHttpClient against real servers', () => {
  let server: TlsTestServer;
  let client: OutboundHttpClient; // trusts the test CA, may reach loopback
  const timers = new Set<NodeJS.Timeout>();
  /** Paths whose connection the client closed before the server answered (the server saw it go). */
  const closedByClient: string[] = [];

  beforeAll(async () => {
    server = await startTlsTestServer({
      '/jwks': { body: { keys: [{ kty: 'EC', kid: 'k1' }] } },
      '/text': { body: 'plain words, not JSON: hunter2' },
      '/missing': { status: 404, body: { error: 'not_found' } },
      '/echo': (request, response) => {
        response.writeHead(201, { 'content-type': 'application/json', 'x-echo': 'yes' });
        response.end(JSON.stringify({ method: request.method, contentType: request.headers['content-type'] ?? null, body: request.body.toString() }));
      },
      '/no-content': { status: 204 },
      '/silent': (_request, response) => {
        // never answers
        response.on('close', () => closedByClient.push('/silent'));
      },
      '/trickle': (_request, response) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        const timer = setInterval(() => response.write(' '), 50);
        timers.add(timer);
        response.on('close', () => {
          clearInterval(timer);
          closedByClient.push('/trickle');
        });
      },
      '/big-declared': { body: Buffer.alloc(2000, 'a') },
      '/big-streamed': (_request, response) => {
        response.writeHead(200, { 'content-type': 'application/octet-stream' }); // chunked, no Content-Length
        const chunk = Buffer.alloc(1024, 'b');
        let sent = 0;
        const timer = setInterval(() => {
          if (sent++ < 200) response.write(chunk);
          else response.end();
        }, 1);
        timers.add(timer);
        response.on('close', () => clearInterval(timer));
      },
      '/exactly-1000': { body: Buffer.alloc(1000, 'c') },
      '/moved': { status: 302, headers: { location: `/jwks${SECRET}` } },
      '/elsewhere': { status: 307, headers: { location: `https://alice:hunter2@other.example/x${SECRET}` } },
    });
    client = new OutboundHttpClient({ ca: server.ca, allowPrivateAddresses: true, timeoutMs: 3000 });
  });

  afterAll(async () => {
    for (const timer of timers) clearInterval(timer);
    await server.close();
  });

  describe('success through the TLS server', () => {
    it('GETs a JSON document with getJson', async () => {
      const jwks = await client.getJson<{ keys: Array<{ kid: string }> }>(`${server.url}/jwks${SECRET}`);

      expect(jwks.keys[0].kid).toBe('k1');
      const seen = server.requests[server.requests.length - 1];
      expect(seen).toMatchObject({ method: 'GET', url: `/jwks${SECRET}` });
      expect(seen.headers['user-agent']).toBe('Tessera');
      expect(seen.headers['accept']).toBe('application/json');
    });

    it('GETs through localhost too (the name resolves to loopback, allowed here)', async () => {
      const response = await client.get(`https://localhost:${server.port}/jwks`);
      expect(response.status).toBe(200);
      expect(response.json()).toEqual({ keys: [{ kty: 'EC', kid: 'k1' }] });
    });

    it('POSTs a body and returns status, headers and body', async () => {
      const response = await client.post(`${server.url}/echo`, JSON.stringify({ logout_token: 'x' }), {
        headers: { 'Content-Type': 'application/json' },
      });

      expect(response.status).toBe(201);
      expect(response.headers['x-echo']).toBe('yes');
      expect(response.json()).toEqual({ method: 'POST', contentType: 'application/json', body: '{"logout_token":"x"}' });
      expect(response.text()).toContain('logout_token');
      expect(Buffer.isBuffer(response.body)).toBe(true);
    });

    it('returns non-2xx answers from get, and getJson refuses them (bad_status)', async () => {
      expect((await client.get(`${server.url}/missing`)).status).toBe(404);
      const err = await refusal(client.getJson(`${server.url}/missing${SECRET}`), 'bad_status');
      expect(err.message).toBe(`${server.url}/missing answered with status 404; expected 2xx`);
    });

    it('getJson refuses a body that is not JSON without quoting it (bad_body)', async () => {
      const err = await refusal(client.getJson(`${server.url}/text`), 'bad_body');
      expect(err.message).not.toContain('plain words');
      await refusal(client.getJson(`${server.url}/no-content`), 'bad_body');
    });
  });

  describe('private addresses (default policy)', () => {
    let strict: OutboundHttpClient;
    beforeAll(() => {
      strict = new OutboundHttpClient({ ca: server.ca, timeoutMs: 3000 });
    });

    it.each([
      ['literal IPv4', (port: number) => `https://127.0.0.1:${port}/jwks`, 'points to 127.0.0.1'],
      ['literal IPv6', (port: number) => `https://[::1]:${port}/jwks`, 'points to ::1'],
      ['IPv4-mapped IPv6', (port: number) => `https://[::ffff:127.0.0.1]:${port}/jwks`, 'IPv4-mapped IPv6 form of 127.0.0.1'],
      ['decimal IPv4', (port: number) => `https://2130706433:${port}/jwks`, 'points to 127.0.0.1'],
      ['hex IPv4', (port: number) => `https://0x7f.0.0.1:${port}/jwks`, 'points to 127.0.0.1'],
      ['a name resolving to loopback', (port: number) => `https://localhost:${port}/jwks`, 'https://localhost:PORT/jwks resolved to '],
    ])('refuses %s before sending anything', async (_, url, message) => {
      const before = server.requests.length;

      const err = await refusal(strict.get(`${url(server.port)}${SECRET}`), 'blocked_address');

      expect(err.message).toContain(message.replace('PORT', String(server.port)));
      expect(err.message).toContain('outbound requests to private and special-purpose addresses are refused');
      expect(server.requests.length).toBe(before);
    });

    it('refuses the metadata address without waiting for a connection', async () => {
      const err = await refusal(strict.get(`https://169.254.169.254/latest/meta-data/${SECRET}`), 'blocked_address');
      // "points to" is the refusal of the URL itself, before any socket is opened (a refusal after
      // connecting says "connected to"); it used to be inferred from a duration, which a loaded
      // machine can stretch.
      expect(err.message).toContain('points to 169.254.169.254, a link-local address');
    });

    it('refuses through fetch as well', async () => {
      await refusal(strict.fetch(`https://localhost:${server.port}/jwks`), 'blocked_address');
    });
  });

  describe('redirects', () => {
    it.each([301, 302, 303, 307, 308])('returns %i as an error and does not follow it', async (status) => {
      server.route(`/redirect-${status}`, { status, headers: { location: `/jwks${SECRET}` } });
      const before = server.requests.length;

      const err = await refusal(client.get(`${server.url}/redirect-${status}${SECRET}`), 'redirect');

      expect(err.message).toBe(`${server.url}/redirect-${status} answered ${status}, a redirect to ${server.url}/jwks; redirects are not followed`);
      expect(server.requests.length).toBe(before + 1);
    });

    it('names the target without its credentials or query string', async () => {
      const err = await refusal(client.get(`${server.url}/elsewhere`), 'redirect');
      expect(err.message).toContain('to https://other.example/x;');
      expect(err.message).not.toContain('alice');
    });

    it('fetch rejects a redirect whatever init.redirect says', async () => {
      await refusal(client.fetch(`${server.url}/moved`), 'redirect');
      await refusal(client.fetch(`${server.url}/moved`, { redirect: 'follow' }), 'redirect');
      await refusal(client.fetch(`${server.url}/moved`, { redirect: 'manual' }), 'redirect');
    });
  });

  describe('timeouts', () => {
    const quick = () => new OutboundHttpClient({ ca: server.ca, allowPrivateAddresses: true, timeoutMs: 300 });

    // What shows that the client gave up is its own timeout error and the connection it closed,
    // not how long that took (a duration bound fails on a loaded machine; Jest bounds a hang).
    it('gives up on a server that never answers', async () => {
      const before = closedByClient.length;
      const err = await refusal(quick().get(`${server.url}/silent${SECRET}`), 'timeout');
      expect(err.message).toBe(`${server.url}/silent did not answer within 300 ms (DNS, connect, TLS, headers and body)`);
      await eventually(() => expect(closedByClient.slice(before)).toEqual(['/silent']));
    });

    it('the deadline covers the body: a server trickling bytes is cut off', async () => {
      const before = closedByClient.length;
      await refusal(quick().get(`${server.url}/trickle`), 'timeout');
      await eventually(() => expect(closedByClient.slice(before)).toEqual(['/trickle']));
    });

    describe('against a TCP server that accepts and never speaks TLS', () => {
      let tcp: TcpServer;
      const sockets = new Set<Socket>();
      beforeAll(async () => {
        tcp = createTcpServer((socket) => {
          sockets.add(socket);
        });
        await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
      });
      afterAll(async () => {
        for (const socket of sockets) socket.destroy();
        await new Promise((resolve) => tcp.close(resolve));
      });

      it('the deadline covers the TLS handshake', async () => {
        const { port } = tcp.address() as AddressInfo;
        await refusal(quick().get(`https://127.0.0.1:${port}/`), 'timeout');
        // The client did connect (the deadline then covered the handshake). The server may accept
        // the connection only after the client's timer fired, if the process was paused meanwhile.
        await eventually(() => expect(sockets.size).toBeGreaterThan(0));
      });
    });
  });

  describe('body size', () => {
    const limited = () => new OutboundHttpClient({ ca: server.ca, allowPrivateAddresses: true, maxBodyBytes: 1000 });

    it('refuses a Content-Length above the limit', async () => {
      const err = await refusal(limited().get(`${server.url}/big-declared${SECRET}`), 'too_large');
      expect(err.message).toBe(`${server.url}/big-declared announced a body of 2000 bytes; the limit is 1000 bytes`);
    });

    it('stops a streamed body (no Content-Length) once it passes the limit', async () => {
      const err = await refusal(limited().get(`${server.url}/big-streamed`, { maxBodyBytes: 4096 }), 'too_large');
      expect(err.message).toContain('sent a body of more than 4096 bytes');
    });

    it('accepts a body exactly at the limit, and a per-call limit overrides the client one', async () => {
      expect((await limited().get(`${server.url}/exactly-1000`)).body.length).toBe(1000);
      expect((await limited().get(`${server.url}/big-declared`, { maxBodyBytes: 2000 })).body.length).toBe(2000);
      await refusal(client.get(`${server.url}/exactly-1000`, { maxBodyBytes: 999 }), 'too_large');
    });
  });

  describe('TLS', () => {
    it('refuses a certificate it does not trust (no ca: the default trust store)', async () => {
      const untrusting = new OutboundHttpClient({ allowPrivateAddresses: true });
      const before = server.requests.length;

      const err = await refusal(untrusting.get(`${server.url}/jwks${SECRET}`), 'tls');

      expect(err.message).toContain(`${server.url}/jwks: the TLS connection failed`);
      expect(server.requests.length).toBe(before);
    });

    it('refuses it even when NODE_TLS_REJECT_UNAUTHORIZED=0 is set', async () => {
      const previous = process.env['NODE_TLS_REJECT_UNAUTHORIZED'];
      const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
      process.env['NODE_TLS_REJECT_UNAUTHORIZED'] = '0';
      try {
        await refusal(new OutboundHttpClient({ allowPrivateAddresses: true }).get(`${server.url}/jwks`), 'tls');
      } finally {
        if (previous === undefined) delete process.env['NODE_TLS_REJECT_UNAUTHORIZED'];
        else process.env['NODE_TLS_REJECT_UNAUTHORIZED'] = previous;
        warn.mockRestore();
      }
    });
  });

  describe('plain http and connection errors', () => {
    let plain: HttpServer;
    let plainUrl: string;
    let hits = 0;
    beforeAll(async () => {
      plain = createHttpServer((_req, res) => {
        hits++;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"ok":true}');
      });
      await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
      plainUrl = `http://127.0.0.1:${(plain.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      plain.closeAllConnections();
      await new Promise((resolve) => plain.close(resolve));
    });

    it('refuses http by default, even to an allowed address', async () => {
      const err = await refusal(client.get(`${plainUrl}/doc${SECRET}`), 'bad_scheme');
      expect(err.message).toBe(`${plainUrl}/doc is refused: outbound requests must use https`);
      expect(hits).toBe(0);
    });

    it('allows http with allowHttp (loopback still needs allowPrivateAddresses)', async () => {
      await refusal(new OutboundHttpClient({ allowHttp: true }).get(`${plainUrl}/doc`), 'blocked_address');
      const loopback = new OutboundHttpClient({ allowHttp: true, allowPrivateAddresses: true });
      expect(await loopback.getJson(`${plainUrl}/doc`)).toEqual({ ok: true });
      expect(hits).toBe(1);
    });

    it('reports a refused connection as a network error', async () => {
      const closed = createTcpServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const { port } = closed.address() as AddressInfo;
      await new Promise((resolve) => closed.close(resolve));

      const err = await refusal(client.get(`https://127.0.0.1:${port}/jwks${SECRET}`), 'network');
      expect(err.message).toContain('ECONNREFUSED');
    });
  });

  describe('fetch', () => {
    it('GETs', async () => {
      const response = await client.fetch(`${server.url}/jwks`);

      expect(response).toBeInstanceOf(Response);
      expect(response.ok).toBe(true);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/json');
      expect(response.url).toBe(`${server.url}/jwks`);
      expect(await response.json()).toEqual({ keys: [{ kty: 'EC', kid: 'k1' }] });
    });

    it('POSTs a form body the way openid-client calls customFetch', async () => {
      const response = await client.fetch(`${server.url}/echo`, {
        method: 'POST',
        headers: { accept: 'application/json', authorization: 'Basic Y2xpZW50OnNlY3JldA==' },
        body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'openid' }),
        redirect: 'manual',
      });

      expect(response.status).toBe(201);
      expect(response.headers.get('x-echo')).toBe('yes');
      expect(await response.json()).toEqual({
        method: 'POST',
        contentType: 'application/x-www-form-urlencoded;charset=UTF-8',
        body: 'grant_type=client_credentials&scope=openid',
      });
      expect(server.requests[server.requests.length - 1].headers['authorization']).toBe('Basic Y2xpZW50OnNlY3JldA==');
    });

    it('takes a Request object and returns non-2xx and empty answers as Responses', async () => {
      const request = new Request(`${server.url}/echo`, { method: 'POST', body: 'hello', headers: { 'content-type': 'text/plain' } });
      expect(await (await client.fetch(request)).json()).toMatchObject({ method: 'POST', body: 'hello', contentType: 'text/plain' });
      expect((await client.fetch(`${server.url}/missing`)).status).toBe(404);
      const empty = await client.fetch(`${server.url}/no-content`);
      expect(empty.status).toBe(204);
      expect(empty.body).toBeNull();
    });

    it('aborts with the signal', async () => {
      const controller = new AbortController();
      const pending = client.fetch(`${server.url}/silent`, { signal: controller.signal });
      setTimeout(() => controller.abort(), 50);
      await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    });
  });
});
