/**
 * Issue 26, item 1: a typo in a prop name (plain JavaScript, or TypeScript run transpile-only) is refused when the
 * construct is created, with the nearest known name, instead of silently becoming the default.
 */
import { Testing } from 'cdk8s';
import { Database, LoadGenerator, PlatformChart, Route, Service, Worker } from '../../platform';
import { nearestName } from '../../platform/core/known-props';
import { newChart, platformError } from '../helpers';

const IMAGE = 'ghcr.io/stefanprodan/podinfo:6.7.1';

/** Props as plain JavaScript would pass them: no compiler in between. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const untyped = (props: Record<string, unknown>): any => props;

describe('a misspelt prop is refused with the nearest known name', () => {
  test('Service replica: did you mean replicas', () => {
    const app = newChart();
    const e = platformError(() => new Service(app, 'api', untyped({ image: IMAGE, port: 9898, replica: 6 })));
    expect(e.message).toBe('shop/api: replica 6 is not a Service prop; did you mean "replicas"?');
    expect(app.node.tryFindChild('api')).toBeUndefined();
  });

  test('Service livenes (nested check keeps going): did you mean liveness', () => {
    const e = platformError(
      () => new Service(newChart(), 'api', untyped({ image: IMAGE, port: 9898, livenes: { http: '/healthz' } })),
    );
    expect([e.constructPath, e.prop, e.fix]).toEqual(['shop/api', 'livenes', 'did you mean "liveness"?']);
    expect(e.problem).toBe('{"http":"/healthz"} is not a Service prop');
  });

  test('Database storge: did you mean storage', () => {
    const e = platformError(() => new Database(newChart(), 'db', untyped({ engine: 'postgres', storge: '50Gi' })));
    expect(e.message).toBe('shop/db: storge "50Gi" is not a Database prop; did you mean "storage"?');
  });

  test('Worker, Route, LoadGenerator and PlatformChart refuse unknown props too', () => {
    const app = newChart();
    const api = new Service(app, 'api', { image: IMAGE, port: 9898 });
    expect(
      platformError(() => new Worker(app, 'w', untyped({ image: IMAGE, liveness: { exec: ['true'] }, replicaz: 2 })))
        .message,
    ).toBe('shop/w: replicaz 2 is not a Worker prop; did you mean "replicas"?');
    expect(
      platformError(
        () => new Route(app, 'web', untyped({ host: 'a.example.com', via: 'gateway', paths: [{ to: api }], tsl: {} })),
      ).fix,
    ).toBe('did you mean "tls"?');
    expect(
      platformError(() => new LoadGenerator(app, 'load', untyped({ target: api, locustfile: 'x', user: 5 }))).prop,
    ).toBe('user');
    expect(platformError(() => new PlatformChart(Testing.app(), 'x', untyped({ namspace: 'y' }))).fix).toBe(
      'did you mean "namespace"?',
    );
  });

  test('a name near nothing lists the known ones', () => {
    const e = platformError(() => new Database(newChart(), 'db', untyped({ engine: 'redis', zzzzzzzz: 1 })));
    expect(e.fix).toMatch(/^use one of "engine", "storage", /);
  });
});

describe('nested plain-object props are checked too', () => {
  const cases: [string, Record<string, unknown>, string, string][] = [
    ['liveness', { liveness: { http: '/healthz', prot: 8080 } }, 'liveness.prot', 'did you mean "port"?'],
    ['resources', { resources: { cpu: { requests: '1' } } }, 'resources.cpu.requests', 'did you mean "request"?'],
    ['resources kind', { resources: { memroy: { limit: '1Gi' } } }, 'resources.memroy', 'did you mean "memory"?'],
    ['replicas', { replicas: { min: 2, maxx: 4 } }, 'replicas.maxx', 'did you mean "max"?'],
    ['metrics', { metrics: { pth: '/m' } }, 'metrics.pth', 'did you mean "path"?'],
    ['tracing', { tracing: { sampleRate: 0.5 } }, 'tracing.sampleRate', 'did you mean "sampleRatio"?'],
    ['verticalScaling', { verticalScaling: { mod: 'Off' } }, 'verticalScaling.mod', 'did you mean "mode"?'],
  ];
  test.each(cases)('%s', (_, extra, prop, fix) => {
    const e = platformError(() => new Service(newChart(), 'api', untyped({ image: IMAGE, port: 9898, ...extra })));
    expect([e.constructPath, e.prop, e.fix]).toEqual(['shop/api', prop, fix]);
  });

  test('connectTo options and route paths', () => {
    const app = newChart();
    const db = new Database(app, 'db', { engine: 'postgres' });
    const api = new Service(app, 'api', { image: IMAGE, port: 9898 });
    expect(platformError(() => api.connectTo(db, untyped({ envPrefx: 'DB' }))).prop).toBe('connectTo.envPrefx');
    const e = platformError(
      () => new Route(app, 'web', untyped({ host: 'a.example.com', via: 'gateway', paths: [{ pth: '/', to: api }] })),
    );
    expect([e.prop, e.fix]).toEqual(['paths[0].pth', 'did you mean "path"?']);
  });
});

test('nearestName: a typo, a case slip or a suffix; nothing for an unrelated word', () => {
  expect(nearestName('replica', ['replicas', 'resources'])).toBe('replicas');
  expect(nearestName('Image', ['image', 'port'])).toBe('image');
  expect(nearestName('livenessProbe', ['liveness', 'readiness'])).toBe('liveness');
  expect(nearestName('zzzzzzzz', ['image', 'port'])).toBeUndefined();
});
