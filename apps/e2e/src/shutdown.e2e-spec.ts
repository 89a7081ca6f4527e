import { request } from 'node:http';
import { startPlatformProcess, type RunningPlatform } from '@tessera/test-kit';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * SIGTERM, as an orchestrator or a rolling restart sends it: the platform answers the request it
 * is in the middle of, closes its listeners and exits 0 (not 143, which supervisors count as a
 * failure).
 */
describe('shutting down on SIGTERM', () => {
  let platform: RunningPlatform;
  beforeAll(async () => {
    platform = await startPlatformProcess();
  });
  afterAll(() => platform?.stop());

  it('answers the request in flight, then exits 0 and listens no more', async () => {
    // A token request whose body is still arriving when the signal comes: in flight for sure.
    const body = 'grant_type=client_credentials&client_id=nobody&client_secret=nothing';
    const url = new URL(`${platform.issuer}/oauth2/token`);
    const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) } });
    const answered = new Promise<{ status: number; text: string }>((resolve, reject) => {
      req.on('response', (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on('error', reject);
    });
    req.write(body.slice(0, 20));
    await sleep(300);

    const ended = platform.terminate();
    await sleep(300);
    req.end(body.slice(20));

    const answer = await answered;
    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.text)).toMatchObject({ error: 'invalid_client' });
    expect(await ended).toEqual({ code: 0, signal: null });
    await expect(fetch(`${platform.issuer}/health/live`)).rejects.toThrow();
    expect(platform.output()).toContain('shutting down');
  });
});
