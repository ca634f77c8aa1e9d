/**
 * Event-driven scaling: a consumer's replica count from its queue's depth (RabbitMQ) or its group's lag on a topic
 * (Kafka), by KEDA (a `ScaledObject`, whose HPA KEDA owns), instead of, never together with, a CPU HPA on the same
 * Deployment.
 */
import type { Construct } from 'constructs';
import type { Duration } from 'cdk8s';
import type { PropKeys } from '../core/known-props';
import type { PropValidator } from '../core/validate';
import type { ScaledObject, ScaledObjectSpecTriggers } from '../crds/scaledobjects-keda.sh';
import type * as ScaledObjectCrds from '../crds/scaledobjects-keda.sh';
import type * as TriggerAuthenticationCrds from '../crds/triggerauthentications-keda.sh';
import { KAFKA_KEDA_SASL } from './kafka-preset';
import type { QueueRef } from './message-broker';
import { DEFAULT_SCALE_DOWN_STABILIZATION_SECONDS, scalingBehavior } from './scaling';

/** The generated CRD module, loaded by the first consumer that scales on a queue. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const kedaCrds = (): typeof ScaledObjectCrds => require('../crds/scaledobjects-keda.sh');
/** The TriggerAuthentication CRD module, loaded by the first consumer that scales on a topic's lag. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const authCrds = (): typeof TriggerAuthenticationCrds => require('../crds/triggerauthentications-keda.sh');

/** Replicas from a queue's depth (RabbitMQ: ready messages; Kafka: the consumer group's lag), with KEDA. */
export interface QueueScaling {
  /**
   * Fewest replicas. `0` scales the consumer to zero while its queue is empty (KEDA starts one at the first
   * message); only queue scaling allows it.
   */
  readonly min: number;
  /** Most replicas. */
  readonly max: number;
  /** The queue whose depth drives the replica count (`broker.queue('orders')`); the workload consumes it. */
  readonly queue: QueueRef;
  /**
   * Ready messages (Kafka: lagging messages) one replica is expected to keep up with: KEDA asks for
   * `ceil(depth / messagesPerReplica)`. On Kafka, `max` may not exceed the topic's partitions.
   * @default 20
   */
  readonly messagesPerReplica?: number;
  /**
   * How long the depth must stay low before replicas are removed: seconds, or a `Duration` of whole seconds
   * (`Duration.minutes(5)`).
   * @default 300
   */
  readonly scaleDownStabilizationSeconds?: number | Duration;
}

/** Queue scaling after validation. */
export interface ResolvedQueueScaling {
  readonly min: number;
  readonly max: number;
  readonly queue: QueueRef;
  readonly messagesPerReplica: number;
  readonly scaleDownStabilizationSeconds: number;
}

/** Target depth per replica when none is given (KEDA's own default for RabbitMQ queues). */
export const DEFAULT_MESSAGES_PER_REPLICA = 20;
/** How often KEDA reads the queue's depth, in seconds. */
export const QUEUE_POLLING_SECONDS = 15;

const QUEUE_SCALING_KEYS: PropKeys<QueueScaling> = {
  min: true,
  max: true,
  queue: true,
  messagesPerReplica: true,
  scaleDownStabilizationSeconds: true,
};

/** The HPA signals a queue-scaled consumer may not also have: KEDA's HPA would fight a second one. */
const CPU_SCALING_PROPS = ['cpuUtilization', 'memoryUtilization', 'podsMetrics'] as const;

/** Whether `replicas` asks for queue scaling. */
export function isQueueScaling(replicas: unknown): replicas is QueueScaling {
  return typeof replicas === 'object' && replicas !== null && 'queue' in replicas;
}

