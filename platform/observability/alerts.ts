/**
 * Golden-signal alerts: one PrometheusRule per app, with a rule group per workload. Every workload gets CPU and
 * memory saturation and restart alerts; a service with request metrics (see `signals.ts`) also gets error-rate and
 * p99-latency alerts, a database with an exporter a database-down alert, a database with a backup an alert
 * when its last good backup is older than twice the longest time between two scheduled runs, and a message broker
 * down, resource-alarm, growing-queue and unconsumed-queue alerts (never HTTP ones).
 */
import { Duration } from 'cdk8s';
import type { Construct } from 'constructs';
import type { GraphNode } from '../core/graph';
import type { PropKeys } from '../core/known-props';
import { durationMillis } from '../core/units';
import type { PropValidator } from '../core/validate';
import type {
  PrometheusRuleSpecGroups,
  PrometheusRuleSpecGroupsRules,
} from '../crds/prometheusrules-monitoring.coreos.com';
import type * as PrometheusRuleCrds from '../crds/prometheusrules-monitoring.coreos.com';
import type { PrometheusRule } from '../crds/prometheusrules-monitoring.coreos.com';
import type { ResolvedHttpMetrics } from './signals';
import { WorkloadQueries } from './signals';
import { brokerQueries, queueFlow } from './broker-signals';

/** The generated CRD module, loaded by the first app with alerts (it is not needed to import the platform). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ruleCrds = (): typeof PrometheusRuleCrds => require('../crds/prometheusrules-monitoring.coreos.com');

/** Thresholds of an app's alerts. */
export interface AlertThresholds {
  /**
   * Alert when more than this percentage of a service's requests fail (0 to 100, exclusive of 0).
   * @default 5
   */
  readonly errorRatePercent?: number;
  /**
   * Alert when a service's 99th-percentile latency exceeds this many milliseconds, or this `Duration`
   * (`Duration.millis(500)`).
   * @default 500
   */
  readonly latencyP99Ms?: number | Duration;
  /**
   * Alert when a container uses more than this percentage of its CPU limit.
   * @default 90
   */
  readonly cpuPercent?: number;
  /**
   * Alert when a container's working set exceeds this percentage of its memory limit (the OOM killer acts at 100).
   * @default 90
   */
  readonly memoryPercent?: number;
  /**
   * Alert when a container restarts more than this many times within an hour.
   * @default 3
   */
  readonly restartsPerHour?: number;
  /**
   * How long the error-rate, latency and database-down conditions must hold before the alert fires: a
   * Prometheus duration (`'5m'`, `'1h30m'`) or a `Duration` of whole milliseconds (`Duration.minutes(5)`).
   * @default '5m'
   */
  readonly for?: string | Duration;
  /**
   * How long CPU or memory saturation must hold before the alert fires (a Prometheus duration or a `Duration`).
   * @default '15m'
   */
  readonly saturationFor?: string | Duration;
}

/** Thresholds after defaulting, durations as Prometheus writes them. */
export type ResolvedAlertThresholds = Required<Omit<AlertThresholds, 'latencyP99Ms' | 'for' | 'saturationFor'>> & {
  readonly latencyP99Ms: number;
  readonly for: string;
  readonly saturationFor: string;
};

/** The thresholds an app gets unless it sets its own. */
export const DEFAULT_ALERT_THRESHOLDS: ResolvedAlertThresholds = {
  errorRatePercent: 5,
  latencyP99Ms: 500,
  cpuPercent: 90,
  memoryPercent: 90,
  restartsPerHour: 3,
  for: '5m',
  saturationFor: '15m',
};

/** Alert names: one per signal, the same in every app (the `namespace`, `app` and `workload` labels tell them apart). */
export const ALERT_NAMES = {
  errorRate: 'AppHighErrorRate',
  latency: 'AppHighLatency',
  cpu: 'AppCPUSaturated',
  memory: 'AppMemorySaturated',
  restarts: 'AppContainerRestarting',
  databaseDown: 'AppDatabaseDown',
  backupOverdue: 'AppDatabaseBackupOverdue',
  brokerDown: 'AppBrokerDown',
  brokerAlarm: 'AppBrokerResourceAlarm',
  brokerUnderReplicated: 'AppBrokerUnderReplicated',
  queueGrowing: 'AppQueueGrowing',
  queueUnconsumed: 'AppQueueNoConsumers',
} as const;

/** `severity` label of each alert: `critical` when users are failing now, `warning` otherwise. */
export const ALERT_SEVERITY: Readonly<Record<keyof typeof ALERT_NAMES, 'critical' | 'warning'>> = {
  errorRate: 'critical',
  latency: 'warning',
  cpu: 'warning',
  memory: 'warning',
  restarts: 'warning',
  databaseDown: 'critical',
  backupOverdue: 'warning',
  brokerDown: 'critical',
  brokerAlarm: 'critical',
  brokerUnderReplicated: 'critical',
  queueGrowing: 'warning',
  queueUnconsumed: 'critical',
};

