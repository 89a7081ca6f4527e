import { MetricsRegistry } from './metrics-registry';

const PENDING = { name: 'test_outbox_pending', help: 'Unpublished rows.', labelNames: ['outbox'] as const };

function debugLog() {
  const entries: Array<{ fields: Record<string, unknown>; message: string }> = [];
  return { entries, logger: { debug: (fields: Record<string, unknown>, message: string) => void entries.push({ fields, message }) } };
}

async function values(metrics: MetricsRegistry, name: string) {
  const metric = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === name);
  return metric?.values.map((v) => ({ labels: v.labels, value: v.value }));
}

describe('MetricsRegistry', () => {
  it('labels every series with the service, including the process metrics shared by all registries', async () => {
    const a = new MetricsRegistry({ service: 'token-service' });
    const b = new MetricsRegistry({ service: 'auth-service' });

    const [textA, textB] = await Promise.all([a.metrics(), b.metrics()]);

    expect(textA).toMatch(/^process_cpu_user_seconds_total\{service="token-service"\} /m);
    expect(textB).toMatch(/^process_cpu_user_seconds_total\{service="auth-service"\} /m);
    expect(textA).not.toContain('auth-service');
    expect(a.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
  });

  it('gives the same counter for the same name, and refuses the name with other labels or another type', () => {
    const metrics = new MetricsRegistry({ service: 's' });
    const first = metrics.counter({ name: 'test_events_total', help: 'h', labelNames: ['event'] });

    expect(metrics.counter({ name: 'test_events_total', help: 'h', labelNames: ['event'] })).toBe(first);
    expect(() => metrics.counter({ name: 'test_events_total', help: 'h', labelNames: ['queue'] })).toThrow(/already registered with the labels \(event\)/);
    expect(() => metrics.histogram({ name: 'test_events_total', help: 'h', labelNames: ['event'], buckets: [1] })).toThrow(/another type/);
  });

  it('reads gauge sources at scrape time, each scrape afresh, from every source of the gauge', async () => {
    const metrics = new MetricsRegistry({ service: 's' });
    let tokenRows = 3;
    metrics.addGaugeSource(PENDING, { name: 'token', read: async (set) => set({ outbox: 'token-service' }, tokenRows) });
    const removeAuth = metrics.addGaugeSource(PENDING, { name: 'auth', read: async (set) => set({ outbox: 'auth-service' }, 1) });

    expect(await values(metrics, PENDING.name)).toEqual(
      expect.arrayContaining([
        { labels: { outbox: 'token-service', service: 's' }, value: 3 },
        { labels: { outbox: 'auth-service', service: 's' }, value: 1 },
      ]),
    );

    tokenRows = 0;
    removeAuth();
    expect(await values(metrics, PENDING.name)).toEqual([{ labels: { outbox: 'token-service', service: 's' }, value: 0 }]);
  });

  it('leaves a failing source out of the scrape, logs it at debug, and serves the rest', async () => {
    const { entries, logger } = debugLog();
    const metrics = new MetricsRegistry({ service: 's', logger });
    metrics.addGaugeSource(PENDING, { name: 'healthy', read: async (set) => set({ outbox: 'auth-service' }, 2) });
    metrics.addGaugeSource(PENDING, {
      name: 'outbox of token-service',
      read: async () => {
        throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
      },
    });

    const text = await metrics.metrics();

    expect(text).toContain('test_outbox_pending{outbox="auth-service",service="s"} 2');
    expect(text).not.toContain('outbox="token-service"');
    expect(text).toMatch(/^process_resident_memory_bytes\{service="s"\} /m);
    expect(entries).toEqual([
      {
        fields: { metric: 'test_outbox_pending', source: 'outbox of token-service', err: 'connect ECONNREFUSED 127.0.0.1:5432' },
        message: 'metrics source failed; left out of this scrape',
      },
    ]);
  });

  it('does not wait for a source that hangs longer than the timeout, and ignores its late answer', async () => {
    const { entries, logger } = debugLog();
    const metrics = new MetricsRegistry({ service: 's', logger, sourceTimeoutMs: 50 });
    let answer!: () => void;
    metrics.addGaugeSource(PENDING, {
      name: 'stalled database',
      read: (set) =>
        new Promise<void>((resolve) => {
          answer = () => {
            set({ outbox: 'late' }, 9);
            resolve();
          };
        }),
    });

    expect(await values(metrics, PENDING.name)).toEqual([]);
    expect(entries.map((e) => e.fields['err'])).toEqual(['no answer within 50 ms']);

    answer();
    await new Promise((resolve) => setImmediate(resolve));
    expect(await metrics.registry.getSingleMetricAsString(PENDING.name)).not.toContain('late');
  });
});
