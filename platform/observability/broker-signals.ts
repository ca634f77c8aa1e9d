/**
 * The signals of a message broker. RabbitMQ's come from its own `rabbitmq_prometheus` plugin (its per-object
 * endpoint, so each queue has its own series): queue depth, unacknowledged messages and consumers per declared
 * queue, the node's resource alarms (which block every publisher), and throughput. Kafka's come from the
 * `kafka_exporter` beside each broker (every exporter reports the whole cluster, so series are deduplicated with
 * `max` before they are summed): each consumer group's lag per declared topic, its members, under-replicated
 * partitions, the brokers the cluster sees, and the produce rate. None of the HTTP signals: neither is HTTP.
 */
import type { BrokerQueue, GraphNode } from '../core/graph';
import { WorkloadQueries } from './signals';
import type { LegendedQuery } from './signals';

/** A condition that blocks or endangers every client of the broker (RabbitMQ's resource alarm, Kafka's ISR). */
export interface BrokerHazard {
  /** The alert it raises (a key of `ALERT_NAMES`). */
  readonly alert: 'brokerAlarm' | 'brokerUnderReplicated';
  /** PromQL: returns a series while the condition holds. */
  readonly expr: string;
  /** The alert's summary and its panel's title. */
  readonly summary: string;
  /** What it means and what to do, for workload `w` after it held `held`. */
  description(w: string, held: string): string;
  /** Its panel: title, description, and what it shows while the condition holds. */
  readonly panel: { readonly title: string; readonly description: string; readonly text: string };
}

/** PromQL of one broker. */
export interface BrokerQueries {
  /** `queue` or `topic`: the label the per-queue series carry, and the word alerts use. */
  readonly unit: 'queue' | 'topic';
  /** 0 while Prometheus cannot scrape the node (Kafka: its exporter), per pod. */
  readonly up: string;
  /** Messages waiting per declared queue (RabbitMQ: ready; Kafka: the consumer groups' lag). */
  readonly depth: LegendedQuery & { readonly title: string };
  /** Consumers per declared queue (Kafka: members per consumer group). */
  readonly consumers: LegendedQuery & { readonly title: string };
  /** Delivered but unacknowledged messages per declared queue (RabbitMQ). */
  readonly unacked?: LegendedQuery;
  /** Messages published (and delivered) per second. */
  readonly throughput: readonly LegendedQuery[];
  /** The condition that blocks or endangers every client. */
  readonly hazard: BrokerHazard;
  /** A queue's depth (a group's lag) has grown over the last 15 minutes and is not empty. */
  readonly growing: string;
  /** A queue has waiting messages and no consumer. */
  readonly unconsumed: string;
}

/** Every metric name of `rabbitmq_prometheus` the platform reads, in one place. */
export const RABBITMQ_METRICS = {
  ready: 'rabbitmq_queue_messages_ready',
  unacked: 'rabbitmq_queue_messages_unacked',
  consumers: 'rabbitmq_queue_consumers',
  received: 'rabbitmq_global_messages_received_total',
  delivered: 'rabbitmq_global_messages_delivered_total',
  memoryAlarm: 'rabbitmq_alarms_memory_used_watermark',
  diskAlarm: 'rabbitmq_alarms_free_disk_space_watermark',
} as const;

/** Every metric name of `kafka_exporter` the platform reads, in one place. */
export const KAFKA_METRICS = {
  lag: 'kafka_consumergroup_lag_sum',
  members: 'kafka_consumergroup_members',
  underReplicated: 'kafka_topic_partition_under_replicated_partition',
  offset: 'kafka_topic_partition_current_offset',
  brokers: 'kafka_brokers',
} as const;

/** The PromQL of a broker's node, or `undefined` for any other workload and a broker without metrics. */
export function brokerQueries(namespace: string, node: GraphNode): BrokerQueries | undefined {
  if (!node.broker || node.metricsPorts.length === 0) return undefined;
  const pods = [`namespace="${namespace}"`, `pod=~"${WorkloadQueries.podPattern(node)}"`];
  const up = `min by (namespace, pod) (${select('up', pods)})`;
  return node.broker.engine === 'kafka' ? kafkaQueries(node, pods, up) : rabbitmqQueries(node, pods, up);
}

