import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as k8s from '@pulumi/kubernetes';
import type * as pulumi from '@pulumi/pulumi';
import { installMocks, named, settle, valueOf } from './harness';

const recorded = installMocks();

import { CHARTS_INDEX_VERSION, manifestDigest } from '../../platform/contract';
import { INDEX_FILE } from '../../platform/contract';
import type { ChartsIndex } from '../../platform/contract';
import { AppDeployment } from '../../platform/cloud/app-deployment';
import type { CloudIdentity, WorkloadIdentityBinder, WorkloadSubject } from '../../platform/cloud/workload-identity';
import type { PlatformCluster } from '../../platform/cloud/cluster';
import { parseStackConfig } from '../../platform/cloud/stack/config';
import type { StackConfig } from '../../platform/cloud/stack/config';
import { bindIdentities } from '../../platform/cloud/stack/identities';
import { toYaml } from './fixtures';

const yamlText = toYaml([
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'media' } },
  { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'uploads', namespace: 'media', labels: { a: 'b' } } },
  { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'web', namespace: 'media' } },
]);
const index: ChartsIndex = {
  version: CHARTS_INDEX_VERSION,
  apps: [
    {
      name: 'media',
      file: 'media.k8s.yaml',
      namespace: 'media',
      digest: manifestDigest(yamlText),
      secrets: [],
      addons: [],
      stateful: [],
      hosts: [],
      gatewayHttpsHosts: [],
      meshed: false,
      identities: [{ serviceAccount: 'uploads', identity: 'media-writer' }],
    },
  ],
};
const dir = mkdtempSync(join(tmpdir(), 'charts-out-'));
writeFileSync(join(dir, 'media.k8s.yaml'), yamlText);
writeFileSync(join(dir, INDEX_FILE), JSON.stringify(index));

/** A cloud that records what it was asked to bind. */
const bound: { name: string; subject: WorkloadSubject; identity: CloudIdentity; parent: string }[] = [];
const cloud: WorkloadIdentityBinder = {
  bindWorkloadIdentity(name, subject, identity, parent: pulumi.Resource) {
    bound.push({ name, subject, identity, parent: (parent as unknown as { __name: string }).__name });
    return { 'cloud.example/identity': `bound:${subject.serviceAccount}` };
  },
};
const writer: CloudIdentity = { kind: 'aws-iam-role', policyArns: ['arn:aws:iam::aws:policy/AmazonS3FullAccess'] };
const cluster = { workloadIdentity: cloud } as unknown as PlatformCluster;
const platformConfig = (identities: StackConfig['identities']): StackConfig =>
  ({ ...parseStackConfig({}), identities }) as StackConfig;
const annotations = bindIdentities('eks-dev', platformConfig({ 'media-writer': writer }), cluster, index.apps);
const provider = new k8s.Provider('test-k8s', {});
new AppDeployment('media', {
  provider,
  chartsDir: dir,
  app: 'media',
  addons: {},
  serviceAccountAnnotations: { uploads: { 'cloud.example/identity': 'bound:uploads' } },
});

beforeAll(() => settle(recorded));

describe('workload identity: bound by the platform stack, put on by the app stack', () => {
  test('the platform binds each served app’s ServiceAccount to the identity its config maps the name to', () => {
    expect(bound).toEqual([
      {
        name: 'eks-dev-media-uploads-identity',
        subject: { namespace: 'media', serviceAccount: 'uploads' },
        identity: writer,
        parent: 'eks-dev-identities',
      },
    ]);
  });

  test('the platform exports the annotations by namespace/ServiceAccount', async () => {
    expect(await valueOf(annotations)).toEqual({ 'media/uploads': { 'cloud.example/identity': 'bound:uploads' } });
  });

  test('the applied ServiceAccount carries the cloud’s annotation; others are untouched', () => {
    const objs: { kind: string; metadata: { name: string; annotations?: Record<string, string> } }[] = named(
      recorded,
      'media-prerequisites',
      'kubernetes:yaml/v2:ConfigGroup',
    ).inputs.objs;
    const sa = (name: string) => objs.find((o) => o.kind === 'ServiceAccount' && o.metadata.name === name)!;
    expect(sa('uploads').metadata.annotations).toEqual({ 'cloud.example/identity': 'bound:uploads' });
    expect(sa('web').metadata.annotations).toBeUndefined();
  });

  test('an identity the platform config does not map is refused, naming the key to set', () => {
    expect(() => bindIdentities('unmapped', platformConfig({}), cluster, index.apps)).toThrow(
      'app "media": ServiceAccount "uploads" acts as cloud identity "media-writer", but k8s-platform:identities ' +
        'has no "media-writer"; map it to an IAM role\'s policies (EKS) or a Google service account (GKE)',
    );
  });
});