/** The duration format of the PrometheusRule CRD (`for`), non-empty. */
const DURATION = /^(0|([0-9]+y)?([0-9]+w)?([0-9]+d)?([0-9]+h)?([0-9]+m)?([0-9]+s)?([0-9]+ms)?)$/;

const ALERT_THRESHOLD_KEYS: PropKeys<AlertThresholds> = {
  errorRatePercent: true,
  latencyP99Ms: true,
  cpuPercent: true,
  memoryPercent: true,
  restartsPerHour: true,
  for: true,
  saturationFor: true,
};

/** Validates and defaults the `alerts` prop of an app; `undefined` when alerts are off. */
export function resolveAlertThresholds(
  v: PropValidator,
  alerts: AlertThresholds | false | undefined,
): ResolvedAlertThresholds | undefined {
  if (alerts === false) return undefined;
  v.knownProps('alerts', alerts, ALERT_THRESHOLD_KEYS, 'alerts');
  const given: Required<AlertThresholds> = { ...DEFAULT_ALERT_THRESHOLDS, ...alerts };
  const prometheusDuration = (key: 'for' | 'saturationFor'): string => {
    const value = given[key];
    if (!(value instanceof Duration)) return value;
    return v.duration(`alerts.${key}`, value, ['d', 'h', 'm', 's', 'ms'], false, 'Duration.minutes(5)');
  };
  const t: ResolvedAlertThresholds = {
    ...given,
    latencyP99Ms: given.latencyP99Ms instanceof Duration ? durationMillis(given.latencyP99Ms) : given.latencyP99Ms,
    for: prometheusDuration('for'),
    saturationFor: prometheusDuration('saturationFor'),
  };
  for (const key of ['errorRatePercent', 'cpuPercent', 'memoryPercent'] as const) {
    if (typeof t[key] !== 'number' || !(t[key] > 0 && t[key] <= 100)) {
      v.fail(`alerts.${key}`, `${String(t[key])} is not a percentage`, 'use a number above 0 and at most 100');
    }
  }
  if (typeof t.latencyP99Ms !== 'number' || !(t.latencyP99Ms > 0 && Number.isFinite(t.latencyP99Ms))) {
    v.fail(
      'alerts.latencyP99Ms',
      `${String(t.latencyP99Ms)} is not a latency`,
      'use a positive number of milliseconds',
    );
  }
  v.integer('alerts.restartsPerHour', t.restartsPerHour, 0);
  for (const key of ['for', 'saturationFor'] as const) {
    if (typeof t[key] !== 'string' || t[key] === '' || !DURATION.test(t[key])) {
      v.fail(
        `alerts.${key}`,
        `${JSON.stringify(t[key])} is not a Prometheus duration`,
        'write it like "5m", "1h30m" or "90s"',
      );
    }
  }
  return t;
}

/** What the alerts of an app are computed from. */
export interface AppAlertsProps {
  /** The app name (the `app` label of every alert). */
  readonly app: string;
  /** The app namespace. */
  readonly namespace: string;
  /** The thresholds. */
  readonly thresholds: ResolvedAlertThresholds;
  /** Names of the apps' own HTTP metrics. */
  readonly httpMetrics: ResolvedHttpMetrics;
  /** The workloads of this rule, in the app graph's order. */
  readonly nodes: readonly GraphNode[];
  /**
   * Which of the app's rules this is, when its workloads are split over several.
   * @default 1
   */
  readonly part?: number;
}

/**
 * Adds the app's PrometheusRule, `<app>-alerts` (`<app>-alerts-<part>` after the first), with a group per workload
 * (created at synth, from the finished graph).
 */
export function addAppAlerts(scope: Construct, id: string, props: AppAlertsProps): PrometheusRule {
  const queries = new WorkloadQueries(props.namespace, props.httpMetrics);
  return new (ruleCrds().PrometheusRule)(scope, id, {
    metadata: { name: partName(`${props.app}-alerts`, props.part) },
    spec: { groups: props.nodes.map((node) => alertGroup(node, queries, props)) },
  });
}

/** `name` for the first part of a split object, `name-<part>` for the others. */
export function partName(name: string, part = 1): string {
  return part === 1 ? name : `${name}-${part}`;
}