function rabbitmqQueries(node: GraphNode, pods: readonly string[], up: string): BrokerQueries {
  const queues = [...pods, `queue=~"${namesPattern(node.broker?.queues ?? [])}"`];
  const perQueue = (metric: string) => `sum by (namespace, queue) (${select(metric, queues)})`;
  const rate = (metric: string) => `sum by (namespace) (rate(${select(metric, pods)}[5m]))`;
  const alarm = (metric: string) => `max by (namespace, pod) (${select(metric, pods)})`;
  return {
    unit: 'queue',
    up,
    depth: { title: 'Queue depth (ready)', expr: perQueue(RABBITMQ_METRICS.ready), legend: '{{queue}}' },
    consumers: { title: 'Consumers', expr: perQueue(RABBITMQ_METRICS.consumers), legend: '{{queue}}' },
    unacked: { expr: perQueue(RABBITMQ_METRICS.unacked), legend: '{{queue}}' },
    throughput: [
      { expr: rate(RABBITMQ_METRICS.received), legend: 'published' },
      { expr: rate(RABBITMQ_METRICS.delivered), legend: 'delivered' },
    ],
    hazard: {
      alert: 'brokerAlarm',
      expr: `(${alarm(RABBITMQ_METRICS.memoryAlarm)} > 0) or (${alarm(RABBITMQ_METRICS.diskAlarm)} > 0)`,
      summary: 'a memory or disk alarm blocks every publisher',
      description: (w, held) =>
        `A resource alarm of ${w} has held for ${held}: publishers are blocked until consumers drain the queues or the broker gets more memory or disk.`,
      panel: {
        title: 'Resource alarm',
        description: 'A memory or disk alarm blocks every publisher until it clears.',
        text: 'publishers blocked',
      },
    },
    growing: `sum by (namespace, queue) (deriv(${select(RABBITMQ_METRICS.ready, queues)}[15m])) > 0 and ${perQueue(RABBITMQ_METRICS.ready)} > 0`,
    unconsumed: `${perQueue(RABBITMQ_METRICS.consumers)} == 0 and ${perQueue(RABBITMQ_METRICS.ready)} > 0`,
  };
}

function kafkaQueries(node: GraphNode, pods: readonly string[], up: string): BrokerQueries {
  const declared = node.broker?.queues ?? [];
  const topics = [...pods, `topic=~"${namesPattern(declared)}"`];
  const consumers = [...new Set(declared.flatMap((q) => q.consumers))];
  const groups = [...pods, `consumergroup=~"${consumers.length ? consumers.map(escapeRegex).join('|') : '.+'}"`];
  // Every exporter reports the whole cluster: one series per (group, topic), then per topic.
  const lagByGroup = `max by (namespace, consumergroup, topic) (${select(KAFKA_METRICS.lag, topics)})`;
  const lag = `sum by (namespace, topic) (${lagByGroup})`;
  const members = `max by (namespace, consumergroup) (${select(KAFKA_METRICS.members, groups)})`;
  const asQueue = (expr: string) => `label_replace(${expr}, "queue", "$1", "topic", "(.*)")`;
  return {
    unit: 'topic',
    up,
    depth: { title: 'Consumer lag', expr: lag, legend: '{{topic}}' },
    consumers: { title: 'Consumer group members', expr: members, legend: '{{consumergroup}}' },
    throughput: [
      {
        expr: `sum by (namespace, topic) (max by (namespace, topic, partition) (rate(${select(KAFKA_METRICS.offset, topics)}[5m])))`,
        legend: 'produced to {{topic}}',
      },
    ],
    hazard: {
      alert: 'brokerUnderReplicated',
      expr: `sum by (namespace, topic) (max by (namespace, topic, partition) (${select(KAFKA_METRICS.underReplicated, topics)})) > 0`,
      summary: 'topic {{ $labels.topic }} has under-replicated partitions',
      description: (w, held) =>
        `Partitions of ${w} have lacked an in-sync replica for ${held}: a broker is down or cannot keep up, and writes that need the in-sync minimum fail once one more replica is lost.`,
      panel: {
        title: 'Under-replicated partitions',
        description: 'A declared topic has a partition without its full set of in-sync replicas.',
        text: 'under-replicated',
      },
    },
    growing: asQueue(`sum by (namespace, topic) (deriv((${lagByGroup})[15m:1m])) > 0 and ${lag} > 0`),
    unconsumed: asQueue(`${lagByGroup} > 0 and on (namespace, consumergroup) (${members} == 0)`),
  };
}

/** `producer, producer → queue → consumer`: how a queue links its workloads, for panel descriptions. */
export function queueFlow(queue: BrokerQueue): string {
  const side = (names: readonly string[]) => (names.length ? names.join(', ') : '(none declared)');
  return `${side(queue.producers)} → ${queue.name} → ${side(queue.consumers)}`;
}

function select(metric: string, matchers: readonly string[]): string {
  return `${metric}{${matchers.join(', ')}}`;
}

function namesPattern(queues: readonly BrokerQueue[]): string {
  return queues.map((q) => escapeRegex(q.name)).join('|');
}

/** A PromQL regular expression matching `text` literally (queue names may contain `.`). */
function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\\\$&');
}
