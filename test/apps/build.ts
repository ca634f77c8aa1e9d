/** Builds one reference app for its tests: the chart, its synthesized objects, and their names by kind. */
import { Testing } from 'cdk8s';
import type { AppBuilder } from '../../apps';
import type { PlatformChart } from '../../platform';
import { synth } from '../helpers';
import type { Obj } from '../helpers';

/** A built app. */
export interface BuiltApp {
  readonly chart: PlatformChart;
  readonly objects: Obj[];
  /** The sorted names of the objects of a kind. */
  names(kind: string): string[];
}

/** Builds `builder` in a fresh cdk8s app with the given context settings (see `apps/settings.ts`). */
export function buildApp(builder: AppBuilder, context: Record<string, string> = {}): BuiltApp {
  const app = Testing.app();
  Object.entries(context).forEach(([k, v]) => app.node.setContext(k, v));
  const chart = builder(app);
  const objects = synth(chart);
  return {
    chart,
    objects,
    names: (kind) =>
      objects
        .filter((o) => o.kind === kind)
        .map((o) => o.metadata.name as string)
        .sort(),
  };
}
