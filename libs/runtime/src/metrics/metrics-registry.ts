import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry, type Metric } from 'prom-client';

/** Where every process serves its metrics: on the internal listener only (see http-app.ts). */
export const METRICS_PATH = '/metrics';

/** How long one scrape-time source may take before the scrape goes on without it. */
const DEFAULT_SOURCE_TIMEOUT_MS = 2000;

/** The part of a logger the registry uses (the platform's pino logger fits). */
export interface MetricsLogger {
  debug(fields: Record<string, unknown>, message: string): void;
}

export interface MetricsRegistryOptions {
  /** The `service` label of every series: the launch name (`token-service`, `platform`, ...). */
  service: string;
  /** Collector failures are logged here, at debug. */
  logger?: MetricsLogger;
  /** How long a gauge source may take at scrape time (default 2 s). */
  sourceTimeoutMs?: number;
}

export interface MetricConfig<L extends string> {
  name: string;
  help: string;
  labelNames?: readonly L[];
}

export interface HistogramConfig<L extends string> extends MetricConfig<L> {
  buckets: number[];
}

export type GaugeLabels<L extends string> = Partial<Record<L, string>>;

/**
 * A reading of one gauge at scrape time, e.g. one service's outbox. `set` may be called for
 * several label sets; a source that throws or times out keeps what it set before that.
 */
export interface GaugeSource<L extends string> {
  /** Names the source in the debug log when it fails (`outbox of token-service`). */
  name: string;
  read(set: (labels: GaugeLabels<L>, value: number) => void): Promise<void>;
}

/**
 * The process's Prometheus registry: one per application (tests start several applications in
 * one process, so never prom-client's global registry), provided by RuntimeModule. Every series
 * carries the `service` label. Modules ask it for their counters and histograms (the same name
 * gives the same metric, so that the services of the embedded platform share one), and feed
 * gauges that are computed at scrape time from sources (queries, queue sizes), never by timers.
 */
export class MetricsRegistry {
  readonly registry = new Registry();
  private readonly gauges = new Map<string, ScrapeGauge>();
  private readonly sourceTimeoutMs: number;

  constructor(private readonly options: MetricsRegistryOptions) {
    this.sourceTimeoutMs = options.sourceTimeoutMs ?? DEFAULT_SOURCE_TIMEOUT_MS;
    this.registry.setDefaultLabels({ service: options.service });
    for (const metric of processMetrics()) this.registry.registerMetric(metric);
  }

  get service(): string {
    return this.options.service;
  }

  /** The `content-type` of `metrics()`: Prometheus text exposition format 0.0.4. */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** The exposition: every metric, scrape-time gauges read now. Never rejects for a failing source. */
  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  counter<L extends string>(config: MetricConfig<L>): Counter<L> {
    return this.getOrCreate(config, Counter, () => new Counter({ ...config, labelNames: config.labelNames ?? [], registers: [this.registry] }));
  }

  histogram<L extends string>(config: HistogramConfig<L>): Histogram<L> {
    return this.getOrCreate(config, Histogram, () => new Histogram({ ...config, labelNames: config.labelNames ?? [], registers: [this.registry] }));
  }

  /**
   * Adds a source to the gauge `config.name` (created on first use). At each scrape the gauge is
   * emptied and every source of it is read, concurrently; a source that fails (its database is
   * down) or takes longer than the timeout is logged at debug and left out, and the scrape goes
   * on with the rest. Returns the remover (for a module that stops).
   */
  addGaugeSource<L extends string>(config: MetricConfig<L>, source: GaugeSource<L>): () => void {
    let gauge = this.gauges.get(config.name);
    if (!gauge) {
      gauge = new ScrapeGauge(config, this.registry, this.sourceTimeoutMs, this.options.logger);
      this.gauges.set(config.name, gauge);
    } else {
      assertSameLabels(config, gauge.labelNames);
    }
    return gauge.add(source as GaugeSource<string>);
  }

  private getOrCreate<M extends Metric<string>>(config: MetricConfig<string>, type: abstract new (...args: never[]) => M, create: () => M): M {
    const existing = this.registry.getSingleMetric(config.name);
    if (existing === undefined) return create();
    if (!(existing instanceof type)) throw new Error(`Metric ${config.name} is already registered as another type`);
    assertSameLabels(config, (existing as unknown as { labelNames: string[] }).labelNames);
    return existing;
  }
}

function assertSameLabels(config: MetricConfig<string>, labelNames: readonly string[]) {
  const wanted = [...(config.labelNames ?? [])].sort().join(',');
  if (wanted !== [...labelNames].sort().join(',')) {
    throw new Error(`Metric ${config.name} is already registered with the labels (${labelNames.join(', ')})`);
  }
}

class ScrapeGauge {
  private readonly sources = new Set<GaugeSource<string>>();
  readonly labelNames: readonly string[];
  private readonly name: string;

  constructor(
    config: MetricConfig<string>,
    registry: Registry,
    private readonly timeoutMs: number,
    private readonly logger?: MetricsLogger,
  ) {
    this.labelNames = config.labelNames ?? [];
    this.name = config.name;
    const read = (gauge: Gauge<string>) => this.read(gauge);
    new Gauge({
      name: config.name,
      help: config.help,
      labelNames: this.labelNames,
      registers: [registry],
      collect() {
        return read(this);
      },
    });
  }

  add(source: GaugeSource<string>): () => void {
    this.sources.add(source);
    return () => void this.sources.delete(source);
  }

  private async read(gauge: Gauge<string>): Promise<void> {
    gauge.reset();
    await Promise.all([...this.sources].map((source) => this.readOne(gauge, source)));
  }

  private async readOne(gauge: Gauge<string>, source: GaugeSource<string>): Promise<void> {
    // A source that answers after its timeout must not write into this scrape's (or the next one's) values.
    let open = true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
      timer.unref();
    });
    const reading = source.read((labels, value) => {
      if (open) gauge.set(labels, value);
    });
    reading.catch(() => undefined);
    try {
      await Promise.race([reading, timeout]);
    } catch (err) {
      this.logger?.debug({ metric: this.name, source: source.name, err: err instanceof Error ? err.message : String(err) }, 'metrics source failed; left out of this scrape');
    } finally {
      open = false;
      clearTimeout(timer);
    }
  }
}

let defaults: Metric<string>[] | undefined;

/**
 * The process metrics (CPU, memory, event loop lag, GC, handles), made once per process and
 * shared by every registry: they describe the process, not an application, and each set keeps
 * an event-loop monitor and a GC observer running for the life of the process, which tests
 * starting dozens of applications in one Jest worker must not multiply.
 */
function processMetrics(): Metric<string>[] {
  if (!defaults) {
    const holder = new Registry();
    collectDefaultMetrics({ register: holder });
    defaults = holder.getMetricsAsArray() as unknown as Metric<string>[];
  }
  return defaults;
}
