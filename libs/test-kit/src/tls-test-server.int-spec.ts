import { request } from 'node:https';
import { eventually } from './engines';
import { startTlsTestServer, type TlsTestServer } from './tls-test-server';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function call(url: string, options: { ca?: string; method?: string; body?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', ca: options.ca, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('startTlsTestServer', () => {
  let server: TlsTestServer;

  beforeEach(async () => {
    server = await startTlsTestServer({
      '/doc.json': { body: { redirect_uris: ['https://rp.example/cb'] } },
      '/text': { status: 202, headers: { 'x-test': '1' }, body: 'hello' },
      '/echo': (req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end(`${req.method} ${req.url} ${req.body.toString()}`);
      },
      '/boom': () => {
        throw new Error('handler bug');
      },
    });
  });

  afterEach(async () => {
    await server.close();
  });

  it('serves fixed JSON replies over https on 127.0.0.1, trusted through `ca`', async () => {
    expect(server.url).toBe(`https://127.0.0.1:${server.port}`);

    const answer = await call(`${server.url}/doc.json?x=1`, { ca: server.ca });

    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('application/json');
    expect(answer.headers['content-length']).toBe(String(answer.body.length));
    expect(JSON.parse(answer.body)).toEqual({ redirect_uris: ['https://rp.example/cb'] });
  });

  it('has a certificate valid for localhost as well', async () => {
    const answer = await call(`https://localhost:${server.port}/text`, { ca: server.ca });
    expect(answer).toMatchObject({ status: 202, body: 'hello', headers: { 'x-test': '1' } });
  });

  it('is not trusted without its CA', async () => {
    await expect(call(`${server.url}/text`)).rejects.toMatchObject({ code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
  });

  it('runs handlers with the request body, records requests, answers 404 and 500', async () => {
    expect((await call(`${server.url}/echo?q=1`, { ca: server.ca, method: 'POST', body: 'payload' })).body).toBe('POST /echo?q=1 payload');
    expect((await call(`${server.url}/nope`, { ca: server.ca })).status).toBe(404);
    expect((await call(`${server.url}/boom`, { ca: server.ca })).status).toBe(500);

    expect(server.requests.map((r) => [r.method, r.path, r.body.toString()])).toEqual([
      ['POST', '/echo', 'payload'],
      ['GET', '/nope', ''],
      ['GET', '/boom', ''],
    ]);
  });

  it('takes routes added later, and closes even with a request left unanswered', async () => {
    server.route('/later', { body: 'late' });
    server.route('/never', () => undefined);
    expect((await call(`${server.url}/later`, { ca: server.ca })).body).toBe('late');

    const hanging = call(`${server.url}/never`, { ca: server.ca });
    // Closed once the request is in (not after a fixed 100 ms, which a loaded machine can spend
    // before the request arrives, and the test would then close a server with nothing unanswered).
    await eventually(() => expect(server.requests.map((r) => r.path)).toContain('/never'));
    await server.close();

    await expect(hanging).rejects.toThrow();
  });
});
