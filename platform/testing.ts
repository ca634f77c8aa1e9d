/**
 * Test helpers for apps built with the platform (`k8s-platform/testing`): build an app in a fresh cdk8s app and
 * read back the objects it synthesizes, by kind and name.
 */
import { Testing } from 'cdk8s';
import type { Construct } from 'constructs';
import type { PlatformChart } from './chart';
import type { AppEntry } from './contract';

/** A synthesized Kubernetes object; assert on it with `toMatchObject`. */
export interface SynthesizedObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly [key: string]: unknown };
  readonly [key: string]: unknown;
}

/** The objects of an app, and lookups by kind and name. */
export interface SynthesizedApp {
  /** The app's chart. */
  readonly chart: PlatformChart;
  /** Every object, in synth order. */
  readonly list: readonly SynthesizedObject[];
  /** The objects by kind, then by name. */
  readonly objects: Readonly<Record<string, Readonly<Record<string, SynthesizedObject>>>>;
  /** The app's `index.json` entry (namespace, Secrets, add-ons, hosts). */
  readonly index: AppEntry;
  /** The sorted names of the objects of a kind (`[]` when there is none). */
  names(kind: string): string[];
  /**
   * The object of a kind and name.
   * @throws Error naming the objects of that kind when there is none
   */
  get(kind: string, name: string): SynthesizedObject;
}

/**
 * Builds one app with `build` in a fresh cdk8s app and synthesizes it.
 * @param build the app's builder, e.g. `(scope) => shop(scope)`
 * @param context cdk8s context values set before the build (settings such as `domain`)
 */
export function synthApp(
  build: (scope: Construct) => PlatformChart,
  context: Readonly<Record<string, string>> = {},
): SynthesizedApp {
  const app = Testing.app();
  for (const [key, value] of Object.entries(context)) app.node.setContext(key, value);
  const chart = build(app);
  const list = Testing.synth(chart) as SynthesizedObject[];
  const objects: Record<string, Record<string, SynthesizedObject>> = {};
  for (const object of list) (objects[object.kind] ??= {})[object.metadata.name] = object;
  return {
    chart,
    list,
    objects,
    index: chart.indexEntry(`${chart.node.id}.k8s.yaml`, ''),
    names: (kind) => Object.keys(objects[kind] ?? {}).sort(),
    get(kind, name) {
      const found = objects[kind]?.[name];
      if (!found) {
        const known = Object.keys(objects[kind] ?? {}).sort();
        throw new Error(`no ${kind} "${name}" in app ${chart.node.id}; ${kind} objects: ${known.join(', ') || 'none'}`);
      }
      return found;
    },
  };
}
