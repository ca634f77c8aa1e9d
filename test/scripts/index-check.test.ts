import { stringify } from 'yaml';
import { manifestDigest } from '../../platform/contract';
import type { AppEntry } from '../../platform/contract';
import { checkIndex } from '../../scripts/lib/index-check';
import { parseManifests } from '../../scripts/lib/manifests';
import type { KubeObject } from '../../scripts/lib/manifests';
import { goodApp, goodServiceMonitor } from './fixtures';

const FILE = 'shop.k8s.yaml';

function setup(
  objects: KubeObject[] = [...goodApp(), goodServiceMonitor()],
  entry: Partial<AppEntry> = {},
): { messages: string[] } {
  const text = objects.map((o) => stringify(o)).join('---\n');
  const app: AppEntry = {
    name: 'shop',
    file: FILE,
    namespace: 'shop',
    digest: manifestDigest(text),
    secrets: [{ name: 'db', keys: ['password'], generate: true, description: 'database' }],
    addons: ['prometheus'],
    stateful: [],
    hosts: [],
    meshed: false,
    gatewayHttpsHosts: [],
    ...entry,
  };
  const texts = new Map([[FILE, text]]);
  const findings = checkIndex({ version: 1, apps: [app] }, texts, parseManifests(text, FILE).objects);
  return { messages: findings.map((f) => `${f.object}: ${f.message}`) };
}

describe('checkIndex', () => {
  it('passes an index that matches its manifests', () => {
    expect(setup().messages).toEqual([]);
  });

  it('reports a digest that does not match the file', () => {
    expect(setup(undefined, { digest: 'sha256:00' }).messages).toEqual([
      'app shop: digest of shop.k8s.yaml does not match the file; re-run npm run synth and commit both',
    ]);
  });

  it('reports a Secret the pods read but the index does not declare', () => {
    expect(setup(undefined, { secrets: [] }).messages).toEqual([
      'app shop: Secret db is read by the pods but not declared in secrets; declare it with requireSecret()',
    ]);
  });

  it('reports a Secret key the pods read but the index does not list', () => {
    const secrets = [{ name: 'db', keys: ['user'], generate: true, description: 'database' }];
    expect(setup(undefined, { secrets }).messages).toEqual([
      'app shop: Secret db lacks keys password that the pods read',
    ]);
  });

  it('reports an add-on the manifests need but the index lacks', () => {
    expect(setup(undefined, { addons: [] }).messages).toEqual([
      'app shop: addons lacks prometheus, which the manifests use; Pulumi would not install them',
    ]);
  });

  it('reports hosts that differ from the routes', () => {
    expect(setup(undefined, { hosts: ['shop.example.com'] }).messages[0]).toMatch(
      /^app shop: hosts \["shop.example.com"\] differ/,
    );
  });

  it('reports gateway HTTPS hosts the routes do not attach to', () => {
    expect(setup(undefined, { gatewayHttpsHosts: ['shop.example.com'] }).messages).toEqual([
      'app shop: gatewayHttpsHosts ["shop.example.com"] differ from the hosts whose routes attach to an HTTPS listener of the platform Gateway []; Pulumi would create the wrong listeners',
    ]);
  });

  it('reports gateway plain-HTTP hosts the routes do not attach to', () => {
    expect(setup(undefined, { gatewayHttpHosts: ['internal.example.com'] }).messages).toEqual([
      'app shop: gatewayHttpHosts ["internal.example.com"] differ from the hosts whose routes attach to a plain-HTTP listener of the platform Gateway []; Pulumi would create the wrong listeners',
    ]);
  });

  it('reports a volume owner missing from stateful', () => {
    const pvc: KubeObject = {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'data', namespace: 'shop' },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    };
    expect(setup([...goodApp(), goodServiceMonitor(), pvc]).messages).toEqual([
      'app shop: PersistentVolumeClaim/data owns volumes but is not listed in stateful (no deletion protection)',
    ]);
  });

  it('reports a manifest file the index does not list, and a missing index', () => {
    const texts = new Map([['other.k8s.yaml', '']]);
    expect(checkIndex({ version: 1, apps: [] }, texts, []).map((f) => f.message)).toEqual([
      'other.k8s.yaml is not listed in apps',
    ]);
    expect(checkIndex(undefined, texts, []).map((f) => f.message)).toEqual([
      'index.json is missing; run npm run synth',
    ]);
  });
});
