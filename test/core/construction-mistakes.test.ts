/**
 * Mistakes a new user makes, each caught when the construct is created (or, for names that only collide once
 * the whole app exists, at synth), with the project's error: construct path, prop, value and fix.
 */
import { App, Testing } from 'cdk8s';
import type { Construct } from 'constructs';
import { Database, PlatformChart, Route, Service, Worker, type Connectable, type ServiceProps } from '../../platform';
import { k8s } from 'cdk8s-plus-27';
import { newChart, platformError, synth } from '../helpers';

const IMAGE = 'ghcr.io/stefanprodan/podinfo:6.7.1';

/** Asserts the error names the construct path and the prop, shows the value, and says what to do. */
function expectError(
  build: () => unknown,
  expected: { path: string; prop: string; problem: RegExp; fix: RegExp },
): void {
  const error = platformError(build);
  expect(error.constructPath).toBe(expected.path);
  expect(error.prop).toBe(expected.prop);
  expect(error.problem).toMatch(expected.problem);
  expect(error.fix).toMatch(expected.fix);
  expect(error.message).toBe(`${expected.path}: ${expected.prop} ${error.problem}; ${error.fix}`);
}

const service = (scope: Construct, id: string, props: Partial<ServiceProps> = {}) =>
  new Service(scope, id, { image: IMAGE, port: 9898, ...props });

describe('reserved and shared namespaces', () => {
  test.each(['kube-system', 'default', 'kube-public', 'kube-node-lease', 'monitoring', 'linkerd'])(
    'an app namespaced %s is refused',
    (namespace) => {
      expectError(() => new PlatformChart(Testing.app(), 'shop', { namespace }), {
        path: 'shop',
        prop: 'namespace',
        problem: new RegExp(`"${namespace}" is reserved`),
        fix: /give the app a namespace of its own/,
      });
    },
  );

  test('an app named after a reserved namespace is refused', () => {
    expectError(() => new PlatformChart(Testing.app(), 'default'), {
      path: 'default',
      prop: 'namespace',
      problem: /"default" is reserved/,
      fix: /namespace of its own/,
    });
  });

  test('two apps in the same namespace are refused', () => {
    const app = Testing.app();
    new PlatformChart(app, 'shop', { namespace: 'store' });
    expectError(() => new PlatformChart(app, 'billing', { namespace: 'store' }), {
      path: 'billing',
      prop: 'namespace',
      problem: /"store" is already the namespace of app shop/,
      fix: /one namespace per app/,
    });
  });

  test('the same namespace in two separate cdk8s apps is allowed', () => {
    new PlatformChart(new App(), 'shop');
    expect(() => new PlatformChart(new App(), 'shop')).not.toThrow();
  });
});

describe('derived names', () => {
  test('a Database id whose headless Service name would exceed 63 characters is refused', () => {
    const id = `d${'b'.repeat(55)}`;
    expectError(() => new Database(newChart(), id, { engine: 'postgres' }), {
      path: `shop/${id}`,
      prop: 'id',
      problem: new RegExp(`"${id}-headless" .*longer than 63`),
      fix: /at most 52 characters/,
    });
  });

  test('a user object whose name collides with a derived one fails at synth with both construct paths', () => {
    const chart = newChart();
    new Database(chart, 'db', { engine: 'postgres' });
    new k8s.KubeService(chart, 'extra', { metadata: { name: 'db-headless' }, spec: { ports: [{ port: 80 }] } });
    expectError(() => synth(chart), {
      path: 'shop',
      prop: 'Service/db-headless',
      problem: /is written twice, by shop\/db\/headless and shop\/extra/,
      fix: /rename one/,
    });
  });
});

