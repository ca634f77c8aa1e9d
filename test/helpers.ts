/** Test helpers: build a chart in a fresh app and read back the synthesized objects. */
import { Testing } from 'cdk8s';
import { PlatformChart, PlatformValidationError } from '../platform';
import { validateObjects } from '../scripts/lib/validate';
import type { PlatformChartProps } from '../platform';

/** A synthesized Kubernetes object, loosely typed for assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Obj = Record<string, any>;

/** A new app chart named `shop` in a fresh cdk8s app. */
export function newChart(props: PlatformChartProps = {}): PlatformChart {
  return new PlatformChart(Testing.app(), 'shop', props);
}

/** The synthesized objects of a chart. */
export function synth(chart: PlatformChart): Obj[] {
  return Testing.synth(chart) as Obj[];
}

/** The one object of a kind and name. */
export function find(objects: Obj[], kind: string, name: string): Obj {
  const found = objects.filter((o) => o.kind === kind && o.metadata.name === name);
  if (found.length !== 1) throw new Error(`expected one ${kind}/${name}, found ${found.length}`);
  return found[0];
}

/**
 * Findings of the project's validator (Kubernetes schemas, CRD schemas, policy rules) on synthesized objects;
 * `[]` when every object is valid.
 */
export function findings(objects: Obj[]): { object: string; rule: string; message: string }[] {
  const manifest = objects.map((object, index) => ({ file: 'test.k8s.yaml', index, object: object as never }));
  return validateObjects(manifest, { problems: [] }).findings.map(({ object, rule, message }) => ({
    object,
    rule,
    message,
  }));
}

/** Runs `build` and returns the project's error it throws; fails the test when it throws anything else or nothing. */
export function platformError(build: () => unknown): PlatformValidationError {
  try {
    build();
  } catch (e) {
    if (e instanceof PlatformValidationError) return e;
    throw new Error(`expected a PlatformValidationError, got ${String(e)}`);
  }
  throw new Error('expected a PlatformValidationError, nothing was thrown');
}
