/** `LoadGenerator`: a distributed Locust load test (a master with the web UI, and workers) against one target. */
import { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-27';
import { serviceHost } from '../core/names';
import { DeploymentWorkload } from './deployment-workload';
import type { ResolvedScaling } from './scaling';
import { addClusterService } from './service';
import type { ConnectOptions, Connectable } from './workload';
import type { ResolvedWorkload } from './workload-props';
import type { LoadGeneratorProps } from './load-generator-props';
import {
  LOCUSTFILE_HASH_ANNOTATION,
  LOCUST_MASTER_ENV_PREFIX,
  LOCUST_MASTER_PORT,
  LOCUST_WEB_PORT,
  TARGET_ENV_PREFIX,
  resolveLoadGeneratorProps,
} from './load-generator-props';

/** The Locust master: coordinates the workers (port 5557) and serves the web UI and statistics (port 8089). */
export class LoadGeneratorMaster extends DeploymentWorkload implements Connectable {
  /** The Kubernetes Service in front of the master. */
  readonly service: k8s.KubeService;
  /** The web UI port: what a `Route` to the master serves. */
  readonly port = LOCUST_WEB_PORT;
  /** Protocol of the web UI port. */
  readonly protocol = 'http';
  /** The port workers connect to. */
  readonly masterPort = LOCUST_MASTER_PORT;

  /** Created by {@link LoadGenerator} from validated props. */
  constructor(scope: Construct, id: string, spec: ResolvedWorkload, scaling: ResolvedScaling) {
    super(scope, id, spec, scaling);
    this.service = addClusterService(this, spec.ports);
  }

  /** `<PREFIX>_HOST` and `<PREFIX>_PORT` of the master port (Locust's own names with the `LOCUST_MASTER_NODE` prefix). */
  connectionEnv(prefix: string): k8s.EnvVar[] {
    return [
      { name: `${prefix}_HOST`, value: serviceHost(this.name, this.app.namespace as string) },
      { name: `${prefix}_PORT`, value: String(this.masterPort) },
    ];
  }
}

/** The Locust workers: they run the simulated users, connected to the master, and have no port of their own. */
export class LoadGeneratorWorkers extends DeploymentWorkload {
  /** Created by {@link LoadGenerator} from validated props. */
  constructor(
    scope: Construct,
    id: string,
    spec: ResolvedWorkload,
    scaling: ResolvedScaling,
    private readonly master: LoadGeneratorMaster,
  ) {
    super(scope, id, spec, scaling);
  }

  /**
   * Also gives the master the connection's variables, without the edge (it opens no connection): the master
   * imports the same locustfile, which may read them at import (`os.environ['USERS_URL']`).
   */
  override connectTo(target: Connectable, options?: ConnectOptions): this {
    super.connectTo(target, options);
    if (target !== this.master) this.master.addConnectionEnv(this.connectionEnvs[this.connectionEnvs.length - 1]);
    return this;
  }
}

/**
 * A distributed Locust load test against a service of the app: the locustfile and its data files in a ConfigMap
 * (`<name>-locustfile`), a master Deployment and Service (`<name>-master`: web UI on 8089, workers on 5557) and a
 * worker Deployment (`<name>-worker`), each with its ServiceAccount and NetworkPolicy. The workers may reach the
 * master's port 5557 and the target's HTTP port, nothing else; the master opens no connection (it only
 * coordinates). Open the web UI with `kubectl port-forward svc/<name>-master 8089`, or route a host to `master`.
 *
 * ```ts
 * const rooms = new Service(app, 'room-router', { image: 'ghcr.io/stefanprodan/podinfo:6.7.1', port: 9898 });
 * new LoadGenerator(app, 'load-test', {
 *   target: rooms,
 *   locustfile: [
 *     'from locust import HttpUser, between, task',
 *     'class Visitor(HttpUser):',
 *     '    wait_time = between(1, 3)',
 *     '    @task',
 *     '    def rooms(self):',
 *     '        self.client.get("/api/rooms")',
 *   ].join('\n'),
 *   users: 200,
 *   spawnRate: 20,
 *   runTime: '10m',
 *   workers: { min: 2, max: 6 },
 * });
 * ```
 */
export class LoadGenerator extends Construct {
  /** The master (a graph node: route to it, or `connectTo` nothing; it calls nobody). */
  readonly master: LoadGeneratorMaster;
  /** The workers (a graph node: `allowEgress` here when the target is a URL outside the app). */
  readonly workers: LoadGeneratorWorkers;
  /** The ConfigMap holding the locustfile and data files. */
  readonly configMap: k8s.KubeConfigMap;
  /** The base URL the simulated users call (`LOCUST_HOST`). */
  readonly host: string;

  constructor(scope: Construct, id: string, props: LoadGeneratorProps) {
    const r = resolveLoadGeneratorProps(scope, id, props);
    super(scope, id);
    this.host = r.host;
    this.configMap = new k8s.KubeConfigMap(this, 'locustfile', {
      metadata: { name: r.mount.configMap, labels: r.labels },
      data: r.files,
    });
    this.master = new LoadGeneratorMaster(this, 'master', r.master, r.masterScaling);
    this.workers = new LoadGeneratorWorkers(this, 'worker', r.worker, r.workerScaling, this.master);
    for (const node of [this.master, this.workers]) node.addPodAnnotation(LOCUSTFILE_HASH_ANNOTATION, r.hash);
    this.workers.connectTo(this.master, { envPrefix: LOCUST_MASTER_ENV_PREFIX, ports: [LOCUST_MASTER_PORT] });
    if (typeof props.target !== 'string') {
      this.workers.connectTo(props.target, { envPrefix: TARGET_ENV_PREFIX, ports: [props.target.port] });
    }
  }
}
