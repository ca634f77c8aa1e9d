import { Database, Service, Worker } from '../../platform';
import type { DatabaseEngine } from '../../platform';
import { find, newChart, synth } from '../helpers';
import { ENGINES } from '../../platform/workloads/database-engines';

describe.each(Object.keys(ENGINES) as DatabaseEngine[])('Database %s', (engine) => {
  const chart = newChart();
  const db = new Database(chart, 'db', { engine, storage: '5Gi', storageClass: 'gp3' });
  const objects = synth(chart);
  const sts = find(objects, 'StatefulSet', 'db');
  const pod = sts.spec.template.spec;
  const preset = ENGINES[engine];

  test('is a one-replica StatefulSet behind a headless Service', () => {
    expect(sts.spec.replicas).toBe(1);
    expect(sts.spec.serviceName).toBe('db-headless');
    expect(find(objects, 'Service', 'db-headless').spec).toMatchObject({
      clusterIP: 'None',
      publishNotReadyAddresses: true,
    });
    expect(find(objects, 'Service', 'db').spec.ports.map((p: { port: number }) => p.port)).toEqual([
      preset.port,
      preset.exporterPort,
    ]);
  });

  test('claims a volume of the given size and class, retained on scale-down and delete', () => {
    expect(sts.spec.volumeClaimTemplates[0].spec).toEqual({
      accessModes: ['ReadWriteOnce'],
      storageClassName: 'gp3',
      resources: { requests: { storage: '5Gi' } },
    });
    expect(sts.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'data', mountPath: preset.dataPath });
  });

  test('reads credentials only from the <name>-credentials Secret, declared for deploy time', () => {
    const refs = JSON.stringify(pod.containers.map((c: { env: unknown }) => c.env));
    expect(refs).toContain('"secretKeyRef":{"key":"password","name":"db-credentials"}');
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
    expect(chart.indexEntry('x', 'y').secrets).toEqual([
      {
        name: 'db-credentials',
        keys: [...preset.secretKeys].sort(),
        generate: true,
        description: `credentials of the ${engine} database db`,
      },
    ]);
  });

  test("probes with the engine's own check and runs an exporter sidecar", () => {
    expect(pod.containers[0].readinessProbe.exec.command).toEqual(preset.healthCommand);
    expect(pod.containers[0].livenessProbe.exec.command).toEqual(preset.healthCommand);
    expect(pod.containers[1]).toMatchObject({
      name: 'exporter',
      image: preset.exporterImage,
      ports: [{ containerPort: preset.exporterPort }],
    });
  });

  test("gives every probe the engine's own timeout where its check needs one (mongosh), else the defaults", () => {
    const probes = ['livenessProbe', 'readinessProbe', 'startupProbe'].map((p) => pod.containers[0][p]);
    const timeouts = probes.map((p: { timeoutSeconds: number }) => p.timeoutSeconds);
    if (engine === 'mongodb') expect(timeouts).toEqual([10, 10, 10]);
    else expect(timeouts).toEqual([3, 2, 2]);
  });

  test('runs as the image user 999 with fsGroup 999 under the restricted profile', () => {
    expect(pod.securityContext).toMatchObject({
      runAsUser: 999,
      runAsGroup: 999,
      fsGroup: 999,
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    for (const c of pod.containers)
      expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
  });

  test('is recorded as stateful and gives clients connection env vars', () => {
    expect(chart.indexEntry('x', 'y').stateful).toEqual([
      { kind: 'PersistentVolumeClaim', name: 'db-backup' },
      { kind: 'StatefulSet', name: 'db' },
    ]);
    const env = db.connectionEnv('DB').map((e) => e.name);
    expect(env).toEqual(expect.arrayContaining(['DB_HOST', 'DB_PORT', 'DB_PASSWORD', 'DB_URL']));
  });
});

describe('Database validation', () => {
  test('a malformed storage size is rejected', () => {
    expect(() => new Database(newChart(), 'db', { engine: 'postgres', storage: '10 GB' })).toThrow(
      'shop/db: storage "10 GB" is not a valid Kubernetes quantity; write it like "10Gi"',
    );
  });
  test('an unknown engine is rejected', () => {
    expect(() => new Database(newChart(), 'db', { engine: 'oracle' as DatabaseEngine })).toThrow(
      'shop/db: engine "oracle" is not supported; use one of postgres, mysql, mongodb, redis',
    );
  });
  test('a database name that is not an identifier is rejected', () => {
    expect(() => new Database(newChart(), 'db', { engine: 'postgres', database: 'my-db' })).toThrow(
      'shop/db: database "my-db" is not a valid identifier; use letters, digits and "_" (at most 63), not starting with a digit',
    );
  });
  test('Redis has no database name', () => {
    expect(() => new Database(newChart(), 'cache', { engine: 'redis', database: 'x' })).toThrow(
      'shop/cache: database is not supported by redis; leave database out',
    );
  });
});

describe('Worker', () => {
  test('has a Deployment but no Service, and its metrics port', () => {
    const chart = newChart();
    new Worker(chart, 'consumer', {
      image: 'ghcr.io/stefanprodan/podinfo:6.7.1',
      liveness: { http: '/healthz' },
      metrics: { port: 9797 },
    });
    const objects = synth(chart);
    expect(objects.filter((o) => o.kind === 'Service')).toEqual([]);
    const c = find(objects, 'Deployment', 'consumer').spec.template.spec.containers[0];
    expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 9797 });
  });
  test('a network health check without a port is rejected', () => {
    expect(
      () => new Worker(newChart(), 'bot', { image: 'ghcr.io/stefanprodan/podinfo:6.7.1', liveness: { tcp: true } }),
    ).toThrow('shop/bot: liveness.port is missing and the workload has no port; give the port the check connects to');
  });
});

