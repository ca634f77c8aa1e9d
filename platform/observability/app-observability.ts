/**
 * The app-wide observability objects derived from the finished graph: PrometheusRules and dashboard ConfigMaps, one
 * per {@link OBSERVED_WORKLOADS_PER_OBJECT} workloads, and the add-ons that monitors, alerts and dashboards need.
 */
import type { Construct } from 'constructs';
import type { Addon } from '../contract';
import type { GraphNode, HttpMetricNames } from '../core/graph';
import type { PropValidator } from '../core/validate';
import type { AlertThresholds, ResolvedAlertThresholds } from './alerts';
import { addAppAlerts, resolveAlertThresholds } from './alerts';
import { addAppDashboard } from './dashboards';
import type { ResolvedHttpMetrics } from './signals';
import { resolveHttpMetrics } from './signals';

/**
 * Workloads per PrometheusRule and per dashboard ConfigMap: a larger app gets several of each (`<app>-alerts-2`,
 * `<app>-dashboard-2`, ...), each well under the API server's object size limit.
 */
export const OBSERVED_WORKLOADS_PER_OBJECT = 40;

/** An app's observability settings, resolved. */
export interface AppObservability {
  /** Alert thresholds, or none for no alerts. */
  readonly alerts?: ResolvedAlertThresholds;
  /** Whether the app gets a dashboard. */
  readonly dashboard: boolean;
  /** Names of the services' own HTTP metrics. */
  readonly httpMetrics: ResolvedHttpMetrics;
}

/** Checks and resolves an app's observability props (`PlatformChartProps`' `alerts`, `dashboard`, `httpMetrics`). */
export function resolveAppObservability(
  v: PropValidator,
  props: { alerts?: AlertThresholds | false; dashboard?: boolean; httpMetrics?: HttpMetricNames },
): AppObservability {
  if (props.dashboard !== undefined && typeof props.dashboard !== 'boolean')
    v.fail('dashboard', `${JSON.stringify(props.dashboard)} is not a boolean`, 'use true or false');
  return {
    alerts: resolveAlertThresholds(v, props.alerts),
    dashboard: props.dashboard ?? true,
    httpMetrics: resolveHttpMetrics(v, props.httpMetrics),
  };
}

/** The workloads of each PrometheusRule and dashboard, in graph order (none for an app without workloads). */
export function observedParts(nodes: readonly GraphNode[]): (readonly GraphNode[])[] {
  const parts: (readonly GraphNode[])[] = [];
  for (let i = 0; i < nodes.length; i += OBSERVED_WORKLOADS_PER_OBJECT) {
    parts.push(nodes.slice(i, i + OBSERVED_WORKLOADS_PER_OBJECT));
  }
  return parts;
}

/**
 * Add-ons the derived observability objects need: `prometheus` for a workload's monitor (a metrics port), and for
 * the alerts and the dashboard of an app with workloads.
 */
export function observabilityAddons(nodes: readonly GraphNode[], settings: AppObservability): Addon[] {
  const monitored = nodes.some((n) => n.metricsPorts.length > 0);
  const observed = nodes.length > 0 && (settings.alerts !== undefined || settings.dashboard);
  return monitored || observed ? ['prometheus'] : [];
}

/** Adds the app's alerts and dashboards (each split in parts, see {@link observedParts}) under `scope`. */
export function addAppObservability(
  scope: Construct,
  app: { name: string; namespace: string },
  nodes: readonly GraphNode[],
  settings: AppObservability,
): void {
  const { alerts, dashboard, httpMetrics } = settings;
  observedParts(nodes).forEach((part, i) => {
    // Upper-case ids: workload ids are DNS labels, so these never collide with one.
    const suffix = i === 0 ? '' : String(i + 1);
    const props = { app: app.name, namespace: app.namespace, httpMetrics, nodes: part, part: i + 1 };
    if (alerts) addAppAlerts(scope, `Alerts${suffix}`, { ...props, thresholds: alerts });
    if (dashboard) addAppDashboard(scope, `Dashboard${suffix}`, props);
  });
}
