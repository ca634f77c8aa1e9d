/**
 * The order of a rendered app follows its graph: the namespace's own objects first, then each workload's objects
 * followed by those derived for it, then the app-wide alerts and dashboards; the same on every build.
 */
import { REFERENCE_APPS } from '../../apps';
import { buildApp } from './build';
import type { Obj } from '../helpers';

const CONTROLLERS = ['Deployment', 'StatefulSet'];
const DERIVED = [
  'NetworkPolicy',
  'ServiceMonitor',
  'PodMonitor',
  'Server',
  'MeshTLSAuthentication',
  'AuthorizationPolicy',
];
const id = (o: Obj): string => `${o.kind}/${o.metadata.name}`;

describe.each(Object.entries(REFERENCE_APPS))('%s', (_name, builder) => {
  const { chart, objects } = buildApp(builder);

  test('starts with the Namespace and its default policies, ends with the alerts and dashboards', () => {
    expect(id(objects[0])).toBe(`Namespace/${chart.namespace}`);
    expect(objects.slice(1, 3).map(id)).toEqual(['NetworkPolicy/default-deny', 'NetworkPolicy/allow-dns']);
    const appWide = (o: Obj) =>
      o.kind === 'PrometheusRule' ||
      (o.kind === 'ConfigMap' && o.metadata.name.startsWith(`${chart.appName}-dashboard`));
    const first = objects.findIndex(appWide);
    expect(first).toBeGreaterThan(0);
    expect(objects.slice(first).every(appWide)).toBe(true);
  });

  test("each workload's derived objects come after its controller, together, before the next workload", () => {
    for (const node of chart.graphNodes) {
      const controller = objects.findIndex((o) => CONTROLLERS.includes(o.kind) && o.metadata.name === node.name);
      const policy = objects.findIndex((o) => id(o) === `NetworkPolicy/${node.name}`);
      expect(policy).toBeGreaterThan(controller);
      // From its NetworkPolicy on, the workload's derived objects (its monitor, its Servers and authorizations).
      let end = policy + 1;
      while (
        end < objects.length &&
        DERIVED.includes(objects[end].kind) &&
        objects[end].metadata.name.startsWith(node.name)
      )
        end++;
      const derived = objects.slice(policy, end).map((o) => o.kind);
      if (node.metricsPorts.length) expect(derived[1]).toMatch(/Monitor$/);
      if (node.meshed) expect(derived).toContain('AuthorizationPolicy');
      const nextController = objects.findIndex((o, i) => i > controller && CONTROLLERS.includes(o.kind));
      if (nextController >= 0) expect(policy).toBeLessThan(nextController);
    }
  });

  test('is the same order on every build', () => {
    expect(buildApp(builder).objects.map(id)).toEqual(objects.map(id));
  });
});