describe('NetworkPolicies from the app graph', () => {
  const chart = newChart();
  const db = new Database(chart, 'db', { engine: 'postgres' });
  const api = new Service(chart, 'api', { image: 'ghcr.io/stefanprodan/podinfo:6.7.1', port: 9898 }).connectTo(db);
  new Service(chart, 'web', { image: 'ghcr.io/stefanprodan/podinfo:6.7.1', port: 8080 }).connectTo(api);
  const objects = synth(chart);
  const selects = (policyName: string) => find(objects, 'NetworkPolicy', policyName);

  test('the namespace denies everything by default', () => {
    expect(selects('default-deny').spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
  });

  test('the database admits only its backup job and its declared client on its port, and Prometheus on the metrics port', () => {
    const ingress = selects('db').spec.ingress;
    expect(ingress.slice(0, 2)).toEqual([
      {
        from: [{ podSelector: { matchLabels: db.backup!.graphNode.selector } }],
        ports: [{ protocol: 'TCP', port: 5432 }],
      },
      { from: [{ podSelector: { matchLabels: api.selector } }], ports: [{ protocol: 'TCP', port: 5432 }] },
    ]);
    const fromPods = ingress.flatMap((r: { from: { podSelector?: { matchLabels: Record<string, string> } }[] }) =>
      r.from.map((f) => f.podSelector?.matchLabels?.['app.kubernetes.io/name']),
    );
    expect(fromPods).not.toContain('web');
    expect(ingress[2].ports).toEqual([{ protocol: 'TCP', port: 9187 }]);
    expect(ingress).toHaveLength(3);
  });

  test('a client may open connections only to its dependencies', () => {
    expect(selects('web').spec.egress).toEqual([
      { to: [{ podSelector: { matchLabels: api.selector } }], ports: [{ protocol: 'TCP', port: 9898 }] },
    ]);
  });
});

test('a Secret cannot be both generated and supplied by config, and the error says what to do', () => {
  const chart = newChart();
  chart.requireSecret('api', ['token'], { generate: true, description: 'x' });
  expect(() => chart.requireSecret('api', ['key'], { generate: false, description: 'y' })).toThrow(
    'shop: requireSecret("api") is declared both as generated and as supplied by config; give the generated and the supplied keys two Secrets of their own',
  );
});
