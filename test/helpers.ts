/** Test helpers: build a chart in a fresh app and read back the synthesized objects. */
import { Testing } from 'cdk8s';
import { PlatformChart } from '../platform';
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