/** Validates queue scaling (`replicas: { min, max, queue, ... }`). */
export function resolveQueueScaling(v: PropValidator, replicas: QueueScaling, prop: string): ResolvedQueueScaling {
  for (const other of CPU_SCALING_PROPS) {
    if (other in replicas) {
      v.fail(
        `${prop}.${other}`,
        `is given beside ${prop}.queue`,
        `scale on one signal: remove ${other} (KEDA scales on the queue's depth), or remove queue for a CPU HPA`,
      );
    }
  }
  v.knownProps(prop, replicas, QUEUE_SCALING_KEYS, 'replicas');
  v.integer(`${prop}.min`, replicas.min, 0, 1000);
  v.integer(`${prop}.max`, replicas.max, 1, 1000);
  v.ordered(`${prop}.min`, replicas.min, `${prop}.max`, replicas.max);
  const declared = replicas.queue?.broker?.graphNode?.broker?.queues.find((q) => q.name === replicas.queue.name);
  if (!declared) {
    v.fail(
      `${prop}.queue`,
      `${String(replicas.queue)} is not a queue of a MessageBroker`,
      'pass broker.queue("<name>")',
    );
  }
  // KEDA gives a group no more replicas than the topic has partitions; more would sit idle.
  if (declared.partitions !== undefined && replicas.max > declared.partitions) {
    v.fail(
      `${prop}.max`,
      `${replicas.max} is more than the ${declared.partitions} partitions of topic ${JSON.stringify(declared.name)}`,
      `lower max to ${declared.partitions}, or give the topic ${replicas.max} partitions`,
    );
  }
  return {
    min: replicas.min,
    max: replicas.max,
    queue: replicas.queue,
    messagesPerReplica: v.integer(
      `${prop}.messagesPerReplica`,
      replicas.messagesPerReplica ?? DEFAULT_MESSAGES_PER_REPLICA,
      1,
      1_000_000,
    ),
    scaleDownStabilizationSeconds: v.whole(
      `${prop}.scaleDownStabilizationSeconds`,
      replicas.scaleDownStabilizationSeconds ?? DEFAULT_SCALE_DOWN_STABILIZATION_SECONDS,
      's',
      0,
      3600,
    ),
  };
}

/**
 * The ScaledObject of a Deployment consuming a queue, every {@link QUEUE_POLLING_SECONDS} seconds, driving an HPA
 * named after the workload with the platform's {@link scalingBehavior}. KEDA connects with the consumer's own
 * credentials (its `<prefix>_USER` and `<prefix>_PASSWORD` variables): RabbitMQ reads the queue's ready messages
 * over AMQP; Kafka reads the lag of the consumer's group (the workload's name, its `<prefix>_GROUP`) on the topic,
 * through a TriggerAuthentication (`<workload>-queue`) that names those variables.
 */
export function addScaledObject(
  scope: Construct,
  target: { name: string; labels: Record<string, string>; envPrefix: string },
  scaling: ResolvedQueueScaling,
): ScaledObject {
  const broker = scaling.queue.broker;
  const user = `${target.envPrefix}_USER`;
  const password = `${target.envPrefix}_PASSWORD`;
  const trigger: ScaledObjectSpecTriggers =
    broker.engine === 'kafka'
      ? {
          type: 'kafka',
          metadata: {
            bootstrapServers: broker.scalerAddress,
            consumerGroup: target.name,
            topic: scaling.queue.name,
            lagThreshold: String(scaling.messagesPerReplica),
            sasl: KAFKA_KEDA_SASL,
            tls: 'disable',
          },
          authenticationRef: {
            name: new (authCrds().TriggerAuthentication)(scope, 'trigger-authentication', {
              metadata: { name: `${target.name}-queue`, labels: target.labels },
              spec: {
                env: [
                  { parameter: 'username', name: user, containerName: target.name },
                  { parameter: 'password', name: password, containerName: target.name },
                ],
              },
            }).name,
          },
        }
      : {
          type: 'rabbitmq',
          metadata: {
            protocol: 'amqp',
            host: broker.scalerAddress,
            usernameFromEnv: user,
            passwordFromEnv: password,
            queueName: scaling.queue.name,
            mode: 'QueueLength',
            value: String(scaling.messagesPerReplica),
          },
        };
  return new (kedaCrds().ScaledObject)(scope, 'scaled-object', {
    metadata: { name: target.name, labels: target.labels },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: target.name },
      minReplicaCount: scaling.min,
      maxReplicaCount: scaling.max,
      pollingInterval: QUEUE_POLLING_SECONDS,
      cooldownPeriod: scaling.scaleDownStabilizationSeconds,
      advanced: {
        horizontalPodAutoscalerConfig: {
          name: target.name,
          behavior: scalingBehavior(scaling.scaleDownStabilizationSeconds),
        },
      },
      triggers: [trigger],
    },
  });
}
