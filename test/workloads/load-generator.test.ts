import type { LoadGeneratorProps } from '../../platform';
import { LOCUST_IMAGE, LoadGenerator, PlatformChart, Route, Service } from '../../platform';
import { LOCUSTFILE_HASH_ANNOTATION, LOCUST_WORKER_CHECK } from '../../platform/workloads/load-generator-props';
import type { Obj } from '../helpers';
import { find, findings, newChart, synth } from '../helpers';

const IMAGE = 'ghcr.io/stefanprodan/podinfo:6.7.1';
const LOCUSTFILE = [
  'import json, os',
  'from locust import HttpUser, between, task',
  'RECORDS = json.load(open(os.path.join(os.path.dirname(__file__), "traffic.json")))',
  'class Reporter(HttpUser):',
  '    wait_time = between(1, 2)',
  '    @task',
  '    def report(self):',
  '        self.client.post("/cases", json=RECORDS[0])',
].join('\n');
const TRAFFIC = JSON.stringify([
  { name: 'Pablo Mendoza', location: 'Guatemala City', age: 35, infectedtype: 'communitary', state: 'asymptomatic' },
]);

/** An app with a `backend` service (HTTP 9898, gRPC 9999) and a load test against it. */
function loadTest(props: Partial<LoadGeneratorProps> = {}, chart: PlatformChart = newChart()) {
  const backend = new Service(chart, 'backend', { image: IMAGE, port: 9898, grpcPort: 9999 });
  const lg = new LoadGenerator(chart, 'load-test', {
    target: backend,
    locustfile: LOCUSTFILE,
    files: { 'traffic.json': TRAFFIC },
    ...props,
  });
  return { chart, backend, lg, objects: synth(chart) };
}

const pod = (objects: Obj[], name: string) => find(objects, 'Deployment', name).spec.template;
const container = (objects: Obj[], name: string) => pod(objects, name).spec.containers[0];
const env = (objects: Obj[], name: string): Record<string, string> =>
  Object.fromEntries(container(objects, name).env.map((e: { name: string; value: string }) => [e.name, e.value]));
const kinds = (objects: Obj[], name: string) =>
  objects
    .filter((o) => o.metadata.name === name)
    .map((o) => o.kind)
    .sort();

