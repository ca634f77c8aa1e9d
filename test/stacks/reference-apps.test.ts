/**
 * The Pulumi program deploys every reference app exactly as committed in `charts-out/` (not a fixture), under
 * mocks, to an existing cluster: one namespace, the Secrets index.json declares, the manifests in ConfigGroups
 * after the add-ons they need, and the objects that own data protected.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { ChartsIndex } from '../../platform/contract';
import { installMocks, named, ofType, settle, unsecret } from '../cloud/harness';
import type { Recorded } from '../cloud/harness';

const recorded = installMocks((args) =>
  args.type === 'random:index/randomPassword:RandomPassword' ? { result: `random-${args.name}` } : undefined,
);

import { parseStackConfig } from '../../stacks/config';
import { deployPlatform } from '../../stacks/program';

const chartsDir = join(__dirname, '..', '..', 'charts-out');
const index = JSON.parse(readFileSync(join(chartsDir, 'index.json'), 'utf8')) as ChartsIndex;
// Values for the Secrets a user supplies through stack config (generated ones come from @pulumi/random).
const suppliedSecrets = Object.fromEntries(
  index.apps.flatMap((app) =>
    app.secrets
      .filter((s) => !s.generate)
      .flatMap((s) => s.keys.map((key) => [`${app.name}/${s.name}/${key}`, `value-of-${key}`])),
  ),
);
const platform = deployPlatform(parseStackConfig({ cloud: 'existing', secrets: suppliedSecrets }), {
  chartsDir,
  name: 'ref',
});

beforeAll(() => settle(recorded));

test('every app in charts-out is deployed', () => {
  expect(platform.apps).toEqual(index.apps.map((a) => a.name));
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
  const groups = () => ofType(recorded, 'kubernetes:yaml/v2:ConfigGroup').filter((g) => g.parent === `ref-${name}`);
  const objsOf = (group: Recorded) => group.inputs.objs as { kind: string; metadata: { name: string } }[];

  test('its namespace is created from the manifest', () => {
    const ns = ofType(recorded, 'kubernetes:core/v1:Namespace').find((n) => n.parent === `ref-${name}`);
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
    const secrets = ofType(recorded, 'kubernetes:core/v1:Secret').filter((s) => s.parent === `ref-${name}`);
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

  test('the manifests wait for the namespace, the Secrets and add-on releases', () => {
    const group = named(recorded, `ref-${name}`, 'kubernetes:yaml/v2:ConfigGroup');
    expect(group.dependsOn).toEqual(
      expect.arrayContaining([`ref-${name}-ns`, ...app.secrets.map((s) => `ref-${name}-${s.name}`)]),
    );
    expect(group.dependsOn.some((d) => d.startsWith('ref-addons-'))).toBe(true);
  });
});
