/** A small `charts-out/` in a temp directory: one stateful meshed app and one stateless app. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { CHARTS_INDEX_VERSION, manifestDigest } from '../../platform/contract';
import { INDEX_FILE } from '../../platform/contract';
import type { AppEntry, ChartsIndex } from '../../platform/contract';

/** The chat app's objects: its namespace, a Deployment, a Service and a PostgreSQL StatefulSet. */
export function chatObjects(retention: 'Retain' | 'Delete' = 'Retain'): Record<string, unknown>[] {
  return [
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'chat', labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'backend', namespace: 'chat' },
      spec: { template: { spec: { containers: [{ name: 'app', image: 'ghcr.io/stefanprodan/podinfo:6.7.1' }] } } },
    },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'backend', namespace: 'chat' } },
    {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: { name: 'backend', namespace: 'chat' },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'postgres', namespace: 'chat' },
      spec: { persistentVolumeClaimRetentionPolicy: { whenDeleted: retention, whenScaled: 'Retain' } },
    },
  ];
}

/** Multi-document YAML of some objects. */
export function toYaml(objects: readonly unknown[]): string {
  return objects.map((o) => stringify(o)).join('---\n');
}

/** The chat app's index entry for a given YAML text. */
export function chatEntry(yamlText: string, overrides: Partial<AppEntry> = {}): AppEntry {
  return {
    name: 'chat',
    file: 'chat.k8s.yaml',
    namespace: 'chat',
    digest: manifestDigest(yamlText),
    secrets: [
      { name: 'postgres-credentials', keys: ['password'], generate: true, description: 'PostgreSQL password' },
      { name: 'smtp', keys: ['password', 'user'], generate: false, description: 'SMTP relay for notifications' },
    ],
    addons: ['ingress-nginx', 'prometheus'],
    stateful: [{ kind: 'StatefulSet', name: 'postgres' }],
    hosts: ['chat.example.com'],
    meshed: true,
    gatewayHttpsHosts: [],
    ...overrides,
  };
}

const WEB_OBJECTS = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'web' } },
  { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'web' } },
];

/** A `charts-out/` directory with `chat` and `web`; returns its path and index. */
export function writeChartsOut(options: { chatYaml?: string; tamper?: boolean; chat?: Partial<AppEntry> } = {}): {
  dir: string;
  index: ChartsIndex;
} {
  const dir = mkdtempSync(join(tmpdir(), 'charts-out-'));
  const chatYaml = options.chatYaml ?? toYaml(chatObjects());
  const webYaml = toYaml(WEB_OBJECTS);
  const index: ChartsIndex = {
    version: CHARTS_INDEX_VERSION,
    apps: [
      chatEntry(chatYaml, options.chat),
      {
        name: 'web',
        file: 'web.k8s.yaml',
        namespace: 'web',
        digest: manifestDigest(webYaml),
        secrets: [],
        addons: ['contour'],
        stateful: [],
        hosts: ['web.example.com'],
        meshed: false,
        gatewayHttpsHosts: [],
      },
    ],
  };
  writeFileSync(join(dir, 'chat.k8s.yaml'), options.tamper ? chatYaml + '# edited by hand\n' : chatYaml);
  writeFileSync(join(dir, 'web.k8s.yaml'), webYaml);
  writeFileSync(join(dir, INDEX_FILE), JSON.stringify(index, null, 2));
  return { dir, index };
}

/** Config secrets that satisfy the chat app's non-generated Secret. */
export const CHAT_SMTP = { 'chat/smtp/password': 's3cret-smtp', 'chat/smtp/user': 'mailer' };

/** The expiry the mocked self-signed certificates report. */
export const TRUST_ANCHOR_NOT_AFTER = '2036-12-01T10:00:00Z';

/** Mock state of the `@pulumi/tls` and `@pulumi/random` resources the add-ons create (PEMs and passwords). */

export function addonSecretsState(args: { type: string; name: string }): Record<string, unknown> | undefined {
  switch (args.type) {
    case 'tls:index/privateKey:PrivateKey':
      return { privateKeyPem: `KEY(${args.name})` };
    case 'tls:index/selfSignedCert:SelfSignedCert':
      return { certPem: `CERT(${args.name})`, validityEndTime: TRUST_ANCHOR_NOT_AFTER };
    case 'tls:index/locallySignedCert:LocallySignedCert':
      return { certPem: `CERT(${args.name})` };
    case 'tls:index/certRequest:CertRequest':
      return { certRequestPem: `CSR(${args.name})` };
    case 'random:index/randomPassword:RandomPassword':
      return { result: 'generated-password' };
    default:
      return undefined;
  }
}
