/**
 * The Kafka preset of `MessageBroker`: Apache Kafka in KRaft mode (`apache/kafka:4.1.1`, the Apache project's
 * image: user `appuser`, uid/gid 1000, the distribution in `/opt/kafka`), every pod both broker and controller of
 * a static quorum, and `danielqsj/kafka-exporter` beside each for Prometheus (Kafka has no endpoint of its own).
 *
 * Three listeners: `CLIENT` (9092, SASL/SCRAM-SHA-512: the user is created in the metadata when the storage is
 * formatted, its password from the credentials Secret), `CONTROLLER` (9093) and `REPLICATION` (9094), both
 * plaintext and open to the broker's own pods only (its NetworkPolicy; Linkerd's mTLS when meshed). The start
 * script writes the pod's node id (its ordinal) into the configuration, formats the volume once, and starts the
 * server; a postStart hook creates the declared topics (`--if-not-exists`). Topics are never created on use.
 */
import { createHash } from 'node:crypto';
import type { BrokerContext, BrokerPreset } from './broker-preset';
import { BROKER_BOOT_TIMEOUT_SECONDS, passwordVar, retryUntilBooted } from './broker-preset';

const CLIENT_PORT = 9092;
const CONTROLLER_PORT = 9093;
const REPLICATION_PORT = 9094;
const KAFKA_HOME = '/opt/kafka';
/** The configuration template, the start script and the topic script, in the ConfigMap. */
const SERVER_TEMPLATE = 'server.properties';
const START_SCRIPT = 'start.sh';
const TOPICS_SCRIPT = 'topics.sh';
/** Written once the declared topics exist: the readiness check. */
const TOPICS_DECLARED = '/tmp/topics-declared';
/** The SASL mechanism of the client listener (what clients, KEDA and the exporter name). */
export const KAFKA_SASL_MECHANISM = 'SCRAM-SHA-512';
/** The same mechanism as KEDA's Kafka scaler names it. */
export const KAFKA_KEDA_SASL = 'scram_sha512';

/** The pod's DNS name under the headless Service (`<id>-<ordinal>.<id>-headless.<namespace>.svc.cluster.local`). */
function podHost(c: BrokerContext, ordinal: number | string): string {
  return `${c.id}-${ordinal}.${c.id}-headless.${c.namespace}.svc.cluster.local`;
}

/** Replicas of the internal topics and the in-sync minimum: three (two) when the brokers allow it. */
function durability(brokers: number): { replicas: number; minInSync: number } {
  const replicas = Math.min(3, brokers);
  return { replicas, minInSync: replicas >= 3 ? 2 : 1 };
}

/**
 * The cluster id the volumes are formatted with (a UUID in Kafka's base64 form), the same at every synth: a hash
 * of the namespace and the broker's name, not a secret.
 */
export function kafkaClusterId(namespace: string, id: string): string {
  return createHash('sha256').update(`${namespace}/${id}`).digest().subarray(0, 16).toString('base64url');
}