describe('LoadGenerator', () => {
  test('puts the locustfile and data files in one ConfigMap, mounted read-only on the master and the workers', () => {
    const { objects } = loadTest();
    expect(find(objects, 'ConfigMap', 'load-test-locustfile').data).toEqual({
      'locustfile.py': LOCUSTFILE,
      'traffic.json': TRAFFIC,
    });
    for (const name of ['load-test-master', 'load-test-worker']) {
      const { spec } = pod(objects, name);
      expect(spec.volumes).toContainEqual({
        name: 'cm-mnt-locust',
        configMap: { name: 'load-test-locustfile', defaultMode: 0o444 },
      });
      expect(spec.containers[0].volumeMounts).toContainEqual({
        name: 'cm-mnt-locust',
        mountPath: '/mnt/locust',
        readOnly: true,
      });
      expect(env(objects, name).LOCUST_LOCUSTFILE).toBe('/mnt/locust/locustfile.py');
    }
  });

  test('runs one master with the web UI on 8089 and the worker port 5557 behind a Service', () => {
    const { objects } = loadTest();
    expect(kinds(objects, 'load-test-master')).toEqual(['Deployment', 'NetworkPolicy', 'Service', 'ServiceAccount']);
    const deployment = find(objects, 'Deployment', 'load-test-master');
    expect(deployment.spec.replicas).toBe(1);
    const c = container(objects, 'load-test-master');
    expect(c.image).toBe(LOCUST_IMAGE);
    expect(c.args).toEqual(['--master']);
    expect(c.ports).toEqual([
      { name: 'http', containerPort: 8089, protocol: 'TCP' },
      { name: 'master', containerPort: 5557, protocol: 'TCP' },
    ]);
    expect(find(objects, 'Service', 'load-test-master').spec.ports).toEqual([
      { name: 'http', port: 8089, targetPort: 'http', protocol: 'TCP', appProtocol: 'http' },
      { name: 'master', port: 5557, targetPort: 'master', protocol: 'TCP' },
    ]);
  });

  test('runs two workers by default, with no Service, pointed at the master by Locust variables', () => {
    const { objects } = loadTest();
    expect(kinds(objects, 'load-test-worker')).toEqual([
      'Deployment',
      'NetworkPolicy',
      'PodDisruptionBudget',
      'ServiceAccount',
    ]);
    expect(find(objects, 'Deployment', 'load-test-worker').spec.replicas).toBe(2);
    const c = container(objects, 'load-test-worker');
    expect(c.args).toEqual(['--worker']);
    expect(c.ports).toBeUndefined();
    expect(env(objects, 'load-test-worker')).toMatchObject({
      LOCUST_MASTER_NODE_HOST: 'load-test-master.shop.svc.cluster.local',
      LOCUST_MASTER_NODE_PORT: '5557',
    });
  });

  test('without runTime the test waits for the web UI, users and spawn rate being the start form defaults', () => {
    const { objects } = loadTest({ users: 50, spawnRate: 2.5 });
    const master = env(objects, 'load-test-master');
    expect(master).toMatchObject({ LOCUST_USERS: '50', LOCUST_SPAWN_RATE: '2.5' });
    expect(Object.keys(master)).not.toContain('LOCUST_AUTOSTART');
    expect(Object.keys(master)).not.toContain('LOCUST_RUN_TIME');
    expect(Object.keys(master)).not.toContain('LOCUST_HEADLESS');
  });

  test('users and spawn rate default to 10 and 1', () => {
    expect(env(loadTest().objects, 'load-test-master')).toMatchObject({ LOCUST_USERS: '10', LOCUST_SPAWN_RATE: '1' });
  });

  test('runTime starts the test once the minimum of workers is connected, keeping the web UI up', () => {
    const { objects } = loadTest({ runTime: '1h30m', workers: { min: 3, max: 8 } });
    expect(env(objects, 'load-test-master')).toMatchObject({
      LOCUST_AUTOSTART: 'true',
      LOCUST_RUN_TIME: '1h30m',
      LOCUST_EXPECT_WORKERS: '3',
    });
    expect(container(objects, 'load-test-master').readinessProbe.httpGet).toEqual({ path: '/', port: 8089 });
    // The run settings belong to the master; workers take theirs from it.
    expect(Object.keys(env(objects, 'load-test-worker'))).not.toContain('LOCUST_RUN_TIME');
  });

  test('autoscaling workers get an HPA; the master never scales', () => {
    const { objects } = loadTest({ workers: { min: 1, max: 6, cpuUtilization: 80 } });
    const hpa = find(objects, 'HorizontalPodAutoscaler', 'load-test-worker');
    expect(hpa.spec).toMatchObject({ minReplicas: 1, maxReplicas: 6, scaleTargetRef: { name: 'load-test-worker' } });
    expect(find(objects, 'Deployment', 'load-test-worker').spec.replicas).toBeUndefined();
    expect(kinds(objects, 'load-test-master')).not.toContain('HorizontalPodAutoscaler');
  });

  test("the target Service's HTTP URL is Locust's host, and TARGET_* describe it to the locustfile", () => {
    const { objects, lg } = loadTest();
    const url = 'http://backend.shop.svc.cluster.local:9898';
    expect(lg.host).toBe(url);
    expect(env(objects, 'load-test-master').LOCUST_HOST).toBe(url);
    expect(env(objects, 'load-test-worker')).toMatchObject({ LOCUST_HOST: url, TARGET_URL: url, TARGET_PORT: '9898' });
  });

  test("the master gets the variables of the workers' connections (its locustfile reads them at import), not their edges", () => {
    const chart = newChart();
    const users = new Service(chart, 'users', { image: IMAGE, port: 9898 });
    const { objects } = loadTest({}, chart);
    const lg = chart.node.findChild('load-test') as LoadGenerator;
    lg.workers.connectTo(users);
    const after = synth(chart);
    expect(env(objects, 'load-test-master').USERS_URL).toBeUndefined();
    const master = env(after, 'load-test-master');
    expect(master.USERS_URL).toBe(env(after, 'load-test-worker').USERS_URL);
    expect(master.USERS_URL).toMatch(/^http:\/\/users\.shop\.svc\.cluster\.local:9898/);
    expect(master.TARGET_URL).toBe(env(after, 'load-test-worker').TARGET_URL);
    // the master's own Locust coordinates are the workers' alone
    expect(master.LOCUST_MASTER_NODE_HOST).toBeUndefined();
    // no edge: the master still calls nobody, and users admits the workers only
    expect(find(after, 'NetworkPolicy', 'load-test-master').spec.egress).toEqual([]);
    const admitted = find(after, 'NetworkPolicy', 'users').spec.ingress.flatMap((r: Obj) =>
      r.from.map((f: Obj) => f.podSelector?.matchLabels?.['app.kubernetes.io/name']),
    );
    expect(admitted).toContain('load-test-worker');
    expect(admitted).not.toContain('load-test-master');
  });

  test('NetworkPolicies: workers reach the master port and the target HTTP port; the master calls nobody', () => {
    const { objects } = loadTest();
    const workers = {
      podSelector: {
        matchLabels: { 'app.kubernetes.io/name': 'load-test-worker', 'app.kubernetes.io/part-of': 'shop' },
      },
    };
    const master = find(objects, 'NetworkPolicy', 'load-test-master').spec;
    expect(master.ingress).toEqual([{ from: [workers], ports: [{ protocol: 'TCP', port: 5557 }] }]);
    expect(master.egress).toEqual([]);
    const worker = find(objects, 'NetworkPolicy', 'load-test-worker').spec;
    expect(worker.ingress).toEqual([]);
    expect(
      worker.egress.map((r: Obj) => [
        r.to[0].podSelector.matchLabels['app.kubernetes.io/name'],
        r.ports.map((p: Obj) => p.port),
      ]),
    ).toEqual([
      ['load-test-master', [5557]],
      ['backend', [9898]],
    ]);
    // The target admits the workers on its HTTP port only, not on its gRPC port.
    expect(find(objects, 'NetworkPolicy', 'backend').spec.ingress).toEqual([
      { from: [workers], ports: [{ protocol: 'TCP', port: 9898 }] },
    ]);
  });

  test('a URL target opens no edge: the workers reach only the master until allowEgress adds the destination', () => {
    const chart = newChart();
    const lg = new LoadGenerator(chart, 'traffic', {
      target: 'https://contour.example.com/',
      locustfile: LOCUSTFILE,
    });
    lg.workers.allowEgress({ to: { namespace: 'projectcontour' }, ports: [8080] });
    const objects = synth(chart);
    expect(lg.host).toBe('https://contour.example.com');
    expect(env(objects, 'traffic-worker').LOCUST_HOST).toBe('https://contour.example.com');
    expect(Object.keys(env(objects, 'traffic-worker')).filter((k) => k.startsWith('TARGET_'))).toEqual([]);
    const egress = find(objects, 'NetworkPolicy', 'traffic-worker').spec.egress;
    expect(egress.map((r: Obj) => r.to[0])).toEqual([
      {
        podSelector: {
          matchLabels: { 'app.kubernetes.io/name': 'traffic-master', 'app.kubernetes.io/part-of': 'shop' },
        },
      },
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'projectcontour' } } },
    ]);
  });

  test('a new locustfile or data file changes the pods hash annotation, so both roll; the same props do not', () => {
    const hash = (props: Partial<LoadGeneratorProps>) => {
      const { objects } = loadTest(props);
      const hashes = ['load-test-master', 'load-test-worker'].map(
        (name) => pod(objects, name).metadata.annotations[LOCUSTFILE_HASH_ANNOTATION],
      );
      expect(hashes[0]).toBe(hashes[1]);
      return hashes[0] as string;
    };
    const base = hash({});
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    expect(hash({})).toBe(base);
    expect(hash({ locustfile: `${LOCUSTFILE}\n# v2` })).not.toBe(base);
    expect(hash({ files: { 'traffic.json': '[]' } })).not.toBe(base);
  });

  test('synthesizes identical objects from identical props', () => {
    expect(JSON.stringify(loadTest({ runTime: '10m' }).objects)).toBe(
      JSON.stringify(loadTest({ runTime: '10m' }).objects),
    );
  });

  test('probes: HTTP GET / on the master web port; the workers check their connection to the master port', () => {
    const { objects } = loadTest();
    const master = container(objects, 'load-test-master');
    for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
      expect(master[probe].httpGet).toEqual({ path: '/', port: 8089 });
      expect(container(objects, 'load-test-worker')[probe].exec).toEqual({ command: [...LOCUST_WORKER_CHECK] });
    }
    // 5557 is 0x15B5; state 01 is ESTABLISHED in /proc/net/tcp and tcp6.
    expect(LOCUST_WORKER_CHECK.slice(0, 2)).toEqual(['python', '-c']);
    expect(LOCUST_WORKER_CHECK[2]).toContain("f[2].endswith(':15B5') and f[3] == '01'");
    expect(LOCUST_WORKER_CHECK[2]).toContain("glob.glob('/proc/net/tcp*')");
  });

  test("runs as the image's uid 1000 with a read-only root, a writable /tmp and no bytecode written", () => {
    const { objects } = loadTest();
    for (const name of ['load-test-master', 'load-test-worker']) {
      const { spec } = pod(objects, name);
      expect(spec.securityContext).toMatchObject({ runAsUser: 1000, runAsGroup: 1000, runAsNonRoot: true });
      expect(spec.containers[0].securityContext).toMatchObject({
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
      });
      expect(spec.containers[0].volumeMounts).toContainEqual({ name: 'rw-tmp', mountPath: '/tmp' });
      expect(env(objects, name).PYTHONDONTWRITEBYTECODE).toBe('1');
    }
  });

  test('requests and limits default per role and take overrides', () => {
    const { objects } = loadTest({ workerResources: { cpu: { limit: '2' } } });
    expect(container(objects, 'load-test-master').resources).toEqual({
      requests: { cpu: '100m', memory: '256Mi', 'ephemeral-storage': '64Mi' },
      limits: { cpu: '500m', memory: '512Mi', 'ephemeral-storage': '1Gi' },
    });
    expect(container(objects, 'load-test-worker').resources).toEqual({
      requests: { cpu: '500m', memory: '256Mi', 'ephemeral-storage': '64Mi' },
      limits: { cpu: '2', memory: '512Mi', 'ephemeral-storage': '1Gi' },
    });
  });

  test("locustfileName names the file (the seed's traffic.py), and env reaches both roles after the managed settings", () => {
    const { objects } = loadTest({
      locustfileName: 'traffic.py',
      env: { LOCUST_LOGLEVEL: 'DEBUG', CASES_PATH: '/cases' },
    });
    expect(Object.keys(find(objects, 'ConfigMap', 'load-test-locustfile').data)).toEqual([
      'traffic.json',
      'traffic.py',
    ]);
    for (const name of ['load-test-master', 'load-test-worker']) {
      expect(env(objects, name)).toMatchObject({
        LOCUST_LOCUSTFILE: '/mnt/locust/traffic.py',
        LOCUST_LOGLEVEL: 'DEBUG',
        CASES_PATH: '/cases',
      });
    }
  });

  test('the master web UI can be routed: the ingress controller is admitted on 8089 only', () => {
    const chart = newChart();
    const { lg } = loadTest({}, chart);
    new Route(chart, 'locust', { host: 'locust.example.com', via: 'nginx', paths: [{ path: '/', to: lg.master }] });
    const objects = synth(chart);
    const ingress = find(objects, 'NetworkPolicy', 'load-test-master').spec.ingress;
    expect(ingress).toContainEqual({
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }],
      ports: [{ protocol: 'TCP', port: 8089 }],
    });
    expect(findings(objects)).toEqual([]);
  });

  test('in a meshed app the ZeroMQ port 5557 is opaque to Linkerd, on the master pod and its Service', () => {
    const meshed = new PlatformChart(newChart().node.scope!, 'meshed', { mesh: 'linkerd' });
    const { objects } = loadTest({}, meshed);
    const opaque = 'config.linkerd.io/opaque-ports';
    expect(find(objects, 'Service', 'load-test-master').metadata.annotations).toEqual({ [opaque]: '5557' });
    expect(pod(objects, 'load-test-master').metadata.annotations[opaque]).toBe('5557');
    expect(find(objects, 'Service', 'backend').metadata.annotations).toBeUndefined();
  });

  test('the objects pass the project validator (schemas, restricted profile, probes, PDB, spread, policies)', () => {
    expect(findings(loadTest().objects)).toEqual([]);
    expect(findings(loadTest({ runTime: '10m', workers: { min: 1, max: 10 } }).objects)).toEqual([]);
    expect(
      findings(loadTest({}, new PlatformChart(newChart().node.scope!, 'meshed', { mesh: 'linkerd' })).objects),
    ).toEqual([]);
  });

  describe('rejects bad props with the construct path, the prop and the fix', () => {
    const cases: [string, Partial<LoadGeneratorProps>, string][] = [
      ['no users', { users: 0 }, 'shop/load-test: users 0 is not allowed; use an integer at least 1'],
      ['fractional users', { users: 2.5 }, 'shop/load-test: users 2.5 is not allowed; use an integer at least 1'],
      [
        'zero spawn rate',
        { spawnRate: 0 },
        'shop/load-test: spawnRate 0 is not a positive number; give the users started per second, e.g. 1 or 0.5',
      ],
      ['negative spawn rate', { spawnRate: -1 }, 'shop/load-test: spawnRate -1 is not a positive number'],
      ['NaN spawn rate', { spawnRate: NaN }, 'shop/load-test: spawnRate NaN is not a positive number'],
      [
        'run time in words',
        { runTime: 'ten minutes' },
        'shop/load-test: runTime "ten minutes" is not a duration; write hours, minutes and seconds in that order, e.g. "90s", "10m" or "1h30m"',
      ],
      ['run time out of order', { runTime: '30m1h' }, 'shop/load-test: runTime "30m1h" is not a duration'],
      ['zero run time', { runTime: '0s' }, 'shop/load-test: runTime "0s" is not a duration'],
      [
        'file in a folder',
        { files: { 'data/traffic.json': '[]' } },
        'shop/load-test: files.data/traffic.json "data/traffic.json" is not a valid file name; use a file name of letters, digits, "-", "_" and "." (no "/"), at most 253 characters',
      ],
      [
        'file named ..data',
        { files: { '..data': '[]' } },
        'shop/load-test: files...data "..data" is not a valid file name',
      ],
      [
        'file shadowing the locustfile',
        { files: { 'locustfile.py': 'x = 1' } },
        'shop/load-test: files.locustfile.py has the name of the locustfile; rename the data file or set locustfileName',
      ],
      [
        'locustfile not a .py file',
        { locustfileName: 'traffic.txt' },
        'shop/load-test: locustfileName "traffic.txt" is not a locustfile name; use a ".py" file name other than "locust.py"',
      ],
      [
        'locustfile named locust.py',
        { locustfileName: 'locust.py' },
        'locustfileName "locust.py" is not a locustfile name',
      ],
      [
        'locustfile name with a slash',
        { locustfileName: 'a/b.py' },
        'locustfileName "a/b.py" is not a valid file name',
      ],
      [
        'empty locustfile',
        { locustfile: '  \n' },
        'shop/load-test: locustfile is empty; give the Python source of the test, defining at least one User class',
      ],
      [
        'data over 1 MiB',
        { files: { 'traffic.json': 'x'.repeat(1024 * 1024) } },
        `shop/load-test: files hold ${1024 * 1024 + LOCUSTFILE.length} bytes with the locustfile, more than the 1 MiB a ConfigMap holds; trim the data, or build an image with the data in it (image prop)`,
      ],
      [
        'URL without scheme',
        { target: 'contour.example.com' },
        'shop/load-test: target "contour.example.com" is not an absolute http(s) URL; give a Service of the app, or a URL such as "https://shop.example.com"',
      ],
      [
        'URL of another scheme',
        { target: 'ftp://example.com' },
        'target "ftp://example.com" is not an absolute http(s) URL',
      ],
      [
        'managed Locust setting in env',
        { env: { LOCUST_USERS: '5' } },
        'shop/load-test: env.LOCUST_USERS is set by the load generator; use the users, spawnRate, runTime, target and locustfileName props (other LOCUST_* settings are allowed)',
      ],
      [
        'headless master in env',
        { env: { LOCUST_HEADLESS: 'true' } },
        'env.LOCUST_HEADLESS is set by the load generator',
      ],
      [
        'invalid env name',
        { env: { 'bad-name': 'x' } },
        'shop/load-test: env.bad-name "bad-name" is not a valid environment variable name',
      ],
      ['no workers', { workers: 0 }, 'shop/load-test: workers 0 is not allowed; use an integer between 1 and 1000'],
      [
        'worker bounds reversed',
        { workers: { min: 4, max: 2 } },
        'shop/load-test: workers.min 4 is greater than workers.max 2',
      ],
      [
        'bad master resources',
        { masterResources: { cpu: { request: 'lots' } } },
        'shop/load-test: masterResources.cpu.request "lots" is not a valid Kubernetes quantity',
      ],
      [
        'worker request above limit',
        { workerResources: { memory: { request: '1Gi' } } },
        'shop/load-test: workerResources.memory.request "1Gi" is more than workerResources.memory.limit "512Mi"',
      ],
      [
        'unpinned image',
        { image: 'locustio/locust:latest' },
        'shop/load-test: image "locustio/locust:latest" is not pinned to a version',
      ],
    ];
    test.each(cases)('%s', (_name, props, message) => {
      expect(() => loadTest(props)).toThrow(message);
    });

    test('a gRPC target: Locust users speak HTTP', () => {
      const chart = newChart();
      const grpc = new Service(chart, 'grpc-server', { image: IMAGE, port: 9999, protocol: 'grpc' });
      expect(() => new LoadGenerator(chart, 'load-test', { target: grpc, locustfile: LOCUSTFILE })).toThrow(
        "shop/load-test: target grpc-server serves grpc on port 9999; give a Service whose main port is HTTP (Locust's HttpUser speaks HTTP)",
      );
    });

    test('a target in another app', () => {
      const other = new PlatformChart(newChart().node.scope!, 'other');
      const api = new Service(other, 'api', { image: IMAGE, port: 80 });
      expect(() => new LoadGenerator(newChart(), 'load-test', { target: api, locustfile: LOCUSTFILE })).toThrow(
        "shop/load-test: target is api of app other; load-test a Service of the same app, or give the other app's ingress URL",
      );
    });

    test('a name too long for the -master and -worker suffixes', () => {
      const id = 'l'.repeat(57);
      expect(() => new LoadGenerator(newChart(), id, { target: 'http://example.com', locustfile: LOCUSTFILE })).toThrow(
        `shop/${id}: id "${id}" is not a valid DNS-1123 label; use at most 56 lower-case letters`,
      );
    });

    test('a name taken by another workload of the app', () => {
      const chart = newChart();
      new Service(chart, 'load-test-master', { image: IMAGE, port: 80 });
      expect(() => loadTest({}, chart)).toThrow('id "load-test-master" is already a workload of app shop');
    });

    test('a failed load generator adds nothing to the chart', () => {
      const chart = newChart();
      new Service(chart, 'backend', { image: IMAGE, port: 9898 });
      const before = synth(chart).length;
      expect(
        () => new LoadGenerator(chart, 'load-test', { target: 'http://backend', locustfile: LOCUSTFILE, users: -1 }),
      ).toThrow('users -1 is not allowed');
      expect(synth(chart)).toHaveLength(before);
      expect(chart.node.tryFindChild('load-test')).toBeUndefined();
      expect(chart.graphNodes.map((n) => n.name)).toEqual(['backend']);
    });
  });
});
