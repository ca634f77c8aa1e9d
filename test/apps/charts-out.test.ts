import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IMAGES } from '../../apps/images';
import { synthesizeApps } from '../../apps/main';
import { loadManifestDir } from '../../scripts/lib/manifests';
import { validateObjects } from '../../scripts/lib/validate';
import type { Obj } from '../helpers';
import { INDEX_FILE } from '../../platform/contract';

const committed = join(__dirname, '..', '..', 'charts-out');
const fresh = mkdtempSync(join(tmpdir(), 'charts-out-'));
const index = synthesizeApps(fresh);

describe('charts-out', () => {
  test('a fresh synth is byte-identical to the committed charts-out (run `npm run synth` and commit if not)', () => {
    const files = readdirSync(fresh).sort();
    expect(readdirSync(committed).sort()).toEqual(files);
    for (const file of files)
      expect(readFileSync(join(fresh, file), 'utf8')).toBe(readFileSync(join(committed, file), 'utf8'));
  });

  test('synthesizing twice gives the same bytes', () => {
    const again = mkdtempSync(join(tmpdir(), 'charts-out-'));
    synthesizeApps(again);
    // Compared as strings: jest's deep equality walks a Buffer byte by byte (seconds for these files).
    for (const file of readdirSync(fresh))
      expect(readFileSync(join(again, file), 'utf8')).toBe(readFileSync(join(fresh, file), 'utf8'));
  });

  test('index.json lists chat with its namespace and the Secret it needs, without values', () => {
    const chat = index.apps.find((a) => a.name === 'chat');
    expect(chat).toMatchObject({
      file: 'chat.k8s.yaml',
      namespace: 'chat',
      secrets: [{ name: 'postgres-credentials', keys: ['password'], generate: true }],
    });
    expect(readFileSync(join(fresh, INDEX_FILE), 'utf8')).not.toMatch(/stringData|"value"/);
  });

  test('index.json lists the five apps in order; covid-visualizer and meetings with namespace, Secrets, add-ons', () => {
    expect(index.apps.map((a) => a.name)).toEqual([
      'rendezvous',
      'chat',
      'covid-visualizer',
      'messaging-platform',
      'meetings',
    ]);
    expect(index.apps.find((a) => a.name === 'covid-visualizer')).toMatchObject({
      namespace: 'covid-visualizer',
      meshed: true,
      secrets: [{ name: 'mongodb-credentials' }, { name: 'redis-credentials' }],
      addons: expect.arrayContaining(['contour', 'ingress-nginx', 'linkerd', 'vpa']),
      hosts: ['contour.example.com', 'nginx.example.com'],
    });
    expect(index.apps.find((a) => a.name === 'meetings')).toMatchObject({
      namespace: 'meetings',
      secrets: [
        { name: 'bot-telegram', keys: ['token'], generate: false },
        { name: 'mongodb-credentials' },
        { name: 'redis-credentials' },
      ],
      addons: expect.arrayContaining(['gateway-api', 'loki', 'tempo']),
      hosts: ['meetings.example.com'],
    });
  });

  test('every object passes the Kubernetes and CRD schemas and the policy checks', () => {
    const { objects, problems } = loadManifestDir(fresh);
    const result = validateObjects(objects, { problems });
    expect(result.findings).toEqual([]);
    expect(result.objects).toBeGreaterThan(10);
  });

  test('every podinfo container that passes args names its command (the image has a CMD and no ENTRYPOINT)', () => {
    interface Container {
      name: string;
      image: string;
      command?: string[];
      args?: string[];
    }
    const podinfo = loadManifestDir(fresh)
      .objects.flatMap((o) => {
        const spec = (o.object as { spec?: { template?: { spec?: { containers?: Container[] } } } }).spec;
        return (spec?.template?.spec?.containers ?? []).map((c) => ({ at: `${o.file} ${o.object.metadata?.name}`, c }));
      })
      .filter(({ c }) => c.image === IMAGES.microservice && c.args);
    expect(podinfo.length).toBeGreaterThan(10);
    expect(podinfo.filter(({ c }) => c.command?.[0] !== './podinfo').map(({ at }) => at)).toEqual([]);
  });
});

test('every database of the reference apps is backed up: a CronJob that dumps it, watched by an alert', () => {
  const objects = loadManifestDir(committed).objects.map((m) => m.object as unknown as Obj);
  const databases = objects.filter(
    (o) => o.kind === 'StatefulSet' && o.metadata.labels?.['app.kubernetes.io/component'] === 'database',
  );
  expect(databases.length).toBeGreaterThanOrEqual(7);
  for (const db of databases) {
    const ns = db.metadata.namespace;
    const cron = objects.find(
      (o) => o.kind === 'CronJob' && o.metadata.namespace === ns && o.metadata.name === `${db.metadata.name}-backup`,
    );
    expect(cron?.spec.jobTemplate.spec.template.spec.containers[0].image).toBe(
      db.spec.template.spec.containers[0].image,
    );
    const rules = objects
      .filter((o) => o.kind === 'PrometheusRule' && o.metadata.namespace === ns)
      .flatMap((o) => o.spec.groups.flatMap((g: Obj) => g.rules));
    expect(
      rules.some(
        (r: Obj) => r.alert === 'AppDatabaseBackupOverdue' && r.expr.includes(`cronjob="${db.metadata.name}-backup"`),
      ),
    ).toBe(true);
  }
});