describe('conflicts the user cannot see', () => {
  test('an env entry that connectTo also sets is refused', () => {
    const chart = newChart();
    const backend = service(chart, 'backend');
    const web = service(chart, 'web', { port: 8080, env: { BACKEND_URL: 'http://elsewhere' } });
    expectError(() => web.connectTo(backend), {
      path: 'shop/web',
      prop: 'env.BACKEND_URL',
      problem: /is also set by connectTo\(backend\)/,
      fix: /remove it from env, or give connectTo another envPrefix/,
    });
  });

  test('connecting to the same target twice is refused as such', () => {
    const chart = newChart();
    const backend = service(chart, 'backend');
    const web = service(chart, 'web', { port: 8080 }).connectTo(backend);
    expectError(() => web.connectTo(backend, { envPrefix: 'API' }), {
      path: 'shop/web',
      prop: 'connectTo',
      problem: /already connects to backend/,
      fix: /connect once/,
    });
  });

  test('writablePaths "/" is refused', () => {
    expectError(() => service(newChart(), 'web', { writablePaths: ['/'] }), {
      path: 'shop/web',
      prop: 'writablePaths[0]',
      problem: /"\/" is the root filesystem/,
      fix: /name the directories the process writes/,
    });
  });

  test('an empty command entry is refused', () => {
    expectError(() => service(newChart(), 'web', { command: [''] }), {
      path: 'shop/web',
      prop: 'command[0]',
      problem: /is empty/,
      fix: /executable/,
    });
  });
});

