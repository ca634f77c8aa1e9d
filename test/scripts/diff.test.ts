import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import {
  diffManifests,
  diffObjects,
  diffValues,
  formatDiff,
  formatFieldChange,
  hasDifferences,
} from '../../scripts/lib/diff';
import type { KubeObject } from '../../scripts/lib/manifests';
import { GitError, readGitManifestTexts, readManifestTexts, runSynth } from '../../scripts/lib/sources';
import { firstContainer, goodDeployment, goodService, manifests } from './fixtures';
import { INDEX_FILE } from '../../platform/contract';

function yamlOf(...objects: KubeObject[]): string {
  return objects.map((o) => stringify(o)).join('---\n');
}

describe('diffValues', () => {
  it('describes a changed field by its path, old and new value', () => {
    const after = goodDeployment();
    firstContainer(after).image = 'ghcr.io/stefanprodan/podinfo:6.8.0';
    expect(diffValues(goodDeployment(), after).map(formatFieldChange)).toEqual([
      '~ spec.template.spec.containers[0].image: "ghcr.io/stefanprodan/podinfo:6.7.1" → "ghcr.io/stefanprodan/podinfo:6.8.0"',
    ]);
  });

  it('lists added and removed fields as leaves, quoting keys that are not identifiers', () => {
    const before = { metadata: { labels: { a: '1' } }, spec: { paused: true } };
    const after = { metadata: { labels: { a: '1', 'app.kubernetes.io/tier': 'web' } }, spec: {} };
    expect(diffValues(before, after).map(formatFieldChange)).toEqual([
      '+ metadata.labels["app.kubernetes.io/tier"]: "web"',
      '- spec.paused: true',
    ]);
  });

  it('matches named list items by name, so an insertion does not shift every later item', () => {
    const before = {
      env: [
        { name: 'A', value: '1' },
        { name: 'C', value: '3' },
      ],
    };
    const after = {
      env: [
        { name: 'A', value: '1' },
        { name: 'B', value: '2' },
        { name: 'C', value: '4' },
      ],
    };
    expect(diffValues(before, after).map(formatFieldChange)).toEqual([
      '+ env[1].name: "B"',
      '+ env[1].value: "2"',
      '~ env[2].value: "3" → "4"',
    ]);
  });

  it('compares JSON documents held in strings (dashboards) structurally', () => {
    const before = { data: { 'd.json': JSON.stringify({ title: 'API', panels: [{ id: 1 }] }) } };
    const after = { data: { 'd.json': JSON.stringify({ title: 'API v2', panels: [{ id: 1 }] }) } };
    expect(diffValues(before, after).map(formatFieldChange)).toEqual(['~ data["d.json"].title: "API" → "API v2"']);
  });

  it('compares multi-line strings line by line', () => {
    const changes = diffValues({ conf: 'a\nb\nc' }, { conf: 'a\nB\nc' }).map(formatFieldChange);
    expect(changes).toEqual(['- conf line 2: "b"', '+ conf line 2: "B"']);
  });
});

describe('diffObjects', () => {
  it('reports an added object', () => {
    const { changes } = diffObjects(manifests(goodDeployment()), manifests(goodDeployment(), goodService()));
    expect(changes.map((c) => `${c.status} ${c.ref}`)).toEqual(['added Service/shop/web']);
  });

  it('reports a removed object', () => {
    const { changes } = diffObjects(manifests(goodDeployment(), goodService()), manifests(goodDeployment()));
    expect(changes.map((c) => `${c.status} ${c.ref}`)).toEqual(['removed Service/shop/web']);
  });

  it('reports a changed object with its field changes', () => {
    const after = goodDeployment();
    (after.spec as Record<string, unknown>).replicas = 3;
    const { changes, unchanged } = diffObjects(
      manifests(goodDeployment(), goodService()),
      manifests(after, goodService()),
    );
    expect(changes).toEqual([
      expect.objectContaining({
        status: 'changed',
        ref: 'Deployment/shop/web',
        fields: [{ op: '~', path: 'spec.replicas', before: 2, after: 3 }],
      }),
    ]);
    expect(unchanged).toBe(1);
  });

  it('treats a new apiVersion as a removal plus an addition (objects match by apiVersion, kind, namespace, name)', () => {
    const after = { ...goodDeployment(), apiVersion: 'apps/v1beta2' };
    const { changes } = diffObjects(manifests(goodDeployment()), manifests(after));
    expect(changes.map((c) => c.status).sort()).toEqual(['added', 'removed']);
  });

  it('ignores the order of objects in the files', () => {
    const { changes } = diffObjects(
      manifests(goodDeployment(), goodService()),
      manifests(goodService(), goodDeployment()),
    );
    expect(changes).toEqual([]);
  });
});