function serverProperties(c: BrokerContext): string {
  const { replicas, minInSync } = durability(c.brokers);
  const voters = Array.from({ length: c.brokers }, (_, i) => `${i}@${podHost(c, i)}:${CONTROLLER_PORT}`);
  return [
    '# Written by k8s-platform (MessageBroker); the start script fills in the node id and the pod name.',
    'process.roles=broker,controller',
    'node.id=@NODE_ID@',
    `controller.quorum.voters=${voters.join(',')}`,
    `listeners=CLIENT://:${CLIENT_PORT},CONTROLLER://:${CONTROLLER_PORT},REPLICATION://:${REPLICATION_PORT}`,
    `advertised.listeners=CLIENT://@POD@.${c.id}-headless.${c.namespace}.svc.cluster.local:${CLIENT_PORT},` +
      `REPLICATION://@POD@.${c.id}-headless.${c.namespace}.svc.cluster.local:${REPLICATION_PORT}`,
    'listener.security.protocol.map=CLIENT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT,REPLICATION:PLAINTEXT',
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=REPLICATION',
    `sasl.enabled.mechanisms=${KAFKA_SASL_MECHANISM}`,
    `listener.name.client.${KAFKA_SASL_MECHANISM.toLowerCase()}.sasl.jaas.config=` +
      'org.apache.kafka.common.security.scram.ScramLoginModule required;',
    // A subdirectory: a fresh ext4 volume's lost+found is not a partition directory.
    'log.dirs=/var/lib/kafka/data/logs',
    // A broker exits when it cannot register with the quorum in time (60 s by default): its peers may start later
    // (Parallel pods on busy nodes), so it waits as long as the topics hook does.
    `initial.broker.registration.timeout.ms=${BROKER_BOOT_TIMEOUT_SECONDS * 1000}`,
    'auto.create.topics.enable=false',
    'num.partitions=3',
    `default.replication.factor=${replicas}`,
    `min.insync.replicas=${minInSync}`,
    `offsets.topic.replication.factor=${replicas}`,
    `transaction.state.log.replication.factor=${replicas}`,
    `transaction.state.log.min.isr=${minInSync}`,
    '',
  ].join('\n');
}

function startScript(c: BrokerContext): string {
  return [
    '#!/bin/sh',
    '# Written by k8s-platform (MessageBroker): node id from the pod ordinal, storage formatted once, then Kafka.',
    'set -eu',
    // PID 1 ignores signals it has no handler for: without this, a pod deleted while it waits would take its
    // whole grace period.
    "trap 'exit 143' TERM INT",
    'ordinal="${HOSTNAME##*-}"',
    // Kafka resolves the voters' names once, at start: a name that does not resolve yet (a peer pod without an
    // address) leaves the quorum unformed until a restart. Wait until every one resolves (getent, or BusyBox's
    // nslookup in the Alpine-based upstream image).
    `for host in ${Array.from({ length: c.brokers }, (_, i) => podHost(c, i)).join(' ')}; do`,
    `  ${retryUntilBooted(
      '{ getent hosts "$host" || nslookup "$host"; } >/dev/null 2>&1',
      `$host does not resolve after ${BROKER_BOOT_TIMEOUT_SECONDS} s`,
    )}`,
    'done',
    `sed -e "s/@NODE_ID@/$ordinal/" -e "s/@POD@/$HOSTNAME/g" ${c.configPath}/${SERVER_TEMPLATE} > /tmp/server.properties`,
    // The password goes inside the --add-scram argument, whose parser splits on "," and "]": the generated ones
    // are letters and digits.
    'case "$KAFKA_CLIENT_PASSWORD" in *[!A-Za-z0-9._~+/=-]*) ' +
      'echo "the password of the credentials Secret has characters --add-scram cannot take: use letters and digits" >&2; ' +
      'exit 1;; esac',
    // The client user exists from the first start; a later password change needs kafka-configs.sh.
    `${KAFKA_HOME}/bin/kafka-storage.sh format --ignore-formatted --cluster-id "$KAFKA_CLUSTER_ID" ` +
      '--config /tmp/server.properties ' +
      `--add-scram "${KAFKA_SASL_MECHANISM}=[name=$KAFKA_CLIENT_USER,password=\\"$KAFKA_CLIENT_PASSWORD\\"]"`,
    // Not a postStart hook: a pod publishes no IP (so no DNS name) until its hooks end, and the topics need the
    // whole quorum, which needs every broker's name. Its output goes to the container's log.
    `rm -f ${TOPICS_DECLARED}`,
    `sh ${c.configPath}/${TOPICS_SCRIPT} &`,
    `exec ${KAFKA_HOME}/bin/kafka-server-start.sh /tmp/server.properties`,
    '',
  ].join('\n');
}

