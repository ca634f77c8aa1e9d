/**
 * Traces: a workload that exports OpenTelemetry spans gets the standard `OTEL_*` SDK environment pointing at the
 * platform's Tempo (OTLP), an egress rule to Tempo's OTLP port, and the `tempo` add-on in `index.json`.
 */
import type { k8s } from 'cdk8s-plus-27';
import { TEMPO_OTLP } from '../contract';
import type { PropKeys } from '../core/known-props';
import type { PropValidator } from '../core/validate';
import type { EgressRule } from '../core/graph';

/** OTLP transports: gRPC (port 4317) or HTTP with protobuf bodies (port 4318). */
export type OtlpProtocol = 'grpc' | 'http/protobuf';

/** How a workload exports traces. */
export interface TracingOptions {
  /**
   * OTLP transport the workload's SDK uses (`OTEL_EXPORTER_OTLP_PROTOCOL`).
   * @default 'grpc'
   */
  readonly protocol?: OtlpProtocol;
  /**
   * Share of new traces sampled, between 0 and 1; a request that arrives with a sampling decision keeps it, so a
   * trace is never cut in the middle (`parentbased_traceidratio`).
   * @default 1 (every trace)
   */
  readonly sampleRatio?: number;
  /**
   * The `service.name` of the spans.
   * @default the workload name
   */
  readonly serviceName?: string;
}

/** Tracing after validation. */
export type ResolvedTracing = Required<TracingOptions>;

/** Environment variable the pod's name is read into, for the `k8s.pod.name` resource attribute. */
export const POD_NAME_ENV = 'OTEL_RESOURCE_ATTRIBUTES_POD_NAME';

const TRACING_KEYS: PropKeys<TracingOptions> = { protocol: true, sampleRatio: true, serviceName: true };
const PROTOCOLS: readonly OtlpProtocol[] = ['grpc', 'http/protobuf'];
const SERVICE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/** Validates the `tracing` prop of a workload; `undefined` when it exports no traces. */
export function resolveTracing(
  v: PropValidator,
  workload: string,
  tracing: boolean | TracingOptions | undefined,
): ResolvedTracing | undefined {
  if (tracing === undefined || tracing === false) return undefined;
  const options: TracingOptions = tracing === true ? {} : tracing;
  v.knownProps('tracing', options, TRACING_KEYS, 'tracing');
  const protocol = options.protocol ?? 'grpc';
  if (!PROTOCOLS.includes(protocol)) {
    v.fail('tracing.protocol', `${JSON.stringify(protocol)} is not an OTLP protocol`, 'use "grpc" or "http/protobuf"');
  }
  const sampleRatio = options.sampleRatio ?? 1;
  if (typeof sampleRatio !== 'number' || !(sampleRatio >= 0 && sampleRatio <= 1)) {
    v.fail('tracing.sampleRatio', `${String(sampleRatio)} is not a ratio`, 'use a number between 0 and 1, e.g. 0.1');
  }
  const serviceName = options.serviceName ?? workload;
  if (!SERVICE_NAME.test(serviceName)) {
    v.fail(
      'tracing.serviceName',
      `${JSON.stringify(serviceName)} is not a service name`,
      'use at most 63 letters, digits, ".", "_" and "-", starting with a letter or digit',
    );
  }
  return { protocol, sampleRatio, serviceName };
}

/** The egress a tracing workload needs: Tempo's pods, on the OTLP port of its protocol. */
export function tempoEgress(tracing: ResolvedTracing): EgressRule {
  return {
    to: { namespace: TEMPO_OTLP.namespace, podLabels: TEMPO_OTLP.podLabels },
    ports: [TEMPO_OTLP.ports[tracing.protocol]],
  };
}

/**
 * The OpenTelemetry SDK environment (names from the OpenTelemetry specification, read by every language's
 * SDK): service name and resource attributes (app, namespace, pod), the OTLP trace exporter and endpoint, the
 * sampler; the metrics and logs exporters are off, since Prometheus scrapes metrics and Loki collects logs.
 */
export function tracingEnv(tracing: ResolvedTracing, app: { name: string; namespace: string }): k8s.EnvVar[] {
  const endpoint = `http://${TEMPO_OTLP.service}.${TEMPO_OTLP.namespace}.svc.cluster.local:${TEMPO_OTLP.ports[tracing.protocol]}`;
  return [
    { name: POD_NAME_ENV, valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    { name: 'OTEL_SERVICE_NAME', value: tracing.serviceName },
    {
      name: 'OTEL_RESOURCE_ATTRIBUTES',
      value: `service.namespace=${app.name},k8s.namespace.name=${app.namespace},k8s.pod.name=$(${POD_NAME_ENV})`,
    },
    { name: 'OTEL_TRACES_EXPORTER', value: 'otlp' },
    { name: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: endpoint },
    { name: 'OTEL_EXPORTER_OTLP_PROTOCOL', value: tracing.protocol },
    { name: 'OTEL_TRACES_SAMPLER', value: 'parentbased_traceidratio' },
    { name: 'OTEL_TRACES_SAMPLER_ARG', value: String(tracing.sampleRatio) },
    { name: 'OTEL_METRICS_EXPORTER', value: 'none' },
    { name: 'OTEL_LOGS_EXPORTER', value: 'none' },
  ];
}
