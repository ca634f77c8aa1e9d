import { BACKEND_REQUESTS_PER_POD, chat } from '../../apps/chat';
import { find, findings } from '../helpers';
import { buildApp } from './build';
import { namespaceSources, podEdges } from './policy-edges';

const { chart, objects, names } = buildApp(chat);

describe('chat', () => {
  test('every object passes the Kubernetes and CRD schemas and the policy checks', () => {
    expect(findings(objects)).toEqual([]);
  });

  // What the app must contain, not the complete list: a service added to chat() keeps these tests green.
  test('runs frontend, backend and the Locust load test as Deployments, PostgreSQL as a StatefulSet', () => {
    expect(names('Deployment')).toEqual(
      expect.arrayContaining(['backend', 'frontend', 'load-test-master', 'load-test-worker']),
    );
    expect(names('StatefulSet')).toEqual(expect.arrayContaining(['postgres']));
  });

  test('frontend and backend keep three replicas, with a PDB, and spread across zones', () => {
    for (const name of ['frontend', 'backend']) {
      expect(find(objects, 'HorizontalPodAutoscaler', name).spec.minReplicas).toBe(3);
      expect(find(objects, 'PodDisruptionBudget', name).spec.maxUnavailable).toBe(1);
      const spread = find(objects, 'Deployment', name).spec.template.spec.topologySpreadConstraints;
      expect(spread.map((c: { topologyKey: string }) => c.topologyKey)).toContain('topology.kubernetes.io/zone');
    }
  });

  test('the backend scales with message traffic: CPU and the request rate per pod', () => {
    const hpa = find(objects, 'HorizontalPodAutoscaler', 'backend');
    expect(hpa.spec.maxReplicas).toBe(10);
    expect(hpa.spec.metrics).toEqual(
      expect.arrayContaining([
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } },
        {
          type: 'Pods',
          pods: {
            metric: { name: 'http_requests_per_second' },
            target: { type: 'AverageValue', averageValue: BACKEND_REQUESTS_PER_POD },
          },
        },
      ]),
    );
    expect(chart.indexEntry('x', 'y').addons).toEqual(expect.arrayContaining(['prometheus', 'prometheus-adapter']));
  });

  test('the backend reaches the database; the Locust workers reach the backend and the master', () => {
    expect(podEdges(objects)).toEqual(
      expect.arrayContaining([
        'backend -> postgres:5432',
        'load-test-worker -> backend:9898',
        'load-test-worker -> load-test-master:5557',
      ]),
    );
  });

  test('the static front end and the Locust master open no connection inside the app', () => {
    const from = podEdges(objects).map((edge) => edge.split(' -> ')[0]);
    expect(from).not.toContain('frontend');
    expect(from).not.toContain('load-test-master');
  });

  test('the frontend at / and the API at /api on chat.example.com through the platform Gateway', () => {
    const route = find(objects, 'HTTPRoute', 'web');
    expect(route.spec.hostnames).toEqual(['chat.example.com']);
    expect(
      route.spec.rules.map((r: { matches: { path: { value: string } }[]; backendRefs: { name: string }[] }) => [
        r.matches[0].path.value,
        r.backendRefs[0].name,
      ]),
    ).toEqual([
      ['/', 'frontend'],
      ['/api', 'backend'],
    ]);
    expect(namespaceSources(objects, 'backend')).toContain('projectcontour:9898');
    expect(namespaceSources(objects, 'frontend')).toContain('projectcontour:8080');
  });

  test('the load test targets the backend from a locustfile in a ConfigMap', () => {
    const master = find(objects, 'Deployment', 'load-test-master').spec.template.spec.containers[0];
    const env = Object.fromEntries(master.env.map((e: { name: string; value: string }) => [e.name, e.value]));
    expect(env.LOCUST_HOST).toBe('http://backend.chat.svc.cluster.local:9898');
    expect(find(objects, 'ConfigMap', 'load-test-locustfile').data['locustfile.py']).toContain('/api/echo');
  });

  test('the backend and the database exporter are scraped by Prometheus', () => {
    expect(names('ServiceMonitor')).toEqual(expect.arrayContaining(['backend', 'postgres']));
    expect(namespaceSources(objects, 'backend')).toContain('monitoring:9797');
  });

  test('index.json: namespace chat, the generated database credentials, the host and the add-ons', () => {
    const entry = chart.indexEntry('chat.k8s.yaml', 'sha256:x');
    expect(entry.namespace).toBe('chat');
    expect(entry.secrets.map((s) => [s.name, s.generate])).toEqual([['postgres-credentials', true]]);
    expect(entry.hosts).toEqual(['chat.example.com']);
    expect(entry.addons).toEqual(expect.arrayContaining(['contour', 'gateway-api', 'prometheus']));
    expect(entry.stateful).toEqual([
      { kind: 'PersistentVolumeClaim', name: 'postgres-backup' },
      { kind: 'StatefulSet', name: 'postgres' },
    ]);
  });
});
