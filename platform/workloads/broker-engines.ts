/**
 * Presets of the `MessageBroker` construct: what each engine's official image needs (user, paths, configuration,
 * health checks), how clients connect, and how KEDA reads a queue's depth.
 *
 * RabbitMQ (`rabbitmq:4.1.6`, the Docker official image): it runs as its own user (uid/gid 999), keeps its
 * database, Erlang cookie and messages in `/var/lib/rabbitmq` (its `HOME`), reads `/etc/rabbitmq/conf.d/*.conf`,
 * and has the `rabbitmq_prometheus` plugin enabled (port 15692; `/metrics/per-object` gives each queue's series).
 */
import type { k8s } from 'cdk8s-plus-27';
import type { BrokerEngine } from '../core/graph';

export type { BrokerEngine };

/** Everything the MessageBroker construct needs to know about one engine. */
export interface BrokerPreset {
  /** Official server image, pinned. */
  readonly image: string;
  /** The client port (AMQP). */
  readonly port: number;
  /** The engine's own Prometheus endpoint. */
  readonly metricsPort: number;
  /** Its path: the per-object series (one per queue). */
  readonly metricsPath: string;
  /** Where the volume is mounted. */
  readonly dataPath: string;
  /** Where the configuration ConfigMap is mounted (a directory the server reads every `*.conf` of). */
  readonly configPath: string;
  /** Paths the server writes besides its data volume (each gets an `emptyDir`). */
  readonly writablePaths: readonly string[];
  /** Server environment: the user created at first start; its password comes from `passwordEnv`. */
  env(user: string): Record<string, string>;
  /** The variable the server reads the user's password from (the credentials Secret's `password`). */
  readonly passwordEnv: string;
  /** The engine's configuration file (`<configPath>/<name>`), from the pod's memory limit and the volume size. */
  config(c: { memoryLimitBytes: number; storageBytes: number }): { readonly name: string; readonly text: string };
  /** The file declaring the queues, imported once the node runs (`<configPath>/<name>`). */
  queueDefinitions(queues: readonly string[]): { readonly name: string; readonly text: string };
  /** The command that imports the queue definitions after start (a postStart hook): waits for the node first. */
  importCommand(file: string): string[];
  /** Liveness: the node's runtime answers. */
  readonly livenessCommand: readonly string[];
  /** Readiness: the client port accepts connections. */
  readonly readinessCommand: readonly string[];
  /** Timeout of each probe (the engine's CLI starts a runtime of its own: seconds, more on a busy node). */
  readonly probeTimeoutSeconds: number;
  /** A client URL of virtual host `/`, credentials as `$(VAR)` references. */
  url(c: { host: string; userVar: string; passwordVar: string }): string;
  /** The same URL without credentials (KEDA adds them from the consumer's variables). */
  plainUrl(host: string): string;
}

/** Ready to take messages: how long the postStart hook waits for the node to boot before it fails the container. */
export const BROKER_BOOT_TIMEOUT_SECONDS = 300;

/** The presets, by engine. */
export const BROKER_ENGINES: Readonly<Record<BrokerEngine, BrokerPreset>> = {
  rabbitmq: {
    image: 'rabbitmq:4.1.6',
    port: 5672,
    metricsPort: 15692,
    metricsPath: '/metrics/per-object',
    dataPath: '/var/lib/rabbitmq',
    configPath: '/etc/rabbitmq/conf.d',
    writablePaths: ['/tmp', '/var/log/rabbitmq'],
    // Read by the server at its first start only (an existing database keeps its users).
    env: (user) => ({ RABBITMQ_DEFAULT_USER: user }),
    passwordEnv: 'RABBITMQ_DEFAULT_PASS',
    config: ({ memoryLimitBytes, storageBytes }) => ({
      name: '10-platform.conf',
      text: [
        '# Written by k8s-platform (MessageBroker): replaces the image conf.d.',
        'listeners.tcp.default = 5672',
        'prometheus.tcp.port = 15692',
        'log.console = true',
        'log.console.level = info',
        'log.file = false',
        // The runtime sees the node's memory, not the container's limit: without this, the memory alarm (which
        // blocks publishers) would come after the OOM killer.
        `total_memory_available_override_value = ${memoryLimitBytes}`,
        'vm_memory_high_watermark.relative = 0.6',
        // Publishers are blocked before the volume fills: a tenth of it, at most 1 GB.
        `disk_free_limit.absolute = ${Math.min(1_000_000_000, Math.floor(storageBytes / 10))}`,
        '',
      ].join('\n'),
    }),
    queueDefinitions: (queues) => ({
      name: 'queues.json',
      // Durable classic queues, as clients declare them by default (a declaration with other arguments would be
      // refused as inequivalent).
      text: `${JSON.stringify(
        {
          queues: queues.map((name) => ({ name, vhost: '/', durable: true, auto_delete: false, arguments: {} })),
        },
        null,
        2,
      )}\n`,
    }),
    importCommand: (file) => [
      'sh',
      '-c',
      // await_startup needs the Erlang cookie the server writes at its first start: retried until then.
      `deadline=$(($(date +%s) + ${BROKER_BOOT_TIMEOUT_SECONDS})); ` +
        'until rabbitmqctl -q await_startup --timeout 10 >/dev/null 2>&1; do ' +
        '[ "$(date +%s)" -lt "$deadline" ] || exit 1; sleep 2; done; ' +
        `exec rabbitmqctl -q import_definitions ${file}`,
    ],
    livenessCommand: ['rabbitmq-diagnostics', '-q', 'ping'],
    readinessCommand: ['rabbitmq-diagnostics', '-q', 'check_port_connectivity'],
    probeTimeoutSeconds: 15,
    url: ({ host, userVar, passwordVar }) => `amqp://$(${userVar}):$(${passwordVar})@${host}:5672/%2F`,
    plainUrl: (host) => `amqp://${host}:5672/%2F`,
  },
};

/** A client's variables: `<P>_HOST`, `_PORT`, `_USER`, `_PASSWORD` (from the Secret) and `_URL`. */
export function brokerClientEnv(
  preset: BrokerPreset,
  c: { host: string; prefix: string; user: string; secret: string },
): k8s.EnvVar[] {
  const p = c.prefix;
  return [
    { name: `${p}_HOST`, value: c.host },
    { name: `${p}_PORT`, value: String(preset.port) },
    { name: `${p}_USER`, value: c.user },
    { name: `${p}_PASSWORD`, valueFrom: { secretKeyRef: { name: c.secret, key: 'password' } } },
    { name: `${p}_URL`, value: preset.url({ host: c.host, userVar: `${p}_USER`, passwordVar: `${p}_PASSWORD` }) },
  ];
}