describe('values the API server or the image would reject', () => {
  test('an invalid pod annotation key is refused', () => {
    expectError(() => service(newChart(), 'web', { podAnnotations: { 'bad key!': 'x' } }), {
      path: 'shop/web',
      prop: 'podAnnotations.bad key!',
      problem: /is not a valid annotation key/,
      fix: /prefix\/name/,
    });
  });

  test('an invalid label key on the app is refused', () => {
    expectError(() => new PlatformChart(Testing.app(), 'shop', { labels: { 'team/': 'a' } }), {
      path: 'shop',
      prop: 'labels.team/',
      problem: /is not a valid label key/,
      fix: /prefix\/name/,
    });
  });

  test('an invalid label value on the app is refused', () => {
    expectError(() => new PlatformChart(Testing.app(), 'shop', { labels: { team: 'a b' } }), {
      path: 'shop',
      prop: 'labels.team',
      problem: /"a b" is not a valid label value/,
      fix: /63 letters, digits/,
    });
  });

  test('secretEnv naming an invalid Secret is refused', () => {
    expectError(() => service(newChart(), 'web', { secretEnv: { TOKEN: { secret: 'Bad_Secret', key: 'token' } } }), {
      path: 'shop/web',
      prop: 'secretEnv.TOKEN.secret',
      problem: /"Bad_Secret" is not a valid DNS-1123/,
      fix: /lower-case/,
    });
  });

  test('secretEnv with a Secret not declared by requireSecret is refused', () => {
    expectError(() => service(newChart(), 'web', { secretEnv: { TOKEN: { secret: 'api', key: 'token' } } }), {
      path: 'shop/web',
      prop: 'secretEnv.TOKEN',
      problem: /reads Secret "api" key "token", which the app does not declare/,
      fix: /app\.requireSecret\("api", \["token"\]/,
    });
  });

  test('storage without a unit is refused', () => {
    expectError(() => new Database(newChart(), 'db', { engine: 'postgres', storage: '10' }), {
      path: 'shop/db',
      prop: 'storage',
      problem: /"10" is 10 bytes/,
      fix: /"10Gi"/,
    });
  });

  test('a StorageClass name with dots is accepted', () => {
    const chart = newChart();
    new Database(chart, 'db', { engine: 'postgres', storageClass: 'ebs.gp3' });
    const sts = synth(chart).find((o) => o.kind === 'StatefulSet');
    expect(sts?.spec.volumeClaimTemplates[0].spec.storageClassName).toBe('ebs.gp3');
  });

  test('a database user the official image refuses is refused', () => {
    expectError(() => new Database(newChart(), 'db', { engine: 'mysql', user: 'root' }), {
      path: 'shop/db',
      prop: 'user',
      problem: /"root" is reserved by the mysql image/,
      fix: /another user name/,
    });
  });

  test('a gauge charted as a rate is refused', () => {
    expectError(
      () =>
        service(newChart(), 'web', {
          metrics: { custom: [{ title: 'Queue depth', metric: 'queue_depth', rate: true }] },
        }),
      {
        path: 'shop/web',
        prop: 'metrics.custom[0].rate',
        problem: /is true but "queue_depth" is not a counter/,
        fix: /_total/,
      },
    );
  });
});

describe('egress holes', () => {
  const worker = () => new Worker(newChart(), 'bot', { image: IMAGE, liveness: { exec: ['true'] }, replicas: 1 });

  test.each(['0.0.0.0/0', '0.0.0.0/1', '::/0'])('a CIDR covering the whole Internet (%s) is refused', (cidr) => {
    expectError(() => worker().allowEgress({ to: { cidr }, ports: [443] }), {
      path: 'shop/bot',
      prop: 'allowEgress.to.cidr',
      problem: new RegExp(`"${cidr.replace(/[./]/g, '\\$&')}" is wider than /(8|16)`),
      fix: /to: "internet"/,
    });
  });

  test.each(['169.254.169.254/32', '169.254.0.0/16', 'fe80::1/128', '127.0.0.1/32'])(
    'a CIDR reaching the metadata endpoint or loopback (%s) is refused',
    (cidr) => {
      expectError(() => worker().allowEgress({ to: { cidr }, ports: [80] }), {
        path: 'shop/bot',
        prop: 'allowEgress.to.cidr',
        problem: /overlaps .*(link-local|loopback)/,
        fix: /cloud metadata/,
      });
    },
  );

  test('a CIDR that excepts the link-local range is accepted', () => {
    const w = worker();
    expect(() =>
      w.allowEgress({ to: { cidr: '169.0.0.0/8', except: ['169.254.0.0/16'] }, ports: [443] }),
    ).not.toThrow();
  });
});

describe('crashes become errors', () => {
  // Plain JavaScript callers and `as any` casts get the project's error too.
  const loose = <T>(value: unknown) => value as T;

  test('a Service with no props', () => {
    expectError(() => new Service(newChart(), 'web', loose<ServiceProps>(undefined)), {
      path: 'shop/web',
      prop: 'image',
      problem: /is missing/,
      fix: /ghcr\.io\/stefanprodan\/podinfo:6\.7\.1/,
    });
  });

  test('a Worker with no props', () => {
    expectError(() => new Worker(newChart(), 'bot', loose<ConstructorParameters<typeof Worker>[2]>(undefined)), {
      path: 'shop/bot',
      prop: 'image',
      problem: /is missing/,
      fix: /registry\/repository:tag/,
    });
  });

  test('a Database with no props', () => {
    expectError(() => new Database(newChart(), 'db', loose<ConstructorParameters<typeof Database>[2]>(undefined)), {
      path: 'shop/db',
      prop: 'engine',
      problem: /undefined is not supported/,
      fix: /postgres/,
    });
  });

  test('a missing image', () => {
    expectError(() => service(newChart(), 'web', { image: loose<string>(undefined) }), {
      path: 'shop/web',
      prop: 'image',
      problem: /^is missing$/,
      fix: /registry\/repository:tag/,
    });
  });

  test('connectTo(undefined)', () => {
    const web = service(newChart(), 'web');
    expectError(() => web.connectTo(loose<Connectable>(undefined)), {
      path: 'shop/web',
      prop: 'connectTo',
      problem: /undefined is not a workload/,
      fix: /Service, Database/,
    });
  });

  test('a health check that is not one', () => {
    expectError(() => service(newChart(), 'web', { liveness: loose<ServiceProps['liveness']>('/healthz') }), {
      path: 'shop/web',
      prop: 'liveness',
      problem: /"\/healthz" is not a health check/,
      fix: /\{ http: "\/healthz" \}/,
    });
  });

  test('writablePaths that is not a list', () => {
    expectError(() => service(newChart(), 'web', { writablePaths: loose<string[]>('/tmp') }), {
      path: 'shop/web',
      prop: 'writablePaths',
      problem: /"\/tmp" is not a list/,
      fix: /\["\/tmp"/,
    });
  });

  test('connectTo ports that is not a list', () => {
    const chart = newChart();
    const backend = service(chart, 'backend');
    expectError(() => service(chart, 'web').connectTo(backend, { ports: loose<number[]>(9898) }), {
      path: 'shop/web',
      prop: 'connectTo.ports',
      problem: /9898 is not a list/,
      fix: /\[9898\]/,
    });
  });

  test('a workload id the constructs library cannot hold', () => {
    expectError(() => service(newChart(), 'constructor'), {
      path: 'shop/constructor',
      prop: 'id',
      problem: /"constructor" is reserved/,
      fix: /another name/,
    });
  });

  test('a route path with no backends', () => {
    const chart = newChart();
    service(chart, 'web');
    expectError(
      () => new Route(chart, 'public', { host: 'shop.example.com', via: 'nginx', paths: [{ path: '/', to: [] }] }),
      {
        path: 'shop/public',
        prop: 'paths[0].to',
        problem: /^is empty$/,
        fix: /give the service itself/,
      },
    );
  });
});
