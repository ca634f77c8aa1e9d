/** End-to-end runs of the command-line tools, as CI runs them (one process each, so kept few). */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { KubeObject } from '../../scripts/lib/manifests';
import { parseManifests } from '../../scripts/lib/manifests';
import { readManifestTexts } from '../../scripts/lib/sources';
import { firstContainer, goodApp } from './fixtures';

const TS_NODE = require.resolve('ts-node/dist/bin.js');

function run(script: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [TS_NODE, '--swc', `scripts/${script}.ts`, ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

let root: string;

function writeApp(dir: string, objects: KubeObject[]): string {
  const path = join(root, dir);
  mkdirSync(path, { recursive: true });
  writeFileSync(join(path, 'shop.k8s.yaml'), objects.map((o) => stringify(o)).join('---\n'));
  return path;
}

function withoutLiveness(): KubeObject[] {
  const [d, ...rest] = goodApp();
  delete firstContainer(d).livenessProbe;
  return [d, ...rest];
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'scripts-cli-'));
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('npm run validate', () => {
  it('exits 0 with a summary on compliant manifests', () => {
    const r = run('validate', '--skip-index', '--dir', writeApp('good', goodApp()));
    expect(r.stdout).toMatch(/^validate: 4 objects, no findings \[\d+ ms\]$/m);
    expect(r.status).toBe(0);
  });

  it('exits 1 naming the file, object and rule when a probe is removed', () => {
    const r = run('validate', '--skip-index', '--dir', writeApp('no-probe', withoutLiveness()));
    expect(r.stdout).toContain(
      'shop.k8s.yaml: Deployment/shop/web: [probes] spec.template.spec.containers[0] "web": add livenessProbe',
    );
    expect(r.status).toBe(1);
  });

  it('exits 2 on a usage error', () => {
    const r = run('validate', '--rule', 'no-such-rule');
    expect(r.stderr).toMatch(/unknown rule "no-such-rule"/);
    expect(r.status).toBe(2);
  });
});

describe('npm run diff', () => {
  it('exits 0 when the folders hold the same objects and 1 with a field diff when they do not', () => {
    const a = writeApp('diff-a', goodApp());
    const same = run('diff', '--from', a, '--to', writeApp('diff-b', goodApp()));
    expect(same.status).toBe(0);
    const changed = run('diff', '--from', a, '--to', writeApp('diff-c', withoutLiveness()));
    expect(changed.stdout).toContain('- spec.template.spec.containers[0].livenessProbe.httpGet.path: "/healthz"');
    expect(changed.status).toBe(1);
  });
});

describe('npm run report', () => {
  it('prints a Markdown capacity report for the node size given', () => {
    const r = run('report', '--dir', writeApp('report', goodApp()), '--node-cpu', '4', '--node-memory', '16Gi');
    expect(r.stdout).toContain('| shop | 2 | 200m | 1 | 256Mi | 512Mi | 0 | — |');
    expect(r.stdout).toContain('Node size: 4 CPU, 16Gi memory');
    expect(r.status).toBe(0);
  });
});

describe('k8s-platform (the package bin)', () => {
  const cli = (cwd: string, ...args: string[]) =>
    spawnSync(process.execPath, [TS_NODE, '--swc', join(__dirname, '..', '..', 'scripts', 'cli.ts'), ...args], {
      cwd,
      encoding: 'utf8',
    });

  it('diff --help prints its own usage, not the npm script of this repository', () => {
    const r = cli(process.cwd(), 'diff', '--help');
    expect(r.stdout).toMatch(/^usage: k8s-platform diff \[--base <git-ref>/);
    expect(r.stdout).not.toContain('npm run');
    expect(r.status).toBe(0);
  });

  it('synth prints the apps, objects and files it wrote', () => {
    const dir = join(root, 'consumer');
    mkdirSync(dir, { recursive: true });
    const app = join(__dirname, '..', '..', 'apps', 'main.ts');
    writeFileSync(join(dir, 'cdk8s.yaml'), `app: ${process.execPath} ${TS_NODE} --swc ${app}\noutput: out\n`);
    const r = cli(dir, 'synth');
    expect(r.status).toBe(0);
    const texts = readManifestTexts(join(dir, 'out'));
    const files = [...texts.keys()].filter((f) => f.endsWith('.k8s.yaml'));
    const objects = files.reduce((n, f) => n + parseManifests(texts.get(f) as string, f).objects.length, 0);
    const apps = files.map((f) => f.replace('.k8s.yaml', ''));
    expect(objects).toBeGreaterThan(100);
    expect(r.stdout).toContain(`synth: ${apps.length} apps (`);
    expect(r.stdout).toContain(`, ${objects} objects, ${files.length + 1} files (`);
    expect(r.stdout).toMatch(/index\.json\) in out\n$/);
  });
});
