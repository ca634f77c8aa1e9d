/**
 * Prometheus Operator monitors: every workload with a metrics endpoint gets a ServiceMonitor (when a Service fronts
 * it) or a PodMonitor (workers), selecting exactly its pods' metrics port.
 */
import type { Construct } from 'constructs';
import { DEFAULT_METRICS_PATH, type GraphNode } from '../core/graph';
import type * as PodMonitorCrds from '../crds/podmonitors-monitoring.coreos.com';
import type * as ServiceMonitorCrds from '../crds/servicemonitors-monitoring.coreos.com';

// The generated CRD modules are large: each is loaded by the first monitor of its kind.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const podMonitorCrds = (): typeof PodMonitorCrds => require('../crds/podmonitors-monitoring.coreos.com');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const serviceMonitorCrds = (): typeof ServiceMonitorCrds => require('../crds/servicemonitors-monitoring.coreos.com');

/** Scrape interval of every monitor: often enough for 1-minute rate() windows in alerts and dashboards. */
export const SCRAPE_INTERVAL = '30s';

/** Adds the monitor of one workload, if it has a metrics port; returns whether one was added. */
export function addMonitor(scope: Construct, node: GraphNode, labels: Record<string, string>): boolean {
  if (node.metricsPorts.length === 0) return false;
  const endpoints = node.metricsPorts.map((p) => ({
    port: p.name,
    path: node.metricsPath ?? DEFAULT_METRICS_PATH,
    interval: SCRAPE_INTERVAL,
  }));
  const metadata = { name: node.name, labels };
  const selector = { matchLabels: { ...node.selector } };
  if (node.hasService) {
    new (serviceMonitorCrds().ServiceMonitor)(scope, 'monitor', { metadata, spec: { selector, endpoints } });
  } else {
    new (podMonitorCrds().PodMonitor)(scope, 'monitor', {
      metadata,
      spec: { selector, podMetricsEndpoints: endpoints },
    });
  }
  return true;
}
