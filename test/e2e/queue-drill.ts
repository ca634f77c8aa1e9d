/**
 * The queue drill (issue #25) on the real nodes: a message published from a pod of each queue's producer reaches a
 * pod of its consumer through the broker. Each side runs in an ephemeral container of a pod of the workload: its
 * network identity (labels, namespace) under the derived NetworkPolicies, and its variables (the broker's address,
 * the generated password, the queue's name; a Kafka consumer's group). RabbitMQ: Debian's python3-pika in the
 * probers' image; Kafka: the console producer and consumer of the Kafka image, with SASL/SCRAM. The stand-ins
 * (podinfo) speak neither protocol themselves.
 */
import { randomUUID } from 'node:crypto';
import type { BrokerEngine, PlatformChart } from '../../platform';
import { envPrefix } from '../../platform/core/names';
import { BROKER_ENGINES } from '../../platform/workloads/broker-engines';
import type { KubeClient } from '../../scripts/cluster/kube-client';
import { ephemeral, PROBER_IMAGE, readyPods } from './edge-probes';

/** One queue with a declared producer and consumer. */
export interface QueueFlow {
  readonly broker: string;
  readonly engine: BrokerEngine;
  readonly queue: string;
  readonly producer: string;
  readonly consumer: string;
  /** The variables' prefix both were given (the default: from the queue's name). */
  readonly prefix: string;
}

/** The first producer and consumer of every queue of the app's brokers. */
export function queueFlows(chart: PlatformChart): QueueFlow[] {
  return chart.graphNodes.flatMap((node) =>
    (node.broker?.queues ?? []).flatMap((q) =>
      q.producers.length && q.consumers.length
        ? [
            {
              broker: node.name,
              engine: node.broker?.engine ?? 'rabbitmq',
              queue: q.name,
              producer: q.producers[0],
              consumer: q.consumers[0],
              prefix: envPrefix(q.name),
            },
          ]
        : [],
    ),
  );
}

/** Connects with the workload's own URL, retrying while the broker starts; checks the queue exists (passive). */
const CONNECT = `
import os, sys, time, pika
prefix = sys.argv[1]
url, queue = os.environ[prefix + "_URL"], os.environ[prefix + "_QUEUE"]
last = None
for attempt in range(45):
    try:
        conn = pika.BlockingConnection(pika.URLParameters(url))
        break
    except Exception as error:
        last = error
        time.sleep(2)
else:
    print("ERROR connect", repr(last))
    sys.exit(1)
channel = conn.channel()
channel.queue_declare(queue=queue, passive=True)
`;

const PUBLISH = `${CONNECT}
channel.confirm_delivery()
channel.basic_publish("", queue, sys.argv[2].encode(), pika.BasicProperties(delivery_mode=2), mandatory=True)
print("PUBLISHED", sys.argv[2])
conn.close()
`;

const CONSUME = `${CONNECT}
deadline = time.time() + 60
while time.time() < deadline:
    method, properties, body = channel.basic_get(queue)
    if method is None:
        time.sleep(1)
        continue
    channel.basic_ack(method.delivery_tag)
    if body.decode() == sys.argv[2]:
        print("CONSUMED", body.decode())
        break
else:
    print("ERROR nothing consumed")
conn.close()
`;

/**
 * Kafka's side, in bash: the client settings from the workload's variables (bootstrap servers, SASL mechanism and
 * protocol, user and password) into a properties file, retried while the quorum elects its leaders.
 */
const KAFKA_CLIENT = `
set -u
p=$1 msg=$2
v() { local name="\${p}_$1"; printf %s "\${!name}"; }
{
  echo "security.protocol=$(v SECURITY_PROTOCOL)"
  echo "sasl.mechanism=$(v SASL_MECHANISM)"
  echo "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\\"$(v USER)\\" password=\\"$(v PASSWORD)\\";"
} > /tmp/drill-client.properties
export KAFKA_HEAP_OPTS=-Xmx192m
`;

const KAFKA_PUBLISH = `${KAFKA_CLIENT}
for attempt in $(seq 30); do
  if echo "$msg" | kafka-console-producer.sh --bootstrap-server "$(v BOOTSTRAP_SERVERS)" --topic "$(v TOPIC)" \\
      --producer.config /tmp/drill-client.properties --producer-property acks=all >/tmp/drill.log 2>&1; then
    echo "PUBLISHED $msg"; exit 0
  fi
  sleep 3
done
echo "ERROR publish: $(tail -3 /tmp/drill.log)"
`;

const KAFKA_CONSUME = `${KAFKA_CLIENT}
# The stand-in never consumes, so the first message the group gets is the one just published.
got=$(kafka-console-consumer.sh --bootstrap-server "$(v BOOTSTRAP_SERVERS)" --topic "$(v TOPIC)" --group "$(v GROUP)" \\
  --from-beginning --max-messages 1 --timeout-ms 90000 --consumer.config /tmp/drill-client.properties 2>/tmp/drill.log)
if printf "%s\\n" "$got" | grep -q -x -F -e "$msg"; then
  echo "CONSUMED $msg"
else
  echo "ERROR consumed [$got]: $(tail -3 /tmp/drill.log)"
fi
`;

/** `bash -c <script> drill <args...>` as one bash line (the script has no single quote). */
function bash(script: string, ...args: string[]): string {
  if ([script, ...args].some((s) => s.includes("'"))) throw new Error('queue drill: a single quote in the script');
  return `exec bash -c '${script}' drill ${args.map((a) => `'${a}'`).join(' ')}`;
}

/** `python3 -c <code> <args...>` as one bash line (the code has no single quote). */
function python(code: string, ...args: string[]): string {
  if ([code, ...args].some((s) => s.includes("'"))) throw new Error('queue drill: a single quote in the script');
  return `exec python3 -c '${code}' ${args.map((a) => `'${a}'`).join(' ')}`;
}

/** Publishes a unique message from the producer's pod, then takes it from the consumer's; returns both logs. */
export async function drillQueue(
  client: KubeClient,
  kubeconfig: string,
  namespace: string,
  chart: PlatformChart,
  flow: QueueFlow,
): Promise<{ message: string; published: string; consumed: string }> {
  const selector = (name: string) => {
    const node = chart.graphNodes.find((n) => n.name === name);
    if (!node) throw new Error(`queue drill: no workload ${name}`);
    return node.selector;
  };
  const podOf = async (name: string) => {
    const pod = (await readyPods(client, namespace, selector(name)))[0];
    if (!pod) throw new Error(`queue drill: no Ready pod of ${namespace}/${name}`);
    return pod;
  };
  const message = `drill-${randomUUID()}`;
  const kafka = flow.engine === 'kafka';
  const image = kafka ? BROKER_ENGINES.kafka.image : PROBER_IMAGE;
  const published = await ephemeral(
    client,
    kubeconfig,
    await podOf(flow.producer),
    image,
    kafka ? bash(KAFKA_PUBLISH, flow.prefix, message) : python(PUBLISH, flow.prefix, message),
  );
  const consumed = await ephemeral(
    client,
    kubeconfig,
    await podOf(flow.consumer),
    image,
    kafka ? bash(KAFKA_CONSUME, flow.prefix, message) : python(CONSUME, flow.prefix, message),
  );
  return { message, published: published.trim(), consumed: consumed.trim() };
}
