import { Duration, Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-27';
import type { PlatformChartProps, PlatformChart } from '../../platform';
import { Database, LoadGenerator, MessageBroker, Route, Service, Worker } from '../../platform';
import { newChart, platformError, synth } from '../helpers';

const IMAGE = 'ghcr.io/stefanprodan/podinfo:6.7.1';

/**
 * Every prop that takes a unit, written once as the strings and numbers users write today and once typed: the
 * two apps must synthesize to the same objects.
 */
function everyUnit(typed: boolean): PlatformChart {
  const t = <S, T>(text: S, value: T): S | T => (typed ? value : text);
  const chart = newChart({
    mesh: 'linkerd',
    meshProxy: { cpu: { request: t('50m', Cpu.millis(50)) }, memory: { limit: t('300Mi', Size.mebibytes(300)) } },
    alerts: {
      for: t('1h30m', Duration.minutes(90)),
      saturationFor: t('30s', Duration.seconds(30)),
      latencyP99Ms: t(250, Duration.millis(250)),
    },
  } satisfies PlatformChartProps);
  const api = new Service(chart, 'api', {
    image: IMAGE,
    port: 9898,
    resources: {
      cpu: { request: t('250m', Cpu.millis(250)), limit: t('2', Cpu.units(2)) },
      memory: { request: t('256Mi', Size.mebibytes(256)), limit: t('1Gi', Size.gibibytes(1)) },
    },
    mesh: {
      proxy: { cpu: { limit: t('1500m', Cpu.millis(1500)) }, memory: { request: t('32Mi', Size.mebibytes(32)) } },
    },
    replicas: {
      min: 2,
      max: 6,
      podsMetrics: [{ name: 'http_requests_per_second', averageValue: t('0.5', 0.5) }],
      scaleDownStabilizationSeconds: t(600, Duration.minutes(10)),
    },
    verticalScaling: {
      resources: ['memory'],
      minAllowed: { memory: t('64Mi', Size.mebibytes(64)) },
      maxAllowed: { memory: t('2Gi', Size.gibibytes(2)) },
    },
    routeMetrics: [
      { method: 'GET', path: '/api/report', timeout: t('1m30s', Duration.seconds(90)) },
      { method: 'POST', path: '/api/report', timeout: t('500ms', Duration.millis(500)) },
    ],
  });
  new Route(chart, 'public', {
    host: 'shop.example.com',
    via: 'contour',
    timeoutSeconds: t(120, Duration.minutes(2)),
    paths: [{ path: '/', to: api, timeoutSeconds: t(45, Duration.seconds(45)) }],
  });
  new Database(chart, 'db', {
    engine: 'postgres',
    storage: t('20Gi', Size.gibibytes(20)),
    resources: { memory: { limit: t('2Gi', Size.gibibytes(2)) } },
    backup: {
      retentionDays: t(14, Duration.days(14)),
      target: { kind: 'volume', storage: t('50Gi', Size.gibibytes(50)) },
    },
  });
  const mq = new MessageBroker(chart, 'mq', {
    engine: 'rabbitmq',
    queues: ['orders'],
    storage: t('16Gi', Size.gibibytes(16)),
  });
  new Worker(chart, 'orders', {
    image: IMAGE,
    liveness: { exec: ['true'] },
    replicas: { min: 0, max: 4, queue: mq.queue('orders'), scaleDownStabilizationSeconds: t(90, Duration.seconds(90)) },
  });
  new LoadGenerator(chart, 'load', {
    target: api,
    locustfile: 'from locust import HttpUser',
    runTime: t('1h30m', Duration.minutes(90)),
    masterResources: { cpu: { limit: t('1', Cpu.units(1)) } },
  });
  return chart;
}

describe('typed units (Cpu, Size, Duration) beside the strings', () => {
  test('an app written with typed units synthesizes exactly as the same app written with strings', () => {
    const written = synth(everyUnit(false));
    const typed = synth(everyUnit(true));
    expect(typed).toEqual(written);
    // Not vacuous: the values reach the manifests.
    const deployment = written.find((o) => o.kind === 'Deployment' && o.metadata.name === 'api');
    expect(deployment?.spec.template.spec.containers[0].resources.limits.memory).toBe('1Gi');
    expect(deployment?.spec.template.metadata.annotations['config.linkerd.io/proxy-cpu-limit']).toBe('1500m');
    const profile = written.find((o) => o.kind === 'ServiceProfile');
    expect(profile?.spec.routes.map((r: { timeout: string }) => r.timeout)).toEqual(['1m30s', '500ms']);
  });

  test('a Duration is written in the largest units that hold it exactly', () => {
    const objects = synth(everyUnit(true));
    const env = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'load-master')?.spec.template.spec
      .containers[0].env;
    expect(env).toContainEqual({ name: 'LOCUST_RUN_TIME', value: '1h30m' });
    // Without the float noise of 1.1 * 1000.
    const chart = newChart({ mesh: 'linkerd' });
    new Service(chart, 'api', {
      image: IMAGE,
      port: 9898,
      routeMetrics: [{ path: '/', timeout: Duration.seconds(1.1) }],
    });
    const profile = synth(chart).find((o) => o.kind === 'ServiceProfile');
    expect(profile?.spec.routes[0].timeout).toBe('1s100ms');
  });

  describe('wrong typed values give the project error, naming the prop and the value as written', () => {
    const service =
      (props: object, chartProps: PlatformChartProps = {}) =>
      () =>
        new Service(newChart(chartProps), 'api', { image: IMAGE, port: 9898, ...props });

    test('a zero Size', () => {
      const error = platformError(service({ resources: { memory: { limit: Size.mebibytes(0) } } }));
      expect(error.message).toBe(
        'shop/api: resources.memory.limit Size.mebibytes(0) is not a positive, finite amount; write it like Size.mebibytes(512) or "512Mi"',
      );
    });

    test('a Size that is not a number', () => {
      const error = platformError(
        () => new Database(newChart(), 'db', { engine: 'postgres', storage: Size.gibibytes(Number.NaN) }),
      );
      expect(error.message).toBe(
        'shop/db: storage Size.gibibytes(NaN) is not a positive, finite amount; write it like Size.gibibytes(10) or "10Gi"',
      );
    });

    test('a negative Size cannot be made: cdk8s refuses it where it is written, before any construct sees it', () => {
      expect(() => Size.mebibytes(-1)).toThrow('Storage amounts cannot be negative');
    });

    test('a negative Cpu', () => {
      const error = platformError(service({ resources: { cpu: { request: Cpu.millis(-250) } } }));
      expect(error.prop).toBe('resources.cpu.request');
      expect(error.message).toBe(
        'shop/api: resources.cpu.request Cpu.millis(-250) is not a positive, finite amount; write it like Cpu.millis(250) or "250m"',
      );
    });

    test('a Size where CPU is meant (plain JavaScript)', () => {
      const error = platformError(service({ resources: { cpu: { limit: Size.gibibytes(1) } } }));
      expect(error.message).toBe(
        'shop/api: resources.cpu.limit Size.gibibytes(1) is not a CPU amount; write it like "1" or Cpu.units(1)',
      );
    });

    test('a typed request above its limit', () => {
      const error = platformError(
        service({ resources: { memory: { request: Size.gibibytes(2), limit: Size.gibibytes(1) } } }),
      );
      expect(error.message).toBe(
        'shop/api: resources.memory.request "2Gi" is more than resources.memory.limit "1Gi"; lower the request or raise the limit',
      );
    });

    test('a Duration not representable in the whole seconds a Route timeout takes', () => {
      const error = platformError(() => {
        const chart = newChart();
        const api = new Service(chart, 'api', { image: IMAGE, port: 9898 });
        new Route(chart, 'public', {
          host: 'shop.example.com',
          via: 'contour',
          paths: [{ path: '/', to: api, timeoutSeconds: Duration.millis(1500) }],
        });
      });
      expect(error.message).toBe(
        'shop/public: paths[0].timeoutSeconds Duration.millis(1500) is not a whole number of seconds; round it, e.g. Duration.seconds(2)',
      );
    });

    test('a Duration out of a seconds prop range', () => {
      const error = platformError(
        service({ replicas: { min: 1, max: 3, scaleDownStabilizationSeconds: Duration.hours(2) } }),
      );
      expect(error.message).toBe(
        'shop/api: replicas.scaleDownStabilizationSeconds Duration.hours(2) is not allowed; use between 0 and 3600 seconds',
      );
    });

    test('a Duration not representable in whole days', () => {
      const error = platformError(
        () => new Database(newChart(), 'db', { engine: 'postgres', backup: { retentionDays: Duration.hours(36) } }),
      );
      expect(error.message).toBe(
        'shop/db: backup.retentionDays Duration.hours(36) is not a whole number of days; round it, e.g. Duration.days(2)',
      );
    });

    test('a zero Duration where a positive one is needed', () => {
      const error = platformError(
        service({ routeMetrics: [{ path: '/', timeout: Duration.seconds(0) }] }, { mesh: 'linkerd' }),
      );
      expect(error.message).toBe(
        'shop/api: routeMetrics[0].timeout Duration.seconds(0) is zero; give a positive duration, e.g. Duration.millis(500)',
      );
    });

    test('a Duration finer than the unit a tool reads', () => {
      const error = platformError(() => {
        const chart = newChart();
        const api = new Service(chart, 'api', { image: IMAGE, port: 9898 });
        new LoadGenerator(chart, 'load', { target: api, locustfile: 'x', runTime: Duration.millis(90_500) });
      });
      expect(error.message).toBe(
        'shop/load: runTime Duration.millis(90500) is not a whole number of seconds; round it, e.g. Duration.seconds(91)',
      );
    });

    test('a pods metric target that is not a positive number', () => {
      const error = platformError(
        service({ replicas: { min: 1, max: 3, podsMetrics: [{ name: 'rps', averageValue: -1 }] } }),
      );
      expect(error.message).toBe(
        'shop/api: replicas.podsMetrics[0].averageValue -1 is not a positive number; write it like 10 or 0.5',
      );
    });

    test('the strings keep their own messages', () => {
      const error = platformError(service({ resources: { memory: { limit: '512MB' } } }));
      expect(error.message).toBe(
        'shop/api: resources.memory.limit "512MB" is not a valid Kubernetes quantity; write it like "512Mi"',
      );
    });
  });
});
