/**
 * What a preset of the `MessageBroker` construct declares about its engine (user, paths, configuration, start,
 * health checks, client variables, where KEDA connects), and the helpers the presets share. The presets:
 * `rabbitmq-preset.ts` and `kafka-preset.ts`, gathered in `broker-engines.ts`.
 */
import type { k8s } from 'cdk8s-plus-27';
import type { BrokerQueue, EndpointPort } from '../core/graph';
import type { HealthCheck } from '../core/probes';

/** What the presets are given: the broker as declared, after validation. */
export interface BrokerContext {
  /** The broker's name (StatefulSet, Services, Secret prefix). */
  readonly id: string;
  /** The app's namespace. */
  readonly namespace: string;
  /** How many broker pods. */
  readonly brokers: number;
  /** The client user. */
  readonly user: string;
  /** The server container's memory limit. */
  readonly memoryLimitBytes: number;
  /** The data volume's size. */
  readonly storageBytes: number;
  /** The declared queues (topics), partitions and replicas resolved for Kafka. */
  readonly queues: readonly BrokerQueue[];
  /** Where the configuration ConfigMap is mounted. */
  readonly configPath: string;
}

/** A client's connection, for its variables. */
export interface BrokerClient {
  /** The client Service's DNS name. */
  readonly host: string;
  /** The variables' prefix. */
  readonly prefix: string;
  /** The user it connects as. */
  readonly user: string;
  /** The credentials Secret (key `password`). */
  readonly secret: string;
}

/** A metrics exporter sidecar (Kafka has no Prometheus endpoint of its own). */
export interface BrokerExporter {
  /** Pinned image. */
  readonly image: string;
  /** Its arguments. */
  args(c: BrokerContext): string[];
}

/** Everything the MessageBroker construct needs to know about one engine. */
export interface BrokerPreset {
  /** Official server image, pinned. */
  readonly image: string;
  /** uid and gid of the image's own user. */
  readonly uid: number;
  /** The client port (AMQP, Kafka's client listener). */
  readonly port: number;
  /** Ports the broker pods reach each other on (Kafka's controller and replication listeners). */
  readonly peerPorts: readonly EndpointPort[];
  /** The Prometheus endpoint: the engine's own, or its exporter sidecar's. */
  readonly metricsPort: number;
  /** Its path. */
  readonly metricsPath: string;
  /** The exporter sidecar, when the engine has no endpoint of its own. */
  readonly exporter?: BrokerExporter;
  /** Most broker pods the preset can run. */
  readonly maxBrokers: number;
  /** Whether queues take `partitions` and `replicas` (Kafka topics). */
  readonly partitioned: boolean;
  /** Queue names the engine reserves (refused at construction). */
  readonly reservedPrefix: string;
  /** How the engine calls a queue (`queue`, `topic`), in messages and variable names. */
  readonly queueWord: 'queue' | 'topic';
  /** Pod management: Kafka's quorum needs its pods started together. */
  readonly podManagementPolicy: 'OrderedReady' | 'Parallel';
  /** Where the volume is mounted. */
  readonly dataPath: string;
  /** Where the configuration ConfigMap is mounted. */
  readonly configPath: string;
  /** Paths the server writes besides its data volume (each gets an `emptyDir`). */
  readonly writablePaths: readonly string[];
  /** Server environment (literal values). */
  env(c: BrokerContext): Record<string, string>;
  /** The variable the server reads the client user's password from (the credentials Secret's `password`). */
  readonly passwordEnv: string;
  /** The server's command, when the image's own entry point does not fit. */
  command?(c: BrokerContext): string[];
  /** The files of the configuration ConfigMap. */
  files(c: BrokerContext): readonly { readonly name: string; readonly text: string }[];
  /**
   * The postStart hook that declares the queues once the node runs (waits for it first), when the engine declares
   * them that way. A pod publishes no IP until its postStart hooks end, so an engine whose pods must find each other
   * to declare anything (Kafka) declares them from its start script instead.
   */
  declareQueues?(c: BrokerContext): string[];
  /** Health checks. */
  readonly probes: { readonly liveness: HealthCheck; readonly readiness: HealthCheck; readonly startup: HealthCheck };
  /** Timeout of each probe, when the default does not fit. */
  readonly probeTimeoutSeconds?: number;
  /** A client's variables (`<P>_...`), without the queue's name. */
  clientEnv(c: BrokerClient): k8s.EnvVar[];
  /** Where KEDA connects (a URL without credentials, or bootstrap servers). */
  scalerAddress(host: string): string;
}

/** Ready to take messages: how long the postStart hook waits for the node to boot before it fails the container. */
export const BROKER_BOOT_TIMEOUT_SECONDS = 300;

/**
 * A shell loop that retries `attempt` every 2 s until it succeeds, or exits 1 when the boot timeout ends (after
 * printing `failure` on stderr, when given; it must hold no double quote).
 */
export function retryUntilBooted(attempt: string, failure?: string): string {
  const fail = failure ? `{ echo "${failure}" >&2; exit 1; }` : 'exit 1';
  return (
    `deadline=$(($(date +%s) + ${BROKER_BOOT_TIMEOUT_SECONDS})); ` +
    `until ${attempt}; do [ "$(date +%s)" -lt "$deadline" ] || ${fail}; sleep 2; done`
  );
}

/** The password variable of a client, from the broker's credentials Secret. */
export function passwordVar(c: BrokerClient): k8s.EnvVar {
  return { name: `${c.prefix}_PASSWORD`, valueFrom: { secretKeyRef: { name: c.secret, key: 'password' } } };
}
