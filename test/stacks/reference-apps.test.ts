/**
 * The platform stack serves every reference app exactly as committed in `charts-out/` (not a fixture), and each
 * app's own stack deploys it under mocks onto that platform (its exports handed over as a StackReference would):
 * one namespace, the Secrets index.json declares, the manifests in ConfigGroups, and the objects that own data
 * protected.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { installMocks, named, ofType, settle, unsecret, valueOf } from '../cloud/harness';
import type { Recorded } from '../cloud/harness';

/** The platform stack's `platform` output, once it is computed below. */
let platformOutput: unknown;
const recorded = installMocks((args) => {
  if (args.type === 'random:index/randomPassword:RandomPassword') return { result: `random-${args.name}` };
  if (args.type === 'pulumi:pulumi:StackReference') return { outputs: { platform: platformOutput } };
  return undefined;
});

import { parseAppStackConfig } from '../../platform/cloud/stack/app-config';
import { deployApp } from '../../platform/cloud/stack/app-program';
import { parseStackConfig } from '../../platform/cloud/stack/config';
import { deployPlatform } from '../../platform/cloud/stack/platform-program';
import { readChartsIndex } from '../../platform/cloud/charts-index';

const chartsDir = join(__dirname, '..', '..', 'charts-out');
const index = readChartsIndex(chartsDir);
// Values for the Secrets a user supplies through stack config (generated ones come from @pulumi/random).
const suppliedSecrets = Object.fromEntries(
  index.apps.flatMap((app) =>
    app.secrets
      .filter((s) => !s.generate)
      .flatMap((s) => s.keys.map((key) => [`${app.name}/${s.name}/${key}`, `value-of-${key}`])),
  ),
);
const platform = deployPlatform(parseStackConfig({ cloud: 'existing' }), { chartsDir, name: 'ref' });
const platformStack = 'organization/k8s-platform/ref';

beforeAll(async () => {
  platformOutput = await valueOf(platform.exports);
  for (const app of index.apps) {
    const secrets = Object.fromEntries(Object.entries(suppliedSecrets).filter(([k]) => k.startsWith(`${app.name}/`)));
    await deployApp(parseAppStackConfig({ platformStack, app: app.name, secrets }), chartsDir);
  }
  await settle(recorded);
});

test('every app in charts-out is served by the platform, and each app stack accepts its platform', () => {
  expect(platform.apps).toEqual(index.apps.map((a) => a.name));
  expect(ofType(recorded, 'platform:cloud:AppDeployment').map((d) => d.name)).toEqual(
    index.apps.map((a) => `k8s-platform-ref-${a.name}`),
  );
});

test('the add-ons installed cover every add-on the apps list', () => {
  const wanted = new Set(index.apps.flatMap((a) => a.addons));
  expect(platform.installedAddons).toEqual(expect.arrayContaining([...wanted]));
});

describe.each(index.apps.map((app) => [app.name, app] as const))('%s', (name, app) => {
  const objects = parseAllDocuments(readFileSync(join(chartsDir, app.file), 'utf8')).map(
    (d) => d.toJS() as { kind: string; metadata: { name: string } },
  );
  const statefulKeys = new Set(app.stateful.map((s) => `${s.kind}/${s.name}`));
  // Read after settle(): registrations arrive asynchronously.
  const groups = () =>
    ofType(recorded, 'kubernetes:yaml/v2:ConfigGroup').filter((g) => g.parent === `k8s-platform-ref-${name}`);
  const objsOf = (group: Recorded) => group.inputs.objs as { kind: string; metadata: { name: string } }[];

  test('its namespace is created from the manifest', () => {
    const ns = ofType(recorded, 'kubernetes:core/v1:Namespace').find((n) => n.parent === `k8s-platform-ref-${name}`);
    expect(ns?.inputs.metadata.name).toBe(app.namespace);
  });

  test('every other object of the manifest is applied exactly once', () => {
    const expected = objects.filter((o) => o.kind !== 'Namespace').map((o) => `${o.kind}/${o.metadata.name}`);
    expect(
      groups()
        .flatMap(objsOf)
        .map((o) => `${o.kind}/${o.metadata.name}`)
        .sort(),
    ).toEqual(expected.sort());
  });

  test('each declared Secret is created with its keys, never from the manifests', () => {
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
    const secrets = ofType(recorded, 'kubernetes:core/v1:Secret').filter(
      (s) => s.parent === `k8s-platform-ref-${name}`,
    );
    expect(secrets.map((s) => s.inputs.metadata.name).sort()).toEqual(app.secrets.map((s) => s.name).sort());
    for (const s of app.secrets) {
      const created = secrets.find((r) => r.inputs.metadata.name === s.name);
      expect(Object.keys(unsecret(created?.inputs.stringData) as object).sort()).toEqual([...s.keys].sort());
    }
  });

  test('the objects owning data are in a protected group', () => {
    const protectedObjects = groups()
      .filter((g) => g.protect && g.retainOnDelete)
      .flatMap(objsOf);
    expect(protectedObjects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([...statefulKeys].sort());
  });

  test('the manifests wait for the namespace and the Secrets', () => {
    const group = named(recorded, `k8s-platform-ref-${name}`, 'kubernetes:yaml/v2:ConfigGroup');
    expect(group.dependsOn).toEqual(
      expect.arrayContaining([
        `k8s-platform-ref-${name}-ns`,
        ...app.secrets.map((s) => `k8s-platform-ref-${name}-${s.name}`),
      ]),
    );
  });
});
