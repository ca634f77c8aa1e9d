/**
 * Property tests: random valid apps always synthesize into manifests the validator accepts, and a random
 * single-field corruption of one either throws the project's error or still validates clean. There is no third
 * outcome: no raw TypeError, no invalid manifest. `PROPERTY_RUNS` sets the number of cases (`npm run
 * test:property` runs many more than the unit suite).
 */
import { PlatformValidationError } from '../../platform';
import { findings, synth } from '../helpers';
import { Random, buildApp, corrupt, randomApp } from './random-apps';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 30);
const SEED = Number(process.env.PROPERTY_SEED ?? 20261201);

/** What happened to one description: the project's error, clean manifests, or something else (a failure). */
function outcome(build: () => ReturnType<typeof buildApp>): 'error' | 'clean' | string {
  let objects;
  try {
    objects = synth(build());
  } catch (e) {
    return e instanceof PlatformValidationError ? 'error' : `threw ${String(e)}`;
  }
  const found = findings(objects);
  return found.length === 0 ? 'clean' : `invalid manifest: ${JSON.stringify(found.slice(0, 3))}`;
}

describe('random apps', () => {
  test(`${RUNS} random valid apps synthesize and validate clean`, () => {
    const r = new Random(SEED);
    const failures: string[] = [];
    for (let i = 0; i < RUNS; i++) {
      const spec = randomApp(r);
      const result = outcome(() => buildApp(spec));
      if (result !== 'clean') failures.push(`${result}\n  app: ${JSON.stringify(spec)}`);
    }
    expect(failures).toEqual([]);
  });

  test(`${RUNS * 5} single-field corruptions throw the project's error or still validate clean`, () => {
    const r = new Random(SEED + 1);
    const failures: string[] = [];
    const seen = { error: 0, clean: 0 };
    for (let i = 0; i < RUNS * 5; i++) {
      const spec = randomApp(r);
      const bad = corrupt(spec, r);
      const result = outcome(() => buildApp(bad.spec));
      if (result === 'error' || result === 'clean') seen[result]++;
      else failures.push(`${bad.where} = ${JSON.stringify(bad.value) ?? 'undefined'}: ${result}`);
    }
    expect(failures).toEqual([]);
    // Both outcomes occur, so the corruptions reach real checks and harmless fields alike.
    expect(seen.error).toBeGreaterThan(0);
    expect(seen.clean).toBeGreaterThan(0);
  });
});
