import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Controller, Get, Module, Param } from '@nestjs/common';
import pino from 'pino';
import { platformConfigSchema, toPlatformConfig } from '../config/platform-config';
import { createHttpApp, type RunningHttpApp } from '../http/http-app';
import { RuntimeModule } from '../runtime.module';
import { randomSecret } from '../secrets/data-dir-secrets';
import { MetricsRegistry } from './metrics-registry';

/** Stand-ins for service routes: a static one and a parametric one. */
@Controller()
class ServicesStandIn {
  @Get('oauth2/authorize')
  authorize() {
    return { ok: true };
  }

  @Get('things/:id')
  thing(@Param('id') id: string) {
    return { id };
  }

  @Get('boom')
  boom(): never {
    throw new Error('a bug');
  }
}

interface App {
  running: RunningHttpApp;
  close(): Promise<void>;
}

async function startApp(env: Record<string, string> = {}, service = 'token-service'): Promise<App> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-metrics-'));
  const config = toPlatformConfig(platformConfigSchema.parse({ TESSERA_DATA_DIR: dataDir, ...env }));
  const logger = pino({ level: 'silent' });

  @Module({
    imports: [RuntimeModule.forRoot({ config, logger, masterKey: randomSecret(32), service })],
    controllers: [ServicesStandIn],
  })
  class RootModule {}

  const { listen } = await createHttpApp(RootModule, { logger });
  const running = await listen({ host: '127.0.0.1', port: 0, internalHost: '127.0.0.1', internalPort: 0 });
  return {
    running,
    async close() {
      await running.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The value of one series in an exposition, by its exact label set (in any order). */
function sample(exposition: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of exposition.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.keys(labels).length === Object.keys(found).length && Object.entries(labels).every(([k, v]) => found[k] === v)) return Number(match[3]);
  }
  return undefined;
}

