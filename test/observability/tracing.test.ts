import { Testing } from 'cdk8s';
import { Database, PlatformChart, Service, TEMPO_OTLP, Worker } from '../../platform';
import type { Obj } from '../helpers';
import { find, findings, newChart, synth } from '../helpers';
import { POD_NAME_ENV } from '../../platform/observability/tracing';

const IMAGE = 'ghcr.io/stefanprodan/podinfo:6.7.1';
const envOf = (objects: Obj[], name: string): Record<string, unknown> =>
  Object.fromEntries(
    find(objects, 'Deployment', name).spec.template.spec.containers[0].env.map(
      (e: { name: string; value?: string; valueFrom?: unknown }) => [e.name, e.value ?? e.valueFrom],
    ),
  );

describe('tracing', () => {
  test('sets the OpenTelemetry SDK environment for Tempo over OTLP/gRPC, sampling every trace', () => {
    const chart = newChart();
    new Service(chart, 'api', { image: IMAGE, port: 9898, tracing: true });
    expect(envOf(synth(chart), 'api')).toEqual({
      [POD_NAME_ENV]: { fieldRef: { fieldPath: 'metadata.name' } },
      OTEL_SERVICE_NAME: 'api',
      OTEL_RESOURCE_ATTRIBUTES: `service.namespace=shop,k8s.namespace.name=shop,k8s.pod.name=$(${POD_NAME_ENV})`,
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://tempo.monitoring.svc.cluster.local:4317',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '1',
      OTEL_METRICS_EXPORTER: 'none',
      OTEL_LOGS_EXPORTER: 'none',
    });
  });

  test('options: HTTP protocol on 4318, a sample ratio, a service name; env keeps its own values', () => {
    const chart = newChart();
    new Worker(chart, 'bot', {
      image: IMAGE,
      liveness: { exec: ['true'] },
      tracing: { protocol: 'http/protobuf', sampleRatio: 0.25, serviceName: 'telegram-bot' },
      env: { OTEL_TRACES_SAMPLER: 'always_on' },
    });
    const objects = synth(chart);
    const env = envOf(objects, 'bot');
    expect(env).toMatchObject({
      OTEL_SERVICE_NAME: 'telegram-bot',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://tempo.monitoring.svc.cluster.local:4318',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_TRACES_SAMPLER: 'always_on',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
    });
    const names = find(objects, 'Deployment', 'bot').spec.template.spec.containers[0].env.map(
      (e: { name: string }) => e.name,
    );
    expect(names.filter((n: string) => n === 'OTEL_TRACES_SAMPLER')).toHaveLength(1);
    expect(find(objects, 'NetworkPolicy', 'bot').spec.egress[0].ports).toEqual([{ protocol: 'TCP', port: 4318 }]);
  });

  test('opens egress to Tempo’s pods on the OTLP port only, and records the tempo add-on', () => {
    const chart = newChart();
    const db = new Database(chart, 'db', { engine: 'mongodb' });
    new Service(chart, 'api', { image: IMAGE, port: 9898, tracing: true }).connectTo(db);
    const objects = synth(chart);
    expect(find(objects, 'NetworkPolicy', 'api').spec.egress).toEqual([
      { to: [{ podSelector: { matchLabels: db.selector } }], ports: [{ protocol: 'TCP', port: 27017 }] },
      {
        to: [
          {
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
            podSelector: { matchLabels: { ...TEMPO_OTLP.podLabels } },
          },
        ],
        ports: [{ protocol: 'TCP', port: 4317 }],
      },
    ]);
    expect(chart.indexEntry('shop.k8s.yaml', '').addons).toContain('tempo');
    expect(findings(objects)).toEqual([]);
  });

  test('a workload without tracing gets no OTEL variables, no Tempo egress and no add-on', () => {
    const chart = newChart();
    new Service(chart, 'api', { image: IMAGE, port: 9898, env: { A: 'b' } });
    const objects = synth(chart);
    expect(Object.keys(envOf(objects, 'api'))).toEqual(['A']);
    expect(find(objects, 'NetworkPolicy', 'api').spec.egress).toEqual([]);
    expect(chart.indexEntry('shop.k8s.yaml', '').addons).not.toContain('tempo');
  });

  test.each([
    [
      { protocol: 'thrift' },
      'shop/api: tracing.protocol "thrift" is not an OTLP protocol; use "grpc" or "http/protobuf"',
    ],
    [{ sampleRatio: 1.5 }, 'shop/api: tracing.sampleRatio 1.5 is not a ratio; use a number between 0 and 1'],
    [{ serviceName: 'my service' }, 'shop/api: tracing.serviceName "my service" is not a service name'],
  ])('rejects %j', (tracing, message) => {
    expect(() => new Service(newChart(), 'api', { image: IMAGE, port: 9898, tracing: tracing as never })).toThrow(
      message,
    );
  });
});

describe('PlatformChart logs', () => {
  test('"loki" records the loki add-on; the default records none', () => {
    const withLogs = new PlatformChart(Testing.app(), 'shop', { logs: 'loki' });
    expect(withLogs.indexEntry('f', '').addons).toEqual(['loki']);
    expect(newChart().indexEntry('f', '').addons).toEqual([]);
  });

  test('rejects an unknown backend', () => {
    expect(() => new PlatformChart(Testing.app(), 'shop', { logs: 'elastic' as never })).toThrow(
      'shop: logs "elastic" is not a log backend; use "loki" or "none"',
    );
  });
});