function topicsScript(c: BrokerContext): string {
  const create = (name: string, partitions: number, replicas: number) =>
    `${KAFKA_HOME}/bin/kafka-topics.sh --bootstrap-server localhost:${REPLICATION_PORT} --create --if-not-exists ` +
    `--topic ${name} --partitions ${partitions} --replication-factor ${replicas}` +
    (replicas >= 3 ? ' --config min.insync.replicas=2' : '') +
    ' >/dev/null 2>&1';
  return [
    '#!/bin/sh',
    '# Written by k8s-platform (MessageBroker): the declared topics, once enough brokers run for their replicas.',
    "# A small heap: the server already holds the container's memory.",
    'export KAFKA_HEAP_OPTS="-Xms32m -Xmx128m"',
    ...c.queues.map((q) =>
      retryUntilBooted(
        create(q.name, q.partitions ?? 1, q.replicas ?? 1),
        `topic ${q.name}: not created within ${BROKER_BOOT_TIMEOUT_SECONDS} s`,
      ),
    ),
    `touch ${TOPICS_DECLARED}`,
    '',
  ].join('\n');
}

export const KAFKA_PRESET: BrokerPreset = {
  image: 'apache/kafka:4.1.1',
  uid: 1000,
  port: CLIENT_PORT,
  peerPorts: [
    { name: 'controller', port: CONTROLLER_PORT },
    { name: 'replication', port: REPLICATION_PORT },
  ],
  metricsPort: 9308,
  metricsPath: '/metrics',
  exporter: {
    image: 'danielqsj/kafka-exporter:v1.9.0',
    // Through the replication listener of its own pod (no credentials: the listener admits the broker's pods only).
    args: () => [`--kafka.server=localhost:${REPLICATION_PORT}`, '--kafka.version=3.9.0', '--web.listen-address=:9308'],
  },
  maxBrokers: 9,
  partitioned: true,
  reservedPrefix: '__',
  queueWord: 'topic',
  // The quorum needs a majority of its pods up before any is ready.
  podManagementPolicy: 'Parallel',
  dataPath: '/var/lib/kafka/data',
  configPath: '/etc/kafka/platform',
  writablePaths: ['/tmp'],
  env: (c) => ({
    KAFKA_CLUSTER_ID: kafkaClusterId(c.namespace, c.id),
    KAFKA_CLIENT_USER: c.user,
    // Half the memory limit for the heap; the rest is the page cache's and the JVM's own.
    KAFKA_HEAP_OPTS: `-Xms${Math.floor(c.memoryLimitBytes / 2 ** 21)}m -Xmx${Math.floor(c.memoryLimitBytes / 2 ** 21)}m`,
    // kafka-run-class.sh writes its log files here (the root filesystem is read-only); the console gets them too.
    LOG_DIR: '/tmp/logs',
  }),
  passwordEnv: 'KAFKA_CLIENT_PASSWORD',
  command: (c) => ['sh', `${c.configPath}/${START_SCRIPT}`],
  files: (c) => [
    { name: SERVER_TEMPLATE, text: serverProperties(c) },
    { name: START_SCRIPT, text: startScript(c) },
    { name: TOPICS_SCRIPT, text: topicsScript(c) },
  ],
  // The controller listener opens at start; readiness waits for the declared topics, which exist once the broker
  // has joined its quorum and the quorum has enough brokers for their replicas.
  probes: {
    liveness: { tcp: true, port: CONTROLLER_PORT },
    readiness: { exec: ['test', '-e', TOPICS_DECLARED] },
    startup: { tcp: true, port: CONTROLLER_PORT },
  },
  // BOOTSTRAP_SERVERS, USER, PASSWORD (from the Secret), and the SASL settings every client library names.
  clientEnv: (c) => [
    { name: `${c.prefix}_BOOTSTRAP_SERVERS`, value: `${c.host}:${CLIENT_PORT}` },
    { name: `${c.prefix}_USER`, value: c.user },
    passwordVar(c),
    { name: `${c.prefix}_SECURITY_PROTOCOL`, value: 'SASL_PLAINTEXT' },
    { name: `${c.prefix}_SASL_MECHANISM`, value: KAFKA_SASL_MECHANISM },
  ],
  scalerAddress: (host) => `${host}:${CLIENT_PORT}`,
};
