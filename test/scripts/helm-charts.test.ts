import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { helmTemplate, leafPaths, readChart, toolPath, unknownValueKeys } from '../../scripts/lib/helm-charts';

/** A tiny chart with a subchart, packed as a .tgz like the official ones. */
function packChart(): string {
  const dir = mkdtempSync(join(tmpdir(), 'helm-charts-test-'));
  const root = join(dir, 'demo');
  mkdirSync(join(root, 'templates'), { recursive: true });
  mkdirSync(join(root, 'charts', 'sub', 'templates'), { recursive: true });
  writeFileSync(join(root, 'Chart.yaml'), 'name: demo\nversion: 1.0.0\ndependencies:\n  - name: sub\n    alias: db\n');
  writeFileSync(join(root, 'values.yaml'), 'replicas: 1\nservice:\n  type: ClusterIP\nresources: {}\n');
  writeFileSync(
    join(root, 'templates', 'd.yaml'),
    '{{ .Values.commentedOut }}\n{{ toYaml .Values.resources }}\n{{ .Values.extra | toYaml }}\n',
  );
  writeFileSync(join(root, 'charts', 'sub', 'Chart.yaml'), 'name: sub\nversion: 0.1.0\n');
  writeFileSync(join(root, 'charts', 'sub', 'values.yaml'), 'port: 5432\n');
  writeFileSync(join(root, 'charts', 'sub', 'templates', 's.yaml'), '{{ .Values.password }}\n');
  writeFileSync(
    join(root, 'values.schema.json'),
    JSON.stringify({ properties: { fromSchema: { properties: { key: { type: 'string' } } } } }),
  );
  const archive = join(dir, 'demo-1.0.0.tgz');
  spawnSync('tar', ['czf', archive, '-C', dir, 'demo']);
  return archive;
}

const chart = readChart(packChart());

describe('chart values keys', () => {
  test('leaf paths stop at scalars, lists and empty maps', () => {
    expect(leafPaths({ a: { b: 1, c: [1, { d: 2 }], e: {} } })).toEqual([
      ['a', 'b'],
      ['a', 'c'],
      ['a', 'e'],
    ]);
  });

  test('keys of values.yaml, of subcharts under their alias, and of the schema are defined', () => {
    expect(unknownValueKeys({ replicas: 2, service: { type: 'NodePort' }, db: { port: 1 } }, chart)).toEqual([]);
    expect(unknownValueKeys({ fromSchema: { key: 'x' } }, chart)).toEqual([]);
  });

  test('keys the templates read, and anything under a map they copy whole, are defined', () => {
    expect(
      unknownValueKeys(
        { commentedOut: 'x', resources: { requests: { cpu: '1' } }, extra: { any: 1 }, db: { password: 'p' } },
        chart,
      ),
    ).toEqual([]);
  });

  test('a key the chart does not define is reported with its full path', () => {
    expect(unknownValueKeys({ replica: 2, service: { typ: 'NodePort' }, db: { prot: 1 } }, chart)).toEqual([
      'db.prot',
      'replica',
      'service.typ',
    ]);
  });

  test('a subchart key at the top level (not under its alias) is unknown', () => {
    expect(unknownValueKeys({ port: 1 }, chart)).toEqual(['port']);
  });

  test('free-form paths given with a reason are not checked', () => {
    expect(unknownValueKeys({ config: { anything: 1 } }, chart, [{ path: 'config', reason: 'app config' }])).toEqual(
      [],
    );
  });

  test('a value where the chart has a scalar cannot grow keys', () => {
    expect(unknownValueKeys({ replicas: { min: 1 } }, chart)).toEqual(['replicas.min']);
  });
});

const helm = toolPath('helm');
(existsSync(helm) ? describe : describe.skip)('helm template', () => {
  const shared = join(__dirname, '..', '..', '..', 'shared', 'charts');

  test('a chart that refuses its values is a render error, with helm’s message', () => {
    const result = helmTemplate(helm, 'l', join(shared, 'linkerd-control-plane-2026.8.3.tgz'), 'linkerd', {});
    expect(result.ok).toBe(false);
    expect(result.errors).toMatch(/identity issuer certificate/);
  });

  test('valid values render manifests', () => {
    const result = helmTemplate(helm, 'm', join(shared, 'metrics-server-3.13.1.tgz'), 'kube-system', { args: [] });
    expect(result.ok).toBe(true);
    expect(result.manifests).toContain('kind: Deployment');
  });
});
