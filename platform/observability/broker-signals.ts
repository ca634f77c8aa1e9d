/**
 * The signals of a message broker, from RabbitMQ's own `rabbitmq_prometheus` plugin (its per-object endpoint, so
 * each queue has its own series): queue depth, unacknowledged messages and consumers per declared queue, the
 * node's resource alarms (which block every publisher), and throughput. None of the HTTP signals: AMQP is not HTTP.
 */
import type { BrokerQueue, GraphNode } from '../core/graph';
import { WorkloadQueries } from './signals';
import type { LegendedQuery } from './signals';

/** PromQL of one broker. */
export interface BrokerQueries {
  /** 0 while Prometheus cannot scrape the node, per pod. */
  readonly up: string;
  /** Ready messages per declared queue (legend: the queue). */
  readonly depth: LegendedQuery;
  /** Delivered but unacknowledged messages per declared queue. */
  readonly unacked: LegendedQuery;
  /** Consumers per declared queue. */
  readonly consumers: LegendedQuery;
  /** Messages published and delivered per second. */
  readonly throughput: readonly LegendedQuery[];
  /** 1 while a memory or disk alarm blocks publishers, per pod. */
  readonly alarm: string;
  /** A queue's depth has grown over the last 15 minutes and is not empty (per queue). */
  readonly growing: string;
  /** A queue has ready messages and no consumer (per queue). */
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

/** The PromQL of a broker's node, or `undefined` for any other workload. */
export function brokerQueries(namespace: string, node: GraphNode): BrokerQueries | undefined {
  if (!node.broker) return undefined;
  const pods = [`namespace="${namespace}"`, `pod=~"${WorkloadQueries.podPattern(node)}"`];
  const queues = [...pods, `queue=~"${node.broker.queues.map((q) => escapeRegex(q.name)).join('|')}"`];
  const select = (metric: string, matchers: readonly string[]) => `${metric}{${matchers.join(', ')}}`;
  const perQueue = (metric: string) => `sum by (namespace, queue) (${select(metric, queues)})`;
  const rate = (metric: string) => `sum by (namespace) (rate(${select(metric, pods)}[5m]))`;
  const alarm = (metric: string) => `max by (namespace, pod) (${select(metric, pods)})`;
  return {
    up: `min by (namespace, pod) (${select('up', pods)})`,
    depth: { expr: perQueue(RABBITMQ_METRICS.ready), legend: '{{queue}}' },
    unacked: { expr: perQueue(RABBITMQ_METRICS.unacked), legend: '{{queue}}' },
    consumers: { expr: perQueue(RABBITMQ_METRICS.consumers), legend: '{{queue}}' },
    throughput: [
      { expr: rate(RABBITMQ_METRICS.received), legend: 'published' },
      { expr: rate(RABBITMQ_METRICS.delivered), legend: 'delivered' },
    ],
    alarm: `(${alarm(RABBITMQ_METRICS.memoryAlarm)} > 0) or (${alarm(RABBITMQ_METRICS.diskAlarm)} > 0)`,
    growing: `sum by (namespace, queue) (deriv(${select(RABBITMQ_METRICS.ready, queues)}[15m])) > 0 and ${perQueue(RABBITMQ_METRICS.ready)} > 0`,
    unconsumed: `${perQueue(RABBITMQ_METRICS.consumers)} == 0 and ${perQueue(RABBITMQ_METRICS.ready)} > 0`,
  };
}

/** `producer, producer → queue → consumer`: how a queue links its workloads, for panel descriptions. */
export function queueFlow(queue: BrokerQueue): string {
  const side = (names: readonly string[]) => (names.length ? names.join(', ') : '(none declared)');
  return `${side(queue.producers)} → ${queue.name} → ${side(queue.consumers)}`;
}

/** A PromQL regular expression matching `text` literally (queue names may contain `.`). */
function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\\\$&');
}
