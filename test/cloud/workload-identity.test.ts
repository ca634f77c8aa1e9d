import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as k8s from '@pulumi/kubernetes';
import type * as pulumi from '@pulumi/pulumi';
import { installMocks, named, settle } from './harness';

const recorded = installMocks();

import { CHARTS_INDEX_VERSION, manifestDigest } from '../../platform/contract';
import type { ChartsIndex } from '../../platform/contract';
import { AppDeployment } from '../../platform/cloud/app-deployment';
import type { CloudIdentity, WorkloadIdentityBinder, WorkloadSubject } from '../../platform/cloud/workload-identity';
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
writeFileSync(join(dir, 'index.json'), JSON.stringify(index));

/** A cloud that records what it was asked to bind. */
const bound: { name: string; subject: WorkloadSubject; identity: CloudIdentity; parent: string }[] = [];
const cloud: WorkloadIdentityBinder = {
  bindWorkloadIdentity(name, subject, identity, parent: pulumi.Resource) {
    bound.push({ name, subject, identity, parent: (parent as AppDeployment).app.name });
    return { 'cloud.example/identity': `bound:${subject.serviceAccount}` };
  },
};
const provider = new k8s.Provider('test-k8s', {});
const writer: CloudIdentity = { kind: 'aws-iam-role', policyArns: ['arn:aws:iam::aws:policy/AmazonS3FullAccess'] };
new AppDeployment('media', {
  provider,
  chartsDir: dir,
  app: 'media',
  addons: {},
  identities: { 'media-writer': writer },
  workloadIdentity: cloud,
});

beforeAll(() => settle(recorded));

describe('workload identity in AppDeployment', () => {
  test('the cluster binds the app’s ServiceAccount to the identity the stack maps its name to', () => {
    expect(bound).toEqual([
      {
        name: 'media-uploads-identity',
        subject: { namespace: 'media', serviceAccount: 'uploads' },
        identity: writer,
        parent: 'media',
      },
    ]);
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

  test('an identity the stack config does not map is refused, naming the key to set', () => {
    expect(
      () =>
        new AppDeployment('unmapped', {
          provider,
          chartsDir: dir,
          app: 'media',
          addons: {},
          identities: {},
          workloadIdentity: cloud,
        }),
    ).toThrow(
      'app "media": ServiceAccount "uploads" acts as cloud identity "media-writer", but k8s-platform:identities ' +
        'has no "media-writer"; map it to an IAM role\'s policies (EKS) or a Google service account (GKE)',
    );
  });
});
