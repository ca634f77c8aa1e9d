/**
 * Names and labels: every object of the platform gets its labels from here, so selectors, NetworkPolicies,
 * monitors and dashboards all agree on how a workload is found.
 */

export { LABEL, MANAGED_BY } from '../contract';
import { LABEL, MANAGED_BY } from '../contract';

/** What a workload is, recorded in `app.kubernetes.io/component`. */
export type Component = 'service' | 'worker' | 'database' | 'broker' | 'load-generator' | 'backup';

/** The labels that select one workload's pods: stable for the life of the workload (selectors are immutable). */
export function selectorLabels(app: string, name: string): Record<string, string> {
  return { [LABEL.name]: name, [LABEL.partOf]: app };
}

/** All the labels put on a workload's objects and pods. */
export function workloadLabels(app: string, name: string, component: Component): Record<string, string> {
  return { ...selectorLabels(app, name), [LABEL.component]: component, [LABEL.managedBy]: MANAGED_BY };
}

/** `order-service` becomes `ORDER_SERVICE`: the prefix of environment variables that describe a dependency. */
export function envPrefix(name: string): string {
  return name.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}

/** The in-cluster DNS name of a Service. */
export function serviceHost(name: string, namespace: string): string {
  return `${name}.${namespace}.svc.cluster.local`;
}