describe('GET /metrics', () => {
  describe('without TESSERA_METRICS_TOKEN', () => {
    let app: App;
    beforeAll(async () => {
      app = await startApp();
    });
    afterAll(() => app.close());

    it('serves the Prometheus text format on the internal listener, with the process metrics', async () => {
      const res = await fetch(`${app.running.internalUrl}/metrics`);

      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
      expect(res.headers.get('cache-control')).toBe('no-store');
      const text = await res.text();
      expect(text).toContain('# TYPE tessera_http_requests_total counter');
      expect(text).toContain('# TYPE tessera_http_request_duration_seconds histogram');
      expect(sample(text, 'process_resident_memory_bytes', { service: 'token-service' })).toBeGreaterThan(0);
      expect(text).toMatch(/^nodejs_eventloop_lag_seconds\{service="token-service"\} /m);
    });

    it('answers 404 on the public listener, as any unknown path, with or without a query', async () => {
      for (const path of ['/metrics', '/metrics?format=prometheus']) {
        const res = await fetch(`${app.running.publicUrl}${path}`);

        expect(res.status).toBe(404);
        expect(await res.json()).toEqual({ error: 'not_found', error_description: 'No such endpoint.' });
      }
      const head = await fetch(`${app.running.publicUrl}/metrics`, { method: 'HEAD' });
      expect(head.status).toBe(404);
    });

    it('counts a public request under its route pattern, with its status and duration', async () => {
      const before = await (await fetch(`${app.running.internalUrl}/metrics`)).text();
      const labels = { service: 'token-service', method: 'GET', route: '/things/:id', status: '200' };
      const counted = sample(before, 'tessera_http_requests_total', labels) ?? 0;

      expect((await fetch(`${app.running.publicUrl}/things/abc-123`)).status).toBe(200);
      expect((await fetch(`${app.running.publicUrl}/things/def-456`)).status).toBe(200);

      const after = await (await fetch(`${app.running.internalUrl}/metrics`)).text();
      expect(sample(after, 'tessera_http_requests_total', labels)).toBe(counted + 2);
      expect(sample(after, 'tessera_http_request_duration_seconds_count', { service: 'token-service', method: 'GET', route: '/things/:id' })).toBe(counted + 2);
      expect(sample(after, 'tessera_http_request_duration_seconds_bucket', { service: 'token-service', method: 'GET', route: '/things/:id', le: '5' })).toBe(counted + 2);
      expect(after).not.toContain('abc-123');
      expect(after).not.toContain('def-456');
    });

    it('never puts a URL query (a code, a challenge) in a label, and files unknown paths under `unmatched`', async () => {
      expect((await fetch(`${app.running.publicUrl}/oauth2/authorize?code=secret-value&state=s3cret-state`)).status).toBe(200);
      expect((await fetch(`${app.running.publicUrl}/no/such/secret-value-path?code=secret-value`)).status).toBe(404);

      const text = await (await fetch(`${app.running.internalUrl}/metrics`)).text();
      expect(text).not.toContain('secret-value');
      expect(text).not.toContain('s3cret-state');
      expect(sample(text, 'tessera_http_requests_total', { service: 'token-service', method: 'GET', route: '/oauth2/authorize', status: '200' })).toBe(1);
      expect(sample(text, 'tessera_http_requests_total', { service: 'token-service', method: 'GET', route: 'unmatched', status: '404' })).toBeGreaterThanOrEqual(1);
    });

    it('counts 5xx and refused requests by their status code', async () => {
      expect((await fetch(`${app.running.publicUrl}/boom`)).status).toBe(500);
      expect((await fetch(`${app.running.publicUrl}/metrics`)).status).toBe(404);

      const text = await (await fetch(`${app.running.internalUrl}/metrics`)).text();
      expect(sample(text, 'tessera_http_requests_total', { service: 'token-service', method: 'GET', route: '/boom', status: '500' })).toBe(1);
      // The public refusal of /metrics is counted under its pattern, like any other 404.
      expect(sample(text, 'tessera_http_requests_total', { service: 'token-service', method: 'GET', route: '/metrics', status: '404' })).toBeGreaterThanOrEqual(1);
      expect(sample(text, 'tessera_http_requests_total', { service: 'token-service', method: 'GET', route: '/metrics', status: '200' })).toBeGreaterThanOrEqual(1);
    });

    it('has one registry per application: two applications in one process do not share counts', async () => {
      const other = await startApp({}, 'auth-service');
      try {
        await fetch(`${other.running.publicUrl}/oauth2/authorize`);
        const mine = other.running.app.get(MetricsRegistry);
        expect(mine).not.toBe(app.running.app.get(MetricsRegistry));

        const text = await (await fetch(`${other.running.internalUrl}/metrics`)).text();
        expect(sample(text, 'tessera_http_requests_total', { service: 'auth-service', method: 'GET', route: '/oauth2/authorize', status: '200' })).toBe(1);
        expect(text).not.toContain('service="token-service"');
        expect(sample(text, 'process_resident_memory_bytes', { service: 'auth-service' })).toBeGreaterThan(0);
      } finally {
        await other.close();
      }
    });
  });

  describe('with TESSERA_METRICS_TOKEN', () => {
    const token = `tsr_metrics_${'k'.repeat(32)}`;
    let app: App;
    beforeAll(async () => {
      app = await startApp({ TESSERA_METRICS_TOKEN: token });
    });
    afterAll(() => app.close());

    it('answers 401 with a Bearer challenge without the token', async () => {
      const res = await fetch(`${app.running.internalUrl}/metrics`);

      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="tessera-metrics"');
      const body = await res.text();
      expect(JSON.parse(body)).toMatchObject({ error: 'invalid_token' });
      expect(body).not.toContain('tessera_');
    });

    it.each([
      ['a wrong token', `Bearer ${token.slice(0, -1)}x`],
      ['a longer token', `Bearer ${token}x`],
      ['the token in another scheme', `Basic ${token}`],
      ['an empty bearer', 'Bearer '],
    ])('answers 401 to %s', async (_, authorization) => {
      const res = await fetch(`${app.running.internalUrl}/metrics`, { headers: { authorization } });

      expect(res.status).toBe(401);
      expect(await res.text()).not.toContain('tessera_http');
    });

    it('serves the metrics with the right token', async () => {
      const res = await fetch(`${app.running.internalUrl}/metrics`, { headers: { authorization: `Bearer ${token}` } });

      expect(res.status).toBe(200);
      expect(await res.text()).toContain('tessera_http_requests_total');
    });

    it('still answers 404 on the public listener, even with the right token', async () => {
      const res = await fetch(`${app.running.publicUrl}/metrics`, { headers: { authorization: `Bearer ${token}` } });

      expect(res.status).toBe(404);
    });
  });
});
