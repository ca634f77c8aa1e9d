/**
 * The RabbitMQ preset of `MessageBroker` (`rabbitmq:4.1.6`, the Docker official image): it runs as its own user
 * (uid/gid 999), keeps its database, Erlang cookie and messages in `/var/lib/rabbitmq` (its `HOME`), reads
 * `/etc/rabbitmq/conf.d/*.conf`, and has the `rabbitmq_prometheus` plugin enabled (port 15692;
 * `/metrics/per-object` gives each queue's series). One node: clustering needs peer discovery and quorum queues,
 * which this preset does not pretend to be.
 */
import type { BrokerPreset } from './broker-preset';
import { passwordVar, retryUntilBooted } from './broker-preset';

const AMQP_PORT = 5672;
const CONFIG_FILE = '10-platform.conf';
const QUEUES_FILE = 'queues.json';

export const RABBITMQ_PRESET: BrokerPreset = {
  image: 'rabbitmq:4.1.6',
  uid: 999,
  port: AMQP_PORT,
  peerPorts: [],
  metricsPort: 15692,
  metricsPath: '/metrics/per-object',
  maxBrokers: 1,
  partitioned: false,
  reservedPrefix: 'amq.',
  queueWord: 'queue',
  podManagementPolicy: 'OrderedReady',
  dataPath: '/var/lib/rabbitmq',
  configPath: '/etc/rabbitmq/conf.d',
  writablePaths: ['/tmp', '/var/log/rabbitmq'],
  // Read by the server at its first start only (an existing database keeps its users).
  env: ({ user }) => ({ RABBITMQ_DEFAULT_USER: user }),
  passwordEnv: 'RABBITMQ_DEFAULT_PASS',
  files: ({ memoryLimitBytes, storageBytes, queues }) => [
    {
      name: CONFIG_FILE,
      text: [
        '# Written by k8s-platform (MessageBroker): replaces the image conf.d.',
        `listeners.tcp.default = ${AMQP_PORT}`,
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
    },
    {
      name: QUEUES_FILE,
      // Durable classic queues, as clients declare them by default (a declaration with other arguments would be
      // refused as inequivalent).
      text: `${JSON.stringify(
        {
          queues: queues.map(({ name }) => ({ name, vhost: '/', durable: true, auto_delete: false, arguments: {} })),
        },
        null,
        2,
      )}\n`,
    },
  ],
  declareQueues: ({ configPath }) => [
    'sh',
    '-c',
    // await_startup needs the Erlang cookie the server writes at its first start: retried until then.
    `${retryUntilBooted('rabbitmqctl -q await_startup --timeout 10 >/dev/null 2>&1')}; ` +
      `exec rabbitmqctl -q import_definitions ${configPath}/${QUEUES_FILE}`,
  ],
  probes: {
    liveness: { exec: ['rabbitmq-diagnostics', '-q', 'ping'] },
    readiness: { exec: ['rabbitmq-diagnostics', '-q', 'check_port_connectivity'] },
    startup: { exec: ['rabbitmq-diagnostics', '-q', 'ping'] },
  },
  // The engine's CLI starts a runtime of its own: seconds, more on a busy node.
  probeTimeoutSeconds: 15,
  // HOST, PORT, USER, PASSWORD (from the Secret) and an AMQP URL of virtual host `/`.
  clientEnv: (c) => [
    { name: `${c.prefix}_HOST`, value: c.host },
    { name: `${c.prefix}_PORT`, value: String(AMQP_PORT) },
    { name: `${c.prefix}_USER`, value: c.user },
    passwordVar(c),
    { name: `${c.prefix}_URL`, value: `amqp://$(${c.prefix}_USER):$(${c.prefix}_PASSWORD)@${c.host}:${AMQP_PORT}/%2F` },
  ],
  scalerAddress: (host) => `amqp://${host}:${AMQP_PORT}/%2F`,
};
