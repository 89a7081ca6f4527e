import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingHttpHeaders, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A request as the test server received it (body read in full). */
export interface TlsTestRequest {
  method: string;
  /** Path and query string, as sent. */
  url: string;
  /** Path without the query string (what routes are matched on). */
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** Answers a request; the server answers 500 if it throws. It may also never answer (timeout tests). */
export type TlsTestHandler = (request: TlsTestRequest, response: ServerResponse) => void | Promise<void>;

/** A fixed answer. A `body` that is not a string or Buffer is sent as JSON (`application/json`). */
export interface TlsTestReply {
  status?: number;
  headers?: OutgoingHttpHeaders;
  body?: string | Buffer | object;
}

export interface TlsTestServer {
  /** `https://127.0.0.1:<port>`, no trailing slash. */
  readonly url: string;
  readonly port: number;
  /** PEM of the CA that signed the server certificate (for `localhost`, 127.0.0.1 and ::1): pass it as `ca`. */
  readonly ca: string;
  /** Every request received, in order. */
  readonly requests: TlsTestRequest[];
  /** Registers (or replaces) the answer for a path (matched without the query string). Unknown paths get 404. */
  route(path: string, answer: TlsTestHandler | TlsTestReply): void;
  /** Stops the server and destroys open connections, including ones a handler never answered. Idempotent. */
  close(): Promise<void>;
}

interface Certificate {
  key: string;
  cert: string;
  ca: string;
}

let certificate: Certificate | undefined;

/**
 * A throwaway CA and a leaf certificate for localhost / 127.0.0.1 / ::1, made with the openssl CLI
 * in a temporary directory (deleted afterwards). Generated once per test process.
 */
export function testCertificate(): Certificate {
  if (certificate) return certificate;
  const dir = mkdtempSync(join(tmpdir(), 'tessera-tls-'));
  const openssl = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  try {
    openssl(['req', '-x509', ...ecKey, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=Tessera throwaway test CA',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
    openssl(['req', ...ecKey, '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', '/CN=localhost']);
    writeFileSync(
      join(dir, 'leaf.ext'),
      [
        'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1',
        'basicConstraints=critical,CA:FALSE',
        'keyUsage=critical,digitalSignature',
        'extendedKeyUsage=serverAuth',
        'authorityKeyIdentifier=keyid,issuer',
      ].join('\n'),
    );
    openssl(['x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-set_serial', `0x${randomBytes(8).toString('hex')}`,
      '-days', '2', '-extfile', 'leaf.ext', '-out', 'leaf.pem']);
    const read = (name: string) => readFileSync(join(dir, name), 'utf8');
    certificate = { key: read('leaf.key'), cert: read('leaf.pem'), ca: read('ca.pem') };
    return certificate;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function sendReply(response: ServerResponse, reply: TlsTestReply): void {
  const headers: OutgoingHttpHeaders = { ...reply.headers };
  let body: string | Buffer | undefined;
  if (typeof reply.body === 'string' || Buffer.isBuffer(reply.body)) {
    body = reply.body;
  } else if (reply.body !== undefined) {
    body = JSON.stringify(reply.body);
    if (!Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
  }
  if (body !== undefined && !Object.keys(headers).some((name) => name.toLowerCase() === 'content-length')) {
    headers['content-length'] = Buffer.byteLength(body);
  }
  response.writeHead(reply.status ?? 200, headers);
  response.end(body);
}

/**
 * An HTTPS server on 127.0.0.1 (random port) with a throwaway certificate, for tests that make
 * the platform fetch something (`request_uri`, `sector_identifier_uri`, `jwks_uri`, …).
 *
 *   const server = await startTlsTestServer({ '/jwks': { body: { keys: [] } } });
 *   const client = new OutboundHttpClient({ ca: server.ca, allowPrivateAddresses: true });
 *   await client.getJson(`${server.url}/jwks`);
 *   await server.close();
 */
export async function startTlsTestServer(routes: Record<string, TlsTestHandler | TlsTestReply> = {}): Promise<TlsTestServer> {
  const { key, cert, ca } = testCertificate();
  const table = new Map(Object.entries(routes));
  const requests: TlsTestRequest[] = [];
  const sockets = new Set<Socket>();
  let closing: Promise<void> | undefined;

  const server = createServer({ key, cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = req.url ?? '/';
      const request: TlsTestRequest = {
        method: req.method ?? 'GET',
        url,
        path: url.split('?')[0],
        headers: req.headers,
        body: Buffer.concat(chunks),
      };
      requests.push(request);
      const answer = table.get(request.path);
      if (!answer) {
        sendReply(res, { status: 404, body: 'no route' });
      } else if (typeof answer === 'function') {
        Promise.resolve()
          .then(() => answer(request, res))
          .catch(() => {
            if (!res.headersSent) sendReply(res, { status: 500, body: 'handler failed' });
            else res.destroy();
          });
      } else {
        sendReply(res, answer);
      }
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `https://127.0.0.1:${port}`,
    port,
    ca,
    requests,
    route: (path, answer) => {
      table.set(path, answer);
    },
    close: () => {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };
}
