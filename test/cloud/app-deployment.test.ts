import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { installMocks, isSecretValue, named, ofType, recordedTransforms, settle, unsecret } from './harness';

const recorded = installMocks((args) =>
  args.type === 'random:index/randomPassword:RandomPassword' ? { result: `random-${args.name}` } : undefined,
);

import { AppDeployment, GENERATED_PASSWORD_LENGTH, skipAwait } from '../../platform/cloud/app-deployment';
import { splitManifest } from '../../platform/cloud/charts-index';
import { CHAT_SMTP, chatObjects, toYaml, writeChartsOut } from './fixtures';

const provider = new k8s.Provider('test-k8s', {});
// Stand-ins for the add-on releases and the node pool (custom resources, as the real ones are).
class Ready extends pulumi.CustomResource {
  constructor(name: string) {
    super('test:index:Ready', name, {});
  }
}
const ready = (name: string) => new Ready(name);
const ingress = ready('ingress-ready');
const prometheus = ready('prometheus-ready');
const linkerd = ready('linkerd-ready');
const contour = ready('contour-ready');
const nodes = ready('nodes-ready');
const addons = { 'ingress-nginx': ingress, prometheus, linkerd, contour };
const { dir } = writeChartsOut();

const chat = new AppDeployment('chat', {
  provider,
  chartsDir: dir,
  app: 'chat',
  secretValues: Object.fromEntries(Object.entries(CHAT_SMTP).map(([k, v]) => [k, pulumi.secret(v)])),
  addons,
  clusterReadiness: [nodes],
});
const web = new AppDeployment('web', { provider, chartsDir: dir, app: 'web', addons });
// The chat app with what its pods need before they start: a ServiceAccount and a ConfigMap.
const withPrerequisites = writeChartsOut({
  chatYaml: toYaml([
    ...chatObjects(),
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'backend', namespace: 'chat' } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'chat' }, data: { a: 'b' } },
  ]),
});
const prepared = new AppDeployment('prepared', {
  provider,
  chartsDir: withPrerequisites.dir,
  app: 'chat',
  secretValues: Object.fromEntries(Object.entries(CHAT_SMTP).map(([k, v]) => [k, pulumi.secret(v)])),
  addons,
  clusterReadiness: [nodes],
});

// The web app with its YAML split by the caller (an app stack's preflight), from a charts-out/ whose file changed
// since: the given manifest is used, the file is not read again.
const given = writeChartsOut();
const webManifest = splitManifest(given.index.apps[1], readFileSync(join(given.dir, 'web.k8s.yaml'), 'utf8'));
appendFileSync(join(given.dir, 'web.k8s.yaml'), '# edited after the preflight\n');
new AppDeployment('given', {
  provider,
  app: { entry: given.index.apps[1], manifest: webManifest },
  addons,
});

beforeAll(() => settle(recorded));

const SECRET = 'kubernetes:core/v1:Secret';
const GROUP = 'kubernetes:yaml/v2:ConfigGroup';

describe('namespace', () => {
  test('the namespace is created by Pulumi with the labels from the YAML', () => {
    const ns = named(recorded, 'chat-ns').inputs.metadata;
    expect(ns.name).toBe('chat');
    expect(ns.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'restricted',
      'app.kubernetes.io/part-of': 'chat',
    });
  });

  test('a meshed app namespace is annotated for Linkerd injection and waits for Linkerd', () => {
    const ns = named(recorded, 'chat-ns');
    expect(ns.inputs.metadata.annotations).toEqual({ 'linkerd.io/inject': 'enabled' });
    expect(ns.dependsOn).toContain('linkerd-ready');
  });

  test('an unmeshed app namespace has no injection annotation', () => {
    expect(named(recorded, 'web-ns').inputs.metadata.annotations).toEqual({});
  });

  test('the namespace of an app with data is protected (deleting it would delete its volumes)', () => {
    expect(named(recorded, 'chat-ns')).toMatchObject({ protect: true, retainOnDelete: true });
    expect(named(recorded, 'web-ns')).toMatchObject({ protect: false, retainOnDelete: false });
  });

  test('the Namespace object of the YAML is not applied again', () => {
    const objs = named(recorded, 'chat', GROUP).inputs.objs as Array<{ kind: string }>;
    expect(objs.some((o) => o.kind === 'Namespace')).toBe(false);
  });
});

