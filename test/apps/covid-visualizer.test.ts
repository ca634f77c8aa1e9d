import { API_PATH, CANARY_WEIGHT, RECORDS_PATH, TRAFFIC, covidVisualizer } from '../../apps/covid-visualizer';
import type { Obj } from '../helpers';
import { find, findings } from '../helpers';
import { buildApp } from './build';
import { egressPeers, envOf, ingressPeers } from './network';

const build = (context: Record<string, string> = {}) => buildApp(covidVisualizer, context);
const { chart, objects, names } = build();

const PROMETHEUS = 'monitoring/app.kubernetes.io/name=prometheus';
/** The platform Prometheus scrapes a meshed pod's metrics port and its proxy's admin port (4191). */
const scraped = (port: number) => `${PROMETHEUS}:${port},4191`;
/** Linkerd-viz's Prometheus scrapes every proxy's admin port. */
const VIZ = 'linkerd-viz/*:4191';
/** A meshed server admits its clients on its port and on the proxy's inbound port. */
const meshed = (client: string, port: number) => `${client}:${port},4143`;
/** Expected peers, in the order `ingressPeers` and `egressPeers` list them. */
const peers = (...list: string[]) => list.sort();
const STATELESS = ['grpc-client', 'grpc-client-canary', 'grpc-server', 'redis-pub', 'redis-sub', 'website'];
const TRAFFIC_GENERATOR = ['traffic-master', 'traffic-worker'];
/** The write paths, sized vertically too. */
const WRITE_PATHS = ['grpc-client', 'grpc-server', 'redis-pub', 'redis-sub'];

