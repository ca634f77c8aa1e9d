import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { parseStackConfig } from '../../stacks/config';
import type { RawStackConfig } from '../../stacks/config';

const STACKS = join(__dirname, '../../stacks');
const files = readdirSync(STACKS).filter((f) => /^Pulumi\..+\.yaml$/.test(f));

/** The raw config a stack file gives the program (as `readRawConfig` would read it). */
function rawConfig(file: string, extra: Record<string, unknown> = {}): RawStackConfig {
  const config = (parse(readFileSync(join(STACKS, file), 'utf8')) as { config: Record<string, unknown> }).config;
  const ours = Object.fromEntries(
    Object.entries(config)
      .filter(([key]) => key.startsWith('k8s-platform:'))
      .map(([key, value]) => [key.slice('k8s-platform:'.length), value]),
  );
  return { ...ours, awsRegion: config['aws:region'], gcpProject: config['gcp:project'], ...extra };
}

describe('stack files', () => {
  test('the three stacks exist', () => {
    expect(files.sort()).toEqual(['Pulumi.eks-dev.yaml', 'Pulumi.gke-dev.yaml', 'Pulumi.local.yaml']);
  });

  test('local is an existing-cluster stack', () => {
    expect(parseStackConfig(rawConfig('Pulumi.local.yaml')).cloud).toBe('existing');
  });

  test('gke-dev is valid once gcp:project is set', () => {
    expect(parseStackConfig(rawConfig('Pulumi.gke-dev.yaml', { gcpProject: 'my-project' }))).toMatchObject({
      cloud: 'gke',
      region: 'europe-west1',
    });
  });

  test('gke-dev without a project says how to set it', () => {
    expect(() => parseStackConfig(rawConfig('Pulumi.gke-dev.yaml'))).toThrow('required (or set gcp:project)');
  });

  test('eks-dev is valid and its region matches aws:region', () => {
    expect(parseStackConfig(rawConfig('Pulumi.eks-dev.yaml'))).toMatchObject({ cloud: 'eks', region: 'eu-west-1' });
  });
});