/** The rule group of one workload. */
function alertGroup(
  node: GraphNode,
  queries: WorkloadQueries,
  props: Pick<AppAlertsProps, 'app' | 'thresholds'>,
): PrometheusRuleSpecGroups {
  const t = props.thresholds;
  const w = node.name;
  const rule = (
    signal: keyof typeof ALERT_NAMES,
    expr: string,
    forDuration: string | undefined,
    summary: string,
    description: string,
  ): PrometheusRuleSpecGroupsRules => ({
    alert: ALERT_NAMES[signal],
    expr: ruleCrds().PrometheusRuleSpecGroupsRulesExpr.fromString(expr),
    for: forDuration,
    labels: { severity: ALERT_SEVERITY[signal], app: props.app, workload: w },
    annotations: { summary, description },
  });
  const where = `{{ $labels.namespace }}/${w}`;
  const container = 'Container {{ $labels.container }} of {{ $labels.namespace }}/{{ $labels.pod }}';
  const rules: PrometheusRuleSpecGroupsRules[] = [];

  const requests = queries.requests(node);
  if (requests) {
    const source = requests.source === 'linkerd' ? "Linkerd's proxy metrics" : 'its own HTTP metrics';
    rules.push(
      rule(
        'errorRate',
        `${requests.errorRatio} > ${decimal(t.errorRatePercent / 100)}`,
        t.for,
        `${where} fails {{ $value | humanizePercentage }} of its requests`,
        `More than ${t.errorRatePercent}% of the requests to ${w} have been failing for ${t.for} (from ${source}).`,
      ),
    );
    const [threshold, value] =
      requests.latencyUnit === 'ms'
        ? [decimal(t.latencyP99Ms), '{{ $value | humanize }}ms']
        : [decimal(t.latencyP99Ms / 1000), '{{ $value | humanizeDuration }}'];
    rules.push(
      rule(
        'latency',
        `${requests.latency(0.99)} > ${threshold}`,
        t.for,
        `${where} p99 latency is ${value}`,
        `The p99 latency of ${w} has been above ${t.latencyP99Ms}ms for ${t.for} (from ${source}).`,
      ),
    );
  }

  const c = queries.containers(node);
  rules.push(
    rule(
      'cpu',
      `${c.cpuRatio} > ${decimal(t.cpuPercent / 100)}`,
      t.saturationFor,
      `${container} uses {{ $value | humanizePercentage }} of its CPU limit`,
      `A container of ${w} has used more than ${t.cpuPercent}% of its CPU limit for ${t.saturationFor}: it is throttled at the limit. Raise the limit or add replicas.`,
    ),
    rule(
      'memory',
      `${c.memoryRatio} > ${decimal(t.memoryPercent / 100)}`,
      t.saturationFor,
      `${container} uses {{ $value | humanizePercentage }} of its memory limit`,
      `A container of ${w} has used more than ${t.memoryPercent}% of its memory limit for ${t.saturationFor}: it will be OOM-killed at 100%.`,
    ),
    rule(
      'restarts',
      `${c.restartsPerHour} > ${t.restartsPerHour}`,
      undefined,
      `${container} restarted {{ printf "%.0f" $value }} times in the last hour`,
      `A container of ${w} restarted more than ${t.restartsPerHour} times within an hour: see its logs and last termination reason.`,
    ),
  );

  const db = queries.database(node);
  if (db) {
    rules.push(
      rule(
        'databaseDown',
        `${db.up} == 0`,
        t.for,
        `${where}: the exporter cannot reach the ${db.engine} server`,
        `The ${db.engine} exporter of ${w} has not been able to reach its server for ${t.for}.`,
      ),
    );
  }
  const backup = queries.backup(node);
  if (backup) {
    rules.push(
      rule(
        'backupOverdue',
        backup.overdue,
        undefined,
        `${where}: no backup has succeeded for {{ $value | humanizeDuration }}`,
        `The last good backup of ${w} (CronJob ${node.backup?.cronJob}) is older than ${backup.maxAgeSeconds / 3600}h, twice the longest time between two of its runs: see the CronJob's last Jobs and their logs.`,
      ),
    );
  }
  const broker = brokerQueries(queries.namespace, node);
  if (broker && node.broker) {
    const flows = node.broker.queues.map(queueFlow).join('; ');
    const unit = broker.unit;
    const waiting = unit === 'queue' ? 'ready' : 'unconsumed';
    rules.push(
      rule(
        'brokerDown',
        `${broker.up} == 0`,
        t.for,
        `${where}: Prometheus cannot reach the ${node.broker.engine} node`,
        `The metrics endpoint of ${w} has not answered for ${t.for}: the node is down or stuck.`,
      ),
      rule(
        broker.hazard.alert,
        broker.hazard.expr,
        t.for,
        `${where}: ${broker.hazard.summary}`,
        broker.hazard.description(w, t.for),
      ),
      rule(
        'queueGrowing',
        broker.growing,
        t.saturationFor,
        `${where}: ${unit} {{ $labels.queue }} keeps growing`,
        `The ${waiting} messages of a ${unit} of ${w} have grown for ${t.saturationFor}: its consumers do not keep up (${flows}).`,
      ),
      rule(
        'queueUnconsumed',
        broker.unconsumed,
        t.for,
        `${where}: ${unit} {{ $labels.queue }} has messages and no consumer`,
        `A ${unit} of ${w} has had ${waiting} messages and no consumer for ${t.for}: its consumers are down or cannot connect (${flows}).`,
      ),
    );
  }
  return { name: `${props.app}.${w}`, rules };
}

/** A number for PromQL, without binary floating-point noise (`7 / 100` gives `0.07`, not `0.07000000000000001`). */
function decimal(n: number): string {
  return String(Number(n.toPrecision(12)));
}
