import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Controller, Get, Module } from '@nestjs/common';
import { platformConfigSchema, toPlatformConfig } from '../config/platform-config';
import { createLogger } from '../logging/logger';
import { RuntimeModule } from '../runtime.module';
import { randomSecret } from '../secrets/data-dir-secrets';
import { createHttpApp } from './http-app';

@Controller()
class CallbackStandIn {
  @Get('callback')
  callback() {
    return { ok: true };
  }
}

/**
 * Serves one request at `level` and returns the log lines the platform's logger wrote, and how
 * many times the request hook called its `debug` (each call redacts the URL first).
 */
async function logLinesOf(level: string, path: string): Promise<{ lines: Array<Record<string, unknown>>; debugCalls: number }> {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const logger = createLogger(level, sink);
  const debug = jest.spyOn(logger, 'debug');
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-request-log-'));
  const config = toPlatformConfig(platformConfigSchema.parse({ TESSERA_DATA_DIR: dataDir }));

  @Module({
    imports: [RuntimeModule.forRoot({ config, logger, masterKey: randomSecret(32), service: 'token-service' })],
    controllers: [CallbackStandIn],
  })
  class RootModule {}

  const { listen } = await createHttpApp(RootModule, { logger });
  const running = await listen({ host: '127.0.0.1', port: 0, internalHost: '127.0.0.1', internalPort: 0 });
  try {
    expect((await fetch(`${running.publicUrl}${path}`)).status).toBe(200);
  } finally {
    await running.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return { lines, debugCalls: debug.mock.calls.length };
}

describe('the request log', () => {
  const path = '/callback?code=c0de-from-the-url&state=st4te&iss=x';

  it('logs each request at debug with the codes in its URL redacted', async () => {
    const { lines } = await logLinesOf('debug', path);
    const requests = lines.filter((line) => line['msg'] === 'request');

    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ status: 200, req: { method: 'GET' } });
    const url = (requests[0]['req'] as { url: string }).url;
    expect(url.startsWith('/callback?')).toBe(true);
    expect(url).not.toContain('c0de-from-the-url');
    expect(new URLSearchParams(url.split('?')[1]).get('code')).toBe('[redacted]');
    expect(JSON.stringify(requests)).not.toContain('c0de-from-the-url');
  });

  it('writes no request line at the default level, info, and does not build one', async () => {
    const { lines, debugCalls } = await logLinesOf('info', path);

    expect(lines.filter((line) => line['msg'] === 'request')).toEqual([]);
    expect(debugCalls).toBe(0);
    expect(JSON.stringify(lines)).not.toContain('c0de-from-the-url');
  });
});
