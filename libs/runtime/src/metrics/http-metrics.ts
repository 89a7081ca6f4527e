import type { Counter, Histogram } from 'prom-client';
import type { MetricsRegistry } from './metrics-registry';

/** Seconds: from a cached discovery document (~1 ms) to an argon2 login or a slow peer (5 s). */
export const HTTP_DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** The `route` of a request no route matched (Fastify's not-found handler). */
export const UNMATCHED_ROUTE = 'unmatched';

/** What one answered request is counted by. */
export interface AnsweredRequest {
  method: string;
  /** The matched route's pattern (`/oauth2/token`, `/admin/api/clients/:id`), undefined when none matched. */
  route: string | undefined;
  status: number;
  seconds: number;
}

/**
 * Request rates, statuses and latencies by route. The `route` label is the route's pattern,
 * never the URL: a URL carries query strings, codes, challenges and ids, which must not reach a
 * metrics store and would make the number of series unbounded. The set of patterns is fixed by
 * the code, and everything no route matched shares one `unmatched` series.
 *
 * `status` is the code, not its class (`2xx`): 400, 401, 404 and 429 are different signals for
 * an operator (bad clients, bad credentials, probing, throttling), the codes a route answers
 * with are few, and a class is still one regular expression away (`status=~"5.."`).
 */
export class HttpMetrics {
  private readonly requests: Counter<'method' | 'route' | 'status'>;
  private readonly duration: Histogram<'method' | 'route'>;

  constructor(metrics: MetricsRegistry) {
    this.requests = metrics.counter({
      name: 'tessera_http_requests_total',
      help: 'HTTP requests answered, by method, route pattern and status code.',
      labelNames: ['method', 'route', 'status'],
    });
    this.duration = metrics.histogram({
      name: 'tessera_http_request_duration_seconds',
      help: 'Time from receiving an HTTP request to the end of its response, by method and route pattern.',
      labelNames: ['method', 'route'],
      buckets: HTTP_DURATION_BUCKETS,
    });
  }

  observe(answered: AnsweredRequest): void {
    const route = answered.route ?? UNMATCHED_ROUTE;
    this.requests.inc({ method: answered.method, route, status: String(answered.status) });
    this.duration.observe({ method: answered.method, route }, answered.seconds);
  }
}
