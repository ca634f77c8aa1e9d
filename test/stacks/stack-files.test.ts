import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { parseAppStackConfig } from '../../platform/cloud/stack/app-config';
import { parseStackConfig } from '../../platform/cloud/stack/config';
import type { RawStackConfig } from '../../platform/cloud/stack/config';
import { checkConfigKeys, stackRole } from '../../platform/cloud/stack/config-keys';
import { readChartsIndex } from '../../platform/cloud/charts-index';

const STACKS = join(__dirname, '../../stacks');
const files = readdirSync(STACKS).filter((f) => /^Pulumi\..+\.yaml$/.test(f));

const MY_ADDRESS = '203.0.113.7/32';

/** What a user sets with `pulumi config set` after `pulumi stack init`, merged into the file's sections. */
interface UserSettings {
  readonly gcpProject?: string;
  readonly gke?: Record<string, unknown>;
  readonly eks?: Record<string, unknown>;
}

/** The raw config a stack file gives the program (as `readRawConfig` would read it). */
function rawConfig(file: string, extra: UserSettings = {}): RawStackConfig {
  const config = (parse(readFileSync(join(STACKS, file), 'utf8')) as { config: Record<string, unknown> }).config;
  const ours = Object.fromEntries(
    Object.entries(config)
      .filter(([key]) => key.startsWith('k8s-platform:'))
      .map(([key, value]) => [key.slice('k8s-platform:'.length), value]),
  );
  return {
    ...ours,
    awsRegion: config['aws:region'],
    gcpProject: extra.gcpProject ?? config['gcp:project'],
    ...(extra.gke ? { gke: { ...(ours.gke as object), ...extra.gke } } : {}),
    ...(extra.eks ? { eks: { ...(ours.eks as object), ...extra.eks } } : {}),
  };
}

describe('stack files', () => {
  const index = readChartsIndex(join(STACKS, '..', 'charts-out'));
  const appStacks = index.apps.map((a) => `Pulumi.local-${a.name}.yaml`);

  test('three platform stacks, and an app stack for each app of charts-out on local', () => {
    expect(files.sort()).toEqual(
      ['Pulumi.eks-dev.yaml', 'Pulumi.gke-dev.yaml', 'Pulumi.local.yaml', ...appStacks].sort(),
    );
  });

  test('each stack file uses only keys its kind of stack reads', () => {
    for (const file of files) {
      const config = (parse(readFileSync(join(STACKS, file), 'utf8')) as { config: Record<string, unknown> }).config;
      const keys = Object.keys(config).map((k) => k.replace(/^k8s-platform:/, ''));
      expect(() => checkConfigKeys(config, stackRole(keys))).not.toThrow();
    }
  });

  test('each app stack deploys its app onto the local platform stack', () => {
    for (const [i, file] of appStacks.entries()) {
      const config = (parse(readFileSync(join(STACKS, file), 'utf8')) as { config: Record<string, unknown> }).config;
      expect(
        parseAppStackConfig({ platformStack: config['k8s-platform:platformStack'], app: config['k8s-platform:app'] }),
      ).toEqual({ platformStack: 'organization/k8s-platform/local', app: index.apps[i].name, secrets: {} });
    }
  });

  test('local is an existing-cluster stack', () => {
    expect(parseStackConfig(rawConfig('Pulumi.local.yaml')).cloud).toBe('existing');
  });

  test('gke-dev is valid once gcp:project and the authorized networks are set', () => {
    const user = { gcpProject: 'my-project', gke: { authorizedNetworks: [MY_ADDRESS] } };
    expect(parseStackConfig(rawConfig('Pulumi.gke-dev.yaml', user))).toMatchObject({
      cloud: 'gke',
      region: 'europe-west1',
      gke: { authorizedNetworks: [MY_ADDRESS] },
    });
  });

  test('gke-dev without a project says how to set it', () => {
    const user = { gke: { authorizedNetworks: [MY_ADDRESS] } };
    expect(() => parseStackConfig(rawConfig('Pulumi.gke-dev.yaml', user))).toThrow('required (or set gcp:project)');
  });

  test('gke-dev does not open the API endpoint until you authorize your address', () => {
    expect(() => parseStackConfig(rawConfig('Pulumi.gke-dev.yaml', { gcpProject: 'my-project' }))).toThrow(
      'k8s-platform:gke.authorizedNetworks is undefined; required',
    );
  });

  test('eks-dev is valid once the public access CIDRs are set, and its region matches aws:region', () => {
    const user = { eks: { publicAccessCidrs: [MY_ADDRESS] } };
    expect(parseStackConfig(rawConfig('Pulumi.eks-dev.yaml', user))).toMatchObject({
      cloud: 'eks',
      region: 'eu-west-1',
      eks: { publicAccessCidrs: [MY_ADDRESS] },
    });
  });

  test('eks-dev does not open the API endpoint until you authorize your address', () => {
    expect(() => parseStackConfig(rawConfig('Pulumi.eks-dev.yaml'))).toThrow(
      'k8s-platform:eks.publicAccessCidrs is undefined; required',
    );
  });
});