describe('secrets', () => {
  const secret = (name: string) => named(recorded, name, SECRET);

  test('each Secret the app expects is created in its namespace', () => {
    expect(
      ofType(recorded, SECRET)
        .filter((s) => s.parent === 'chat')
        .map((s) => s.inputs.metadata.name)
        .sort(),
    ).toEqual(['postgres-credentials', 'smtp']);
    expect(secret('chat-smtp').inputs.metadata.namespace).toBe('chat');
  });

  test('stringData is always a secret, never plain', () => {
    ofType(recorded, SECRET).forEach((s) => expect(isSecretValue(s.inputs.stringData)).toBe(true));
  });

  test('data and stringData outputs are additional secret outputs', () => {
    ofType(recorded, SECRET).forEach((s) =>
      expect(s.additionalSecretOutputs).toEqual(expect.arrayContaining(['data', 'stringData'])),
    );
  });

  test('generate: true keys get a 32-character random password without special characters', () => {
    const password = named(recorded, 'chat-postgres-credentials-password');
    expect(password.inputs).toMatchObject({ length: GENERATED_PASSWORD_LENGTH, special: false });
    expect(unsecret(secret('chat-postgres-credentials').inputs.stringData)).toEqual({
      password: 'random-chat-postgres-credentials-password',
    });
  });

  test('the credentials of an app with data are protected like the data', () => {
    expect(secret('chat-postgres-credentials')).toMatchObject({ protect: true, retainOnDelete: true });
    expect(named(recorded, 'chat-postgres-credentials-password')).toMatchObject({ protect: true });
  });

  test('generate: false keys take their values from config', () => {
    expect(unsecret(secret('chat-smtp').inputs.stringData)).toEqual({ password: 's3cret-smtp', user: 'mailer' });
  });

  test('a missing config value fails with the command that sets it', () => {
    expect(() => new AppDeployment('bad', { provider, chartsDir: dir, app: 'chat', addons })).toThrow(
      `pulumi config set --secret --path 'secrets["chat/smtp/password"]' <value>`,
    );
  });
});

