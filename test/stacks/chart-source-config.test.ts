import { join } from 'node:path';
import { parseStackConfig, StackConfigError } from '../../platform/cloud/stack/config';

const repoRoot = join(__dirname, '..', '..');

describe('k8s-platform:chartSource', () => {
  test('absent, charts come from the upstream repositories', () => {
    expect(parseStackConfig({}).chartSource).toEqual({});
  });

  test('localDir is resolved against the project root, where Pulumi.yaml is', () => {
    expect(parseStackConfig({ chartSource: { localDir: '../shared/charts' } }).chartSource).toEqual({
      localDir: join(repoRoot, '..', 'shared', 'charts'),
    });
  });

  test('an unknown key is refused', () => {
    expect(() => parseStackConfig({ chartSource: { dir: 'x' } })).toThrow(StackConfigError);
    expect(() => parseStackConfig({ chartSource: { dir: 'x' } })).toThrow('chartSource');
  });

  test('an empty localDir is refused', () => {
    expect(() => parseStackConfig({ chartSource: { localDir: '' } })).toThrow(
      'k8s-platform:chartSource.localDir is ""; expected a non-empty string',
    );
  });
});
