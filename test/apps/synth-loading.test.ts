/**
 * A synth loads only cdk8s and the platform's constructs: the Pulumi SDKs (a second or more of start-up each) and
 * the validator's ajv belong to deploys and CI checks. Loading one here fails the test.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

jest.mock('@pulumi/pulumi', () => {
  throw new Error('@pulumi/pulumi was loaded by a synth');
});
jest.mock('@pulumi/kubernetes', () => {
  throw new Error('@pulumi/kubernetes was loaded by a synth');
});
jest.mock('@pulumi/aws', () => {
  throw new Error('@pulumi/aws was loaded by a synth');
});
jest.mock('@pulumi/gcp', () => {
  throw new Error('@pulumi/gcp was loaded by a synth');
});
jest.mock('ajv', () => {
  throw new Error('ajv was loaded by a synth');
});

import { synthesizeApps } from '../../apps/main';
import { REFERENCE_APPS } from '../../apps';

test('synthesizing every reference app loads neither a Pulumi SDK nor the validator', () => {
  const dir = mkdtempSync(join(tmpdir(), 'synth-loading-'));
  try {
    expect(synthesizeApps(dir).apps.map((a) => a.name)).toEqual(Object.keys(REFERENCE_APPS));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('importing the platform loads none of the generated CRD modules (each loads with its first object)', () => {
  const crds = readdirSync(join(__dirname, '..', '..', 'platform', 'crds')).filter((f) => f.endsWith('.ts'));
  expect(crds.length).toBeGreaterThan(10);
  jest.isolateModules(() => {
    for (const file of crds) {
      jest.doMock(`../../platform/crds/${file.replace(/\.ts$/, '')}`, () => {
        throw new Error(`platform/crds/${file} was loaded by importing the platform`);
      });
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    expect(() => require('../../platform')).not.toThrow();
  });
});