describe('diffManifests', () => {
  it('formats added, removed and changed objects and a summary line', () => {
    const after = goodDeployment();
    firstContainer(after).image = 'nginx:1.27';
    const cm: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cfg', namespace: 'shop' },
      data: { a: 'b' },
    };
    const diff = diffManifests(
      new Map([['shop.k8s.yaml', yamlOf(goodDeployment(), goodService())]]),
      new Map([['shop.k8s.yaml', yamlOf(after, cm)]]),
    );
    expect(formatDiff(diff)).toBe(
      [
        '- Service/shop/web (v1, shop.k8s.yaml) removed',
        '~ Deployment/shop/web (apps/v1, shop.k8s.yaml) changed',
        '    ~ spec.template.spec.containers[0].image: "ghcr.io/stefanprodan/podinfo:6.7.1" → "nginx:1.27"',
        '+ ConfigMap/shop/cfg (v1, shop.k8s.yaml) added',
        '    + apiVersion: v1',
        '    + kind: ConfigMap',
        '    + metadata:',
        '    +   name: cfg',
        '    +   namespace: shop',
        '    + data:',
        '    +   a: b',
        'diff: 1 added, 1 removed, 1 changed, 0 unchanged objects',
      ].join('\n'),
    );
  });

  it('finds no differences between identical sets', () => {
    const texts = new Map([
      ['shop.k8s.yaml', yamlOf(goodDeployment())],
      [INDEX_FILE, '{"version":1,"apps":[]}'],
    ]);
    const diff = diffManifests(texts, new Map(texts));
    expect(hasDifferences(diff)).toBe(false);
  });

  it('reports files whose bytes differ although every object is equal', () => {
    const diff = diffManifests(
      new Map([['shop.k8s.yaml', yamlOf(goodDeployment())]]),
      new Map([['shop.k8s.yaml', `# reformatted\n${yamlOf(goodDeployment())}`]]),
    );
    expect(diff.reformatted).toEqual(['shop.k8s.yaml']);
    expect(hasDifferences(diff)).toBe(true);
  });

  it('reports index.json changes other than digests', () => {
    const index = (digest: string, secrets: string[]): string =>
      JSON.stringify({ version: 1, apps: [{ name: 'shop', digest, secrets }] });
    const diff = diffManifests(
      new Map([[INDEX_FILE, index('sha256:a', [])]]),
      new Map([[INDEX_FILE, index('sha256:b', ['db'])]]),
    );
    expect(diff.index.map(formatFieldChange)).toEqual(['+ apps[0].secrets[0]: "db"']);
  });
});

describe('readGitManifestTexts (--base)', () => {
  let repo: string;
  const git = (...args: string[]): void => {
    const r = spawnSync('git', args, { cwd: repo, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
  };

  beforeAll(() => {
    repo = mkdtempSync(join(tmpdir(), 'diff-base-'));
    git('init', '-q');
    git('config', 'user.email', 'test@example.com');
    git('config', 'user.name', 'test');
    mkdirSync(join(repo, 'charts-out'));
    writeFileSync(join(repo, 'charts-out', 'shop.k8s.yaml'), yamlOf(goodDeployment()));
    writeFileSync(join(repo, 'charts-out', 'notes.txt'), 'not a manifest');
    git('add', '.');
    git('commit', '-q', '-m', 'base');
  });

  afterAll(() => rmSync(repo, { recursive: true, force: true }));

  it('reads the manifests committed at a ref', () => {
    const texts = readGitManifestTexts('HEAD', 'charts-out', repo);
    expect([...texts.keys()]).toEqual(['shop.k8s.yaml']);
    expect(texts.get('shop.k8s.yaml')).toBe(yamlOf(goodDeployment()));
  });

  it('rejects a ref that is not a commit', () => {
    expect(() => readGitManifestTexts('no-such-ref', 'charts-out', repo)).toThrow(GitError);
  });
});

describe('runSynth', () => {
  it('runs the synth command with --out <dir> and reports its output on failure', () => {
    const out = mkdtempSync(join(tmpdir(), 'synth-'));
    try {
      const write = `require('fs').writeFileSync(require('path').join(process.argv[2], 'a.k8s.yaml'), 'kind: X')`;
      // With `node -e <script> -- --out <dir>`, the script sees ["node", "--out", "<dir>"] in process.argv.
      expect(runSynth(out, process.cwd(), [process.execPath, '-e', write, '--'])).toEqual({ ok: true, output: '' });
      expect([...readManifestTexts(out).keys()]).toEqual(['a.k8s.yaml']);
      const failed = runSynth(out, process.cwd(), [
        process.execPath,
        '-e',
        'console.error("boom"); process.exit(3)',
        '--',
      ]);
      expect(failed).toEqual({ ok: false, output: 'boom\n' });
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
