export {
  METRICS_PATH,
  MetricsRegistry,
  type GaugeLabels,
  type GaugeSource,
  type HistogramConfig,
  type MetricConfig,
  type MetricsLogger,
  type MetricsRegistryOptions,
} from './metrics-registry';
export { HTTP_DURATION_BUCKETS, HttpMetrics, UNMATCHED_ROUTE, type AnsweredRequest } from './http-metrics';
export { METRICS_ENDPOINT_OPTIONS, MetricsController, type MetricsEndpointOptions } from './metrics.controller';
