import { LOAD_TEST, rendezvous } from '../../apps/rendezvous';
import { find, findings } from '../helpers';
import { buildApp } from './build';
import type { Obj } from '../helpers';
import { namespaceSources, podEdges } from './policy-edges';

const build = (context: Record<string, string> = {}) => buildApp(rendezvous, context);

const { chart, objects, names } = build();
const SERVICES = ['ui', 'users', 'room-router', 'room-server', 'room-client'];

describe('rendezvous', () => {
  test('every object passes the Kubernetes and CRD schemas and the policy checks', () => {
    expect(findings(objects)).toEqual([]);
  });

  test('runs the five services and the Locust master and workers as Deployments, the database as a StatefulSet', () => {
    expect(names('Deployment')).toEqual([...SERVICES, 'load-test-master', 'load-test-worker'].sort());
    expect(names('StatefulSet')).toEqual(['db']);
    const db = find(objects, 'StatefulSet', 'db');
    expect(db.spec.template.spec.containers[0].image).toMatch(/^postgres:/);
    expect(db.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('10Gi');
    expect(objects.every((o) => o.kind === 'Namespace' || o.metadata.namespace === 'rendezvous')).toBe(true);
  });

  test('every stateless service autoscales on CPU between at least two replicas', () => {
    expect(names('HorizontalPodAutoscaler')).toEqual([...SERVICES].sort());
    for (const name of SERVICES) {
      const hpa = find(objects, 'HorizontalPodAutoscaler', name);
      expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
      expect(hpa.spec.metrics[0].resource.name).toBe('cpu');
    }
  });

  test('room-server scales on CPU at 60% and waits ten minutes before dropping pods (and their rooms)', () => {
    const hpa = find(objects, 'HorizontalPodAutoscaler', 'room-server');
    expect(hpa.spec).toMatchObject({ minReplicas: 2, maxReplicas: 10 });
    expect(hpa.spec.metrics).toEqual([
      { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } },
    ]);
    expect(hpa.spec.behavior.scaleDown.stabilizationWindowSeconds).toBe(600);
  });

  test('workloads reach exactly their dependencies: users and room-router the database, rooms through room-server', () => {
    expect(podEdges(objects).filter((e) => !e.startsWith('load-test'))).toEqual([
      'db-backup -> db:5432',
      'room-client -> room-server:9898',
      'room-router -> db:5432',
      'room-router -> room-server:9898',
      'room-router -> users:9898',
      'users -> db:5432',
    ]);
  });

  test('the podinfo stand-ins forward POST /api/echo along those edges, so load reaches room-server', () => {
    const args = (name: string) =>
      (find(objects, 'Deployment', name).spec.template.spec.containers[0].args as string[]).filter((a) =>
        a.startsWith('--backend-url='),
      );
    expect(args('room-router')).toEqual([
      '--backend-url=$(USERS_URL)/api/echo',
      '--backend-url=$(ROOM_SERVER_URL)/api/echo',
    ]);
    expect(args('room-client')).toEqual(['--backend-url=$(ROOM_SERVER_URL)/api/echo']);
    const env = find(objects, 'Deployment', 'room-router').spec.template.spec.containers[0].env as Obj[];
    expect(env.find((e) => e.name === 'ROOM_SERVER_URL')?.value).toBe(
      'http://room-server.rendezvous.svc.cluster.local:9898',
    );
  });

  test('the Locust load test drives fake clients at room-router, users and room-client, from inside the cluster', () => {
    expect(podEdges(objects).filter((e) => e.startsWith('load-test'))).toEqual([
      'load-test-worker -> load-test-master:5557',
      'load-test-worker -> room-client:9898',
      'load-test-worker -> room-router:9898',
      'load-test-worker -> users:9898',
    ]);
    const locustfile = find(objects, 'ConfigMap', 'load-test-locustfile').data['locustfile.py'] as string;
    expect(locustfile).toContain('class Participant(HttpUser)');
    const masterEnv = Object.fromEntries(
      (find(objects, 'Deployment', 'load-test-master').spec.template.spec.containers[0].env as Obj[]).map((e) => [
        e.name,
        e.value,
      ]),
    );
    expect(masterEnv).toMatchObject({
      LOCUST_HOST: 'http://room-router.rendezvous.svc.cluster.local:9898',
      LOCUST_USERS: String(LOAD_TEST.users),
      LOCUST_SPAWN_RATE: String(LOAD_TEST.spawnRate),
    });
    // No autostart: the test runs when started from the web UI, not at every deploy.
    expect(masterEnv.LOCUST_AUTOSTART).toBeUndefined();
    const workerEnv = (find(objects, 'Deployment', 'load-test-worker').spec.template.spec.containers[0].env as Obj[])
      .map((e) => e.name)
      .filter((n) => n.endsWith('_URL'));
    expect(workerEnv.sort()).toEqual(['ROOM_CLIENT_URL', 'TARGET_URL', 'USERS_URL']);
    for (const variable of ['USERS_URL', 'ROOM_CLIENT_URL']) expect(locustfile).toContain(`os.environ["${variable}"]`);
  });

  test('database credentials come from the deploy-time Secret, for users and room-router alike', () => {
    for (const name of ['users', 'room-router']) {
      const env = find(objects, 'Deployment', name).spec.template.spec.containers[0].env as Obj[];
      expect(env.find((e) => e.name === 'DATABASE_PASSWORD')?.valueFrom).toEqual({
        secretKeyRef: { name: 'db-credentials', key: 'password' },
      });
      expect(env.find((e) => e.name === 'DATABASE_HOST')?.value).toBe('db.rendezvous.svc.cluster.local');
    }
  });

  test('the UI and the APIs are served on one host through ingress-nginx', () => {
    const ingresses = objects.filter((o) => o.kind === 'Ingress');
    expect(ingresses.map((i) => i.spec.ingressClassName)).toEqual(['nginx', 'nginx']);
    const routes = ingresses.flatMap((i) =>
      i.spec.rules.flatMap((r: Obj) =>
        r.http.paths.map(
          (p: Obj) => `${r.host}${p.path} -> ${p.backend.service.name}:${p.backend.service.port.number}`,
        ),
      ),
    );
    expect(routes.sort()).toEqual([
      'rendezvous.example.com/ -> ui:8080',
      'rendezvous.example.com/api -> room-router:9898',
      'rendezvous.example.com/api/users -> users:9898',
      'rendezvous.example.com/ws -> room-client:9898',
    ]);
  });

  test('room WebSockets survive the ingress: their Ingress keeps connections open for an hour', () => {
    const ws = objects.find(
      (o) => o.kind === 'Ingress' && o.spec.rules[0].http.paths.some((p: Obj) => p.path === '/ws'),
    ) as Obj;
    expect(ws.spec.rules[0].http.paths).toHaveLength(1);
    expect(ws.metadata.annotations).toEqual({
      'nginx.ingress.kubernetes.io/proxy-read-timeout': '3600',
      'nginx.ingress.kubernetes.io/proxy-send-timeout': '3600',
      'nginx.ingress.kubernetes.io/ssl-redirect': 'true',
    });
  });

  test('only routed services admit the ingress controller, on their routed port; Prometheus scrapes every service', () => {
    expect(namespaceSources(objects, 'ui')).toEqual(['ingress-nginx:8080']);
    for (const name of ['users', 'room-router', 'room-client']) {
      expect(namespaceSources(objects, name)).toEqual(['ingress-nginx:9898', 'monitoring:9797']);
    }
    expect(namespaceSources(objects, 'room-server')).toEqual(['monitoring:9797']);
    expect(namespaceSources(objects, 'db')).toEqual(['monitoring:9187']);
  });

  test('Prometheus monitors every podinfo service and the database exporter', () => {
    expect(names('ServiceMonitor')).toEqual(['db', 'room-client', 'room-router', 'room-server', 'users']);
  });

  test('golden-signal alerts and a dashboard row for every workload, request panels for the podinfo services', () => {
    const workloads = [...SERVICES, 'db', 'load-test-master', 'load-test-worker'];
    const groups = find(objects, 'PrometheusRule', 'rendezvous-alerts').spec.groups as Obj[];
    expect(groups.map((g) => g.name).sort()).toEqual(workloads.map((w) => `rendezvous.${w}`).sort());
    const roomServer = groups.find((g) => g.name === 'rendezvous.room-server')?.rules.map((r: Obj) => r.alert);
    expect(roomServer).toEqual(expect.arrayContaining(['AppHighErrorRate', 'AppHighLatency', 'AppCPUSaturated']));
    const panels = JSON.parse(find(objects, 'ConfigMap', 'rendezvous-dashboard').data['rendezvous.json'])
      .panels as Obj[];
    const rows = panels.filter((p) => p.type === 'row').map((p) => p.title.split(' ')[0]);
    expect(rows.sort()).toEqual(workloads.sort());
    const requestRates = panels.filter((p) => p.title === 'Request rate').length;
    expect(requestRates).toBe(4); // users, room-router, room-server, room-client (ui has no metrics endpoint)
  });

  test('index entry: namespace, the database Secret, ingress-nginx and Prometheus, the host', () => {
    expect(chart.indexEntry('rendezvous.k8s.yaml', 'sha256:x')).toMatchObject({
      namespace: 'rendezvous',
      secrets: [{ name: 'db-credentials', keys: ['password'], generate: true }],
      addons: ['cert-manager', 'ingress-nginx', 'prometheus'],
      stateful: [
        { kind: 'PersistentVolumeClaim', name: 'db-backup' },
        { kind: 'StatefulSet', name: 'db' },
      ],
      hosts: ['rendezvous.example.com'],
      meshed: false,
    });
  });

  test('domain, replicas, images and storage class are settings, not edits', () => {
    const custom = build({
      domain: 'demo.example.org',
      storageClass: 'gp3',
      'rendezvous/room-server/replicas': '3..20',
      'rendezvous/users/image': 'registry.example.org/rendezvous-users:1.0.0',
    }).objects;
    expect(custom.find((o) => o.kind === 'Ingress')?.spec.rules[0].host).toBe('rendezvous.demo.example.org');
    const hpa = find(custom, 'HorizontalPodAutoscaler', 'room-server');
    expect(hpa.spec).toMatchObject({ minReplicas: 3, maxReplicas: 20 });
    expect(hpa.spec.behavior.scaleDown.stabilizationWindowSeconds).toBe(600);
    expect(find(custom, 'Deployment', 'users').spec.template.spec.containers[0].image).toBe(
      'registry.example.org/rendezvous-users:1.0.0',
    );
    expect(find(custom, 'StatefulSet', 'db').spec.volumeClaimTemplates[0].spec.storageClassName).toBe('gp3');
  });
});
