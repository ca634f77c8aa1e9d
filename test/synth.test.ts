import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Chart } from 'cdk8s';
import { Database, manifestDigest, PlatformChart, Service, synthesize } from '../platform';
import { INDEX_FILE } from '../platform/contract';

function shopApp(): App {
  const app = new App();
  const shop = new PlatformChart(app, 'shop');
  const db = new Database(shop, 'postgres', { engine: 'postgres' });
  new Service(shop, 'api', { image: 'ghcr.io/stefanprodan/podinfo:6.7.1', port: 9898 }).connectTo(db);
  return app;
}

let out: string;
beforeEach(() => {
  out = mkdtempSync(join(tmpdir(), 'synth-'));
});
afterEach(() => rmSync(out, { recursive: true, force: true }));

test('writes one manifest per chart and an index.json entry with its digest', () => {
  const index = synthesize(shopApp(), out);
  const yaml = readFileSync(join(out, 'shop.k8s.yaml'), 'utf8');
  expect(index.apps).toMatchObject([{ name: 'shop', file: 'shop.k8s.yaml', digest: manifestDigest(yaml) }]);
  expect(JSON.parse(readFileSync(join(out, INDEX_FILE), 'utf8'))).toEqual(index);
});

test('removes the manifest of a chart that no longer exists', () => {
  writeFileSync(join(out, 'gone.k8s.yaml'), 'kind: X\n');
  synthesize(shopApp(), out);
  expect(existsSync(join(out, 'gone.k8s.yaml'))).toBe(false);
});

test('writes to CDK8S_OUTDIR when no folder is given (as cdk8s synth runs an app)', () => {
  const saved = process.env.CDK8S_OUTDIR;
  process.env.CDK8S_OUTDIR = out;
  try {
    synthesize(shopApp());
  } finally {
    if (saved === undefined) delete process.env.CDK8S_OUTDIR;
    else process.env.CDK8S_OUTDIR = saved;
  }
  expect(existsSync(join(out, 'shop.k8s.yaml'))).toBe(true);
});

test('refuses a chart that is not a PlatformChart, naming it and the fix', () => {
  const app = shopApp();
  new Chart(app, 'plain');
  expect(() => synthesize(app, out)).toThrow(
    'plain: chart is a Chart, not a PlatformChart; create every chart of the app as a PlatformChart',
  );
});