describe('covid-visualizer', () => {
  test('runs both write paths, the website, the traffic generator, MongoDB and Redis', () => {
    expect(names('Deployment')).toEqual(expect.arrayContaining([...STATELESS, ...TRAFFIC_GENERATOR].sort()));
    expect(names('StatefulSet')).toEqual(expect.arrayContaining(['mongodb', 'redis']));
    // The subscriber is a worker: no Service.
    expect(names('Service')).not.toContain('redis-sub');
  });

  test('every object validates against the Kubernetes and CRD schemas and the policy rules', () => {
    expect(findings(objects)).toEqual([]);
  });

  test('Contour serves contour.<domain>: the website over WebSockets, and path 1 split 90/10 with its canary', () => {
    expect(names('HTTPProxy')).toEqual(['contour']);
    const proxy = find(objects, 'HTTPProxy', 'contour').spec;
    expect(proxy.ingressClassName).toBe('contour');
    expect(proxy.virtualhost.fqdn).toBe('contour.example.com');
    const [site, cases] = proxy.routes;
    expect(site).toMatchObject({
      conditions: [{ prefix: '/' }],
      enableWebsockets: true,
      services: [{ name: 'website', port: 9898 }],
    });
    expect(cases.conditions).toEqual([{ prefix: API_PATH }]);
    expect(cases.services).toEqual([
      { name: 'grpc-client', port: 9898, weight: 100 - CANARY_WEIGHT },
      { name: 'grpc-client-canary', port: 9898, weight: CANARY_WEIGHT },
    ]);
  });

  test('ingress-nginx serves nginx.<domain>: path 2 on an Ingress of class nginx', () => {
    expect(names('Ingress')).toEqual(['nginx']);
    const ingress = find(objects, 'Ingress', 'nginx').spec;
    expect(ingress.ingressClassName).toBe('nginx');
    expect(ingress.rules).toEqual([
      {
        host: 'nginx.example.com',
        http: {
          paths: [
            {
              path: API_PATH,
              pathType: 'Prefix',
              backend: { service: { name: 'redis-pub', port: { number: 9898 } } },
            },
          ],
        },
      },
    ]);
  });

  test('each ingress controller reaches only the services it routes to', () => {
    expect(ingressPeers(objects, 'grpc-client')).toEqual(peers(scraped(9797), VIZ, meshed('projectcontour/*', 9898)));
    expect(ingressPeers(objects, 'grpc-client-canary')).toEqual(
      peers(scraped(9797), VIZ, meshed('projectcontour/*', 9898)),
    );
    expect(ingressPeers(objects, 'website')).toEqual(peers(scraped(9797), VIZ, meshed('projectcontour/*', 9898)));
    expect(ingressPeers(objects, 'redis-pub')).toEqual(peers(meshed('ingress-nginx/*', 9898), scraped(9797), VIZ));
  });

  test('path 1: the gRPC client and its canary call the gRPC server over HTTP/2, which alone writes to MongoDB', () => {
    const port = find(objects, 'Service', 'grpc-server').spec.ports[0];
    expect(port).toMatchObject({ name: 'grpc', port: 9999, appProtocol: 'kubernetes.io/h2c' });
    expect(find(objects, 'Deployment', 'grpc-server').spec.template.spec.containers[0].readinessProbe.grpc).toEqual({
      port: 9999,
    });
    expect(envOf(objects, 'grpc-client')).toMatchObject({
      GRPC_SERVER_ADDR: 'grpc-server.covid-visualizer.svc.cluster.local:9999',
    });
    expect(ingressPeers(objects, 'grpc-server')).toEqual(
      peers(meshed('grpc-client', 9999), meshed('grpc-client-canary', 9999), scraped(9797), VIZ),
    );
    expect(egressPeers(objects, 'grpc-client')).toEqual(peers(meshed('grpc-server', 9999)));
    expect(egressPeers(objects, 'grpc-server')).toEqual(peers(meshed('mongodb', 27017)));
  });

  test('path 2: the publisher reaches only Redis; the subscriber reaches Redis and MongoDB and nothing else', () => {
    expect(egressPeers(objects, 'redis-pub')).toEqual(peers(meshed('redis', 6379)));
    expect(egressPeers(objects, 'redis-sub')).toEqual(peers(meshed('mongodb', 27017), meshed('redis', 6379)));
    expect(ingressPeers(objects, 'redis-sub')).toEqual(peers(scraped(9797), VIZ));
    expect(envOf(objects, 'redis-sub')).toMatchObject({
      REDIS_HOST: 'redis.covid-visualizer.svc.cluster.local',
      MONGODB_HOST: 'mongodb.covid-visualizer.svc.cluster.local',
    });
  });

  test('the databases admit exactly their writers and readers', () => {
    expect(ingressPeers(objects, 'mongodb')).toEqual(
      peers(
        meshed('grpc-server', 27017),
        meshed('mongodb-backup', 27017),
        VIZ,
        scraped(9216),
        meshed('redis-sub', 27017),
        meshed('website', 27017),
      ),
    );
    expect(ingressPeers(objects, 'redis')).toEqual(
      peers(
        VIZ,
        scraped(9121),
        meshed('redis-backup', 6379),
        meshed('redis-pub', 6379),
        meshed('redis-sub', 6379),
        meshed('website', 6379),
      ),
    );
    expect(egressPeers(objects, 'website')).toEqual(peers(meshed('mongodb', 27017), meshed('redis', 6379)));
  });

  test('Linkerd meshes every workload; the database wire protocols are opaque', () => {
    expect(find(objects, 'Namespace', 'covid-visualizer').metadata.annotations).toEqual({
      'linkerd.io/inject': 'enabled',
      'config.linkerd.io/default-inbound-policy': 'deny',
    });
    const templates: Obj[] = objects
      .filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet')
      .map((o) => o.spec.template);
    expect(templates.filter((t) => t.metadata.annotations?.['linkerd.io/inject'] === 'disabled')).toEqual([]);
    expect(find(objects, 'StatefulSet', 'mongodb').spec.template.metadata.annotations).toMatchObject({
      'config.linkerd.io/opaque-ports': '27017',
    });
  });

  test('every stateless workload autoscales horizontally on CPU (and the traffic generator’s workers)', () => {
    expect(names('HorizontalPodAutoscaler')).toEqual([...STATELESS, 'traffic-worker'].sort());
    for (const name of STATELESS) {
      const hpa = find(objects, 'HorizontalPodAutoscaler', name).spec;
      expect(hpa.metrics.map((m: Obj) => m.resource.name)).toEqual(['cpu']);
    }
  });

  test('the write paths also autoscale vertically: a VPA sizes their memory, leaving CPU to the HPA', () => {
    expect(names('VerticalPodAutoscaler')).toEqual(WRITE_PATHS);
    for (const name of WRITE_PATHS) {
      const vpa = find(objects, 'VerticalPodAutoscaler', name).spec;
      expect(vpa.targetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name });
      expect(vpa.updatePolicy.updateMode).not.toBe('Off');
      expect(vpa.resourcePolicy.containerPolicies[0]).toMatchObject({
        containerName: name,
        controlledResources: ['memory'],
        maxAllowed: { memory: '1Gi' },
      });
    }
    expect(chart.indexEntry('x', '').addons).toContain('vpa');
  });

  test('Linkerd reports golden metrics per route for POST /api on each HTTP entry point', () => {
    for (const name of ['grpc-client', 'grpc-client-canary', 'redis-pub']) {
      const profile = find(objects, 'ServiceProfile', `${name}.covid-visualizer.svc.cluster.local`);
      expect(profile.spec.routes).toEqual([
        expect.objectContaining({ condition: expect.objectContaining({ method: 'POST' }) }),
      ]);
      expect(profile.spec.routes[0].condition.pathRegex).toMatch(/^\^\/api/);
    }
  });

  test('the traffic generator runs traffic.py on the traffic.json records, against both hosts', () => {
    const data = find(objects, 'ConfigMap', 'traffic-locustfile').data;
    expect(Object.keys(data).sort()).toEqual(['traffic.json', 'traffic.py']);
    const records = JSON.parse(data['traffic.json']) as Obj[];
    expect(records.length).toBeGreaterThan(10);
    for (const record of records)
      expect(Object.keys(record).sort()).toEqual(['age', 'infectedtype', 'location', 'name', 'state']);
    expect(data['traffic.py']).toContain('CONTOUR_URL');
    expect(data['traffic.py']).toContain('NGINX_URL');
    expect(envOf(objects, 'traffic-master')).toMatchObject({
      LOCUST_LOCUSTFILE: '/mnt/locust/traffic.py',
      LOCUST_HOST: 'http://contour.example.com',
      LOCUST_USERS: String(TRAFFIC.users),
      LOCUST_SPAWN_RATE: String(TRAFFIC.spawnRate),
    });
    expect(envOf(objects, 'traffic-worker')).toMatchObject({
      CONTOUR_URL: 'http://contour.example.com',
      NGINX_URL: 'http://nginx.example.com',
      RECORDS_PATH,
    });
  });

  test('the traffic generator’s workers reach their master and the two ingress controllers, no workload directly', () => {
    expect(egressPeers(objects, 'traffic-worker')).toEqual(
      peers(meshed('traffic-master', 5557), '0.0.0.0/0:80', '::/0:80', 'projectcontour/*:8080', 'ingress-nginx/*:80'),
    );
    const admitted = objects
      .filter((o) => o.kind === 'NetworkPolicy' && o.spec.ingress)
      .flatMap((o) => ingressPeers(objects, o.metadata.name as string))
      .filter((peer) => peer.startsWith('traffic-worker:'));
    expect(admitted).toEqual([meshed('traffic-worker', 5557)]);
  });

  test('Prometheus scrapes every podinfo workload and both database exporters', () => {
    expect(names('ServiceMonitor')).toEqual([
      'grpc-client',
      'grpc-client-canary',
      'grpc-server',
      'mongodb',
      'redis',
      'redis-pub',
      'website',
    ]);
    expect(names('PodMonitor')).toEqual(['redis-sub']);
  });

  test('alerts and a dashboard row for every workload, the databases included', () => {
    const workloads = [...STATELESS, ...TRAFFIC_GENERATOR, 'mongodb', 'redis'].sort();
    const groups = find(objects, 'PrometheusRule', 'covid-visualizer-alerts').spec.groups as Obj[];
    expect(groups.map((g) => g.name as string).sort()).toEqual(workloads.map((w) => `covid-visualizer.${w}`));
    const mongodbAlerts = groups.find((g) => g.name === 'covid-visualizer.mongodb')?.rules.map((r: Obj) => r.alert);
    expect(mongodbAlerts).toContain('AppDatabaseDown');
    const dashboard = find(objects, 'ConfigMap', 'covid-visualizer-dashboard');
    const rows = (JSON.parse(dashboard.data['covid-visualizer.json'] as string).panels as Obj[])
      .filter((p) => p.type === 'row')
      .map((p) => (p.title as string).split(' ')[0]);
    expect(rows.sort()).toEqual(workloads);
  });

  test('index entry: namespace, meshed, generated credentials, both controllers and Linkerd, both hosts', () => {
    expect(chart.indexEntry('covid-visualizer.k8s.yaml', '')).toMatchObject({
      namespace: 'covid-visualizer',
      meshed: true,
      secrets: [
        { name: 'mongodb-credentials', keys: ['password'], generate: true },
        { name: 'redis-credentials', keys: ['password'], generate: true },
      ],
      addons: expect.arrayContaining(['contour', 'ingress-nginx', 'linkerd', 'prometheus']),
      hosts: ['contour.example.com', 'nginx.example.com'],
    });
  });

  test('domain, images, replicas and storage class come from settings', () => {
    const { objects: custom } = build({
      domain: 'covid.example.org',
      storageClass: 'standard-rwo',
      'covid-visualizer/grpc-client-canary/image': 'registry.example.org/covid/grpc-client:2.0.0-rc.1',
      'covid-visualizer/redis-sub/replicas': '4..20',
    });
    expect(find(custom, 'HTTPProxy', 'contour').spec.virtualhost.fqdn).toBe('contour.covid.example.org');
    expect(find(custom, 'Ingress', 'nginx').spec.rules[0].host).toBe('nginx.covid.example.org');
    expect(find(custom, 'Deployment', 'grpc-client-canary').spec.template.spec.containers[0].image).toBe(
      'registry.example.org/covid/grpc-client:2.0.0-rc.1',
    );
    expect(find(custom, 'HorizontalPodAutoscaler', 'redis-sub').spec).toMatchObject({
      minReplicas: 4,
      maxReplicas: 20,
    });
    expect(find(custom, 'StatefulSet', 'redis').spec.volumeClaimTemplates[0].spec.storageClassName).toBe(
      'standard-rwo',
    );
  });
});
