// The folder's public names, listed one by one: its internals (resolve*, add*, render* builders and the
// types only they use) are imported by module path inside the package, not re-exported here.
export { DEFAULT_ALERT_THRESHOLDS, ALERT_NAMES, ALERT_SEVERITY } from './alerts';
export type { AlertThresholds, ResolvedAlertThresholds } from './alerts';
export { DEFAULT_HTTP_METRICS } from './signals';
export type { HttpMetricNames, ResolvedHttpMetrics } from './signals';
export type { OtlpProtocol, TracingOptions, ResolvedTracing } from './tracing';