describe('applying the YAML', () => {
  test('a manifest the caller split already is applied as given, without parsing the file again', () => {
    expect(named(recorded, 'given', GROUP).inputs.objs).toEqual(webManifest.rest.map(skipAwait));
  });

  const group = () => named(recorded, 'chat', GROUP);
  const statefulGroup = () => named(recorded, 'chat-stateful', GROUP);

  test('stateless objects are applied as objs of a ConfigGroup', () => {
    expect((group().inputs.objs as Array<{ kind: string }>).map((o) => o.kind)).toEqual([
      'Deployment',
      'Service',
      'ServiceMonitor',
    ]);
  });

  test('the ConfigGroup waits for the namespace, the Secrets, the add-ons and the cluster', () => {
    expect(group().dependsOn).toEqual(
      expect.arrayContaining([
        'chat-ns',
        'chat-smtp',
        'chat-postgres-credentials',
        'ingress-ready',
        'prometheus-ready',
        'nodes-ready',
      ]),
    );
  });

  test('a meshed app waits for the Linkerd control plane', () => {
    expect(group().dependsOn).toContain('linkerd-ready');
  });

  test('an app waits only for the add-ons it uses', () => {
    const deps = named(recorded, 'web', GROUP).dependsOn;
    expect(deps).toContain('contour-ready');
    expect(deps).not.toContain('prometheus-ready');
  });

  test('stateful objects go to a separate, protected group', () => {
    expect((statefulGroup().inputs.objs as Array<{ kind: string }>).map((o) => o.kind)).toEqual(['StatefulSet']);
    expect(statefulGroup()).toMatchObject({ protect: true, retainOnDelete: true, transforms: 1 });
  });

  test("the transforms mark every child of a stateful group protected and retained, on the cluster's provider", async () => {
    // One transform per stateful group: chat's and prepared's (web has no data).
    expect(recordedTransforms).toHaveLength(2);
    for (const transform of recordedTransforms) {
      const result = await transform({
        type: 'kubernetes:apps/v1:StatefulSet',
        name: 'x',
        custom: true,
        props: { kind: 'StatefulSet' },
        opts: {},
      });
      expect(result?.props).toEqual({ kind: 'StatefulSet' });
      // Without the provider named again, the child went to the stack's default provider (the ambient kubeconfig).
      expect(result?.opts).toMatchObject({ protect: true, retainOnDelete: true, provider });
    }
  });

  test('ServiceAccounts and ConfigMaps are applied first, and both workload groups wait for them', () => {
    const first = named(recorded, 'prepared-prerequisites', GROUP);
    expect((first.inputs.objs as Array<{ kind: string }>).map((o) => o.kind)).toEqual(['ServiceAccount', 'ConfigMap']);
    expect(first.dependsOn).toEqual(expect.arrayContaining(['prepared-ns', 'ingress-ready', 'nodes-ready']));
    for (const workloads of ['prepared', 'prepared-stateful']) {
      expect(named(recorded, workloads, GROUP).dependsOn).toContain('prepared-prerequisites');
      expect(named(recorded, workloads, GROUP).inputs.objs).not.toContainEqual(
        expect.objectContaining({ kind: 'ServiceAccount' }),
      );
    }
    expect(prepared.podPrerequisites).toBeDefined();
    expect(chat.podPrerequisites).toBeUndefined();
  });

  test('claims and Services are applied without waiting for them; the workloads still wait', () => {
    const claim = {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'db-backup', annotations: { a: 'b' } },
    };
    expect(skipAwait(claim).metadata?.annotations).toEqual({ a: 'b', 'pulumi.com/skipAwait': 'true' });
    expect(claim.metadata.annotations).toEqual({ a: 'b' });
    const service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'db' } };
    expect(skipAwait(service).metadata?.annotations).toEqual({ 'pulumi.com/skipAwait': 'true' });
    for (const kind of ['StatefulSet', 'Deployment', 'Job']) {
      const workload = { apiVersion: 'apps/v1', kind, metadata: { name: 'db' } };
      expect(skipAwait(workload)).toBe(workload);
    }
  });

  test("the groups' Services skip their await, their Deployments and StatefulSets do not", () => {
    type Obj = { kind: string; metadata?: { annotations?: Record<string, string> } };
    const objs = [...(group().inputs.objs as Obj[]), ...(statefulGroup().inputs.objs as Obj[])];
    const skips = (kind: string) =>
      objs.filter((o) => o.kind === kind).map((o) => o.metadata?.annotations?.['pulumi.com/skipAwait']);
    expect(skips('Service')).toEqual(['true']);
    expect(skips('Deployment')).toEqual([undefined]);
    expect(skips('StatefulSet')).toEqual([undefined]);
  });

  test('an app without stateful objects has no stateful group', () => {
    expect(web.statefulWorkloads).toBeUndefined();
    expect(chat.statefulWorkloads).toBeDefined();
  });

  test('stale manifests are refused before anything is created', () => {
    const stale = writeChartsOut({ tamper: true });
    const before = recorded.length;
    expect(() => new AppDeployment('stale', { provider, chartsDir: stale.dir, app: 'web', addons })).not.toThrow();
    expect(
      () =>
        new AppDeployment('stale-chat', {
          provider,
          chartsDir: stale.dir,
          app: 'chat',
          addons,
          secretValues: { 'chat/smtp/password': 'x', 'chat/smtp/user': 'y' },
        }),
    ).toThrow(/is stale.*npm run synth/);
    expect(recorded.slice(before).some((r) => r.name.startsWith('stale-chat-'))).toBe(false);
  });

  test('an add-on the app needs but the stack does not install is an error', () => {
    expect(
      () => new AppDeployment('no-contour', { provider, chartsDir: dir, app: 'web', addons: { prometheus } }),
    ).toThrow('app "web" needs add-on "contour" (listed in charts-out/index.json) but the stack does not install it');
  });

  test('an app given by name needs the folder to read it from', () => {
    expect(() => new AppDeployment('no-dir', { provider, app: 'web', addons })).toThrow(
      'AppDeployment no-dir: app "web" is a name, so chartsDir is required to read it',
    );
  });

  test('an unknown app is an error listing the available ones', () => {
    expect(() => new AppDeployment('x', { provider, chartsDir: dir, app: 'nope', addons })).toThrow(
      /app "nope" is not in charts-out\/index\.json \(available: chat, web\)/,
    );
  });
});
