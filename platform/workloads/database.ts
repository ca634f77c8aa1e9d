/** `Database`: a single-instance PostgreSQL, MySQL, MongoDB or Redis as a StatefulSet with a persistent volume. */
import { DEFAULT_METRICS_PATH } from '../core/graph';
import { Construct } from 'constructs';
import { PlatformChart } from '../chart';
import { k8s } from 'cdk8s-plus-27';
import { serviceHost } from '../core/names';
import type { Resources, ResourcesProps } from '../core/resources';
import type { SizeQuantity } from '../core/units';
import { parseQuantity } from '../core/quantity';
import type { PropKeys } from '../core/known-props';
import { PropValidator, constructPath } from '../core/validate';
import type { VerticalPodAutoscaler } from '../crds/vpa-autoscaling.k8s.io';
import type { MeshOptions } from '../mesh/linkerd';
import { LINKERD_OPAQUE_PORTS_ANNOTATION } from '../mesh/linkerd';
import type { DatabaseEngine, EnginePreset } from './database-engines';
import { ENGINES } from './database-engines';
import type { DatabaseBackup, DatabaseBackupObjects } from './database-backup';
import { addDatabaseBackup, resolveBackup } from './database-backup';
import { METRICS_PORT_NAME } from './service';
import type { VerticalScaling, VerticalScalingMode } from './vertical-scaling';
import { addVerticalPodAutoscaler, resolveVerticalScaling } from './vertical-scaling';
import type { Connectable } from './workload';
import type { ResolvedWorkload } from './workload-props';
import { Workload } from './workload';
import {
  addStatefulServices,
  checkStatefulId,
  DATA_VOLUME,
  dataClaimTemplate,
  exporterContainer,
  MAX_STATEFUL_ID_LENGTH,
} from './stateful-parts';
import { resolveWorkloadProps } from './workload-props';

export { EXPORTER_RESOURCES, EXPORTER_UID } from './stateful-parts';

/** Volume size when none is given. */
export const DEFAULT_STORAGE = '10Gi';
/** Database and user name when none are given. */
export const DEFAULT_DATABASE_NAME = 'app';
/** Server container resources when none are given. */
export const DEFAULT_DATABASE_RESOURCES: Resources = {
  cpu: { request: '250m', limit: '1' },
  memory: { request: '256Mi', limit: '1Gi' },
};
/** uid/gid of the official database images' own user. */
export const DATABASE_UID = 999;
/** Longest Database id (see {@link MAX_STATEFUL_ID_LENGTH}). */
export const MAX_DATABASE_ID_LENGTH = MAX_STATEFUL_ID_LENGTH;
/** Smallest volume: a size without a unit is bytes, which no database starts in. */
const MIN_STORAGE_BYTES = 2 ** 20;
export { DATA_VOLUME };

/** Properties of a {@link Database}. */
export interface DatabaseProps {
  /** Which database: `postgres`, `mysql`, `mongodb` or `redis`. */
  readonly engine: DatabaseEngine;
  /**
   * Size of the persistent volume: `'10Gi'` or `Size.gibibytes(10)`.
   * @default '10Gi'
   */
  readonly storage?: SizeQuantity;
  /**
   * StorageClass of the volume.
   * @default the cluster's default StorageClass
   */
  readonly storageClass?: string;
  /**
   * Server image; must be the official image or one compatible with it (same environment variables and user).
   * @default the preset's pinned official image (`postgres:16.4`, `mysql:8.4.2`, `mongo:7.0.14`, `redis:7.4.0`)
   */
  readonly image?: string;
  /**
   * Prometheus exporter sidecar image.
   * @default the preset's pinned exporter (postgres-exporter, mysqld-exporter, mongodb_exporter, redis_exporter)
   */
  readonly exporterImage?: string;
  /**
   * Run the exporter sidecar and expose its metrics port to Prometheus.
   * @default true
   */
  readonly metrics?: boolean;
  /**
   * Database created at first start (not for Redis).
   * @default 'app'
   */
  readonly database?: string;
  /**
   * User created at first start, whose password is the `password` key of the credentials Secret (not for Redis).
   * @default 'app'
   */
  readonly user?: string;
  /**
   * Server container requests and limits.
   * @default cpu 250m/1, memory 256Mi/1Gi
   */
  readonly resources?: ResourcesProps;
  /**
   * Linkerd proxy when the app is meshed: `false` opts the database out, options size its proxy. In a meshed app
   * the server port is marked opaque on the Services (read by the clients' proxies) and on a meshed pod.
   * @default true, with the app's `meshProxy` resources
   */
  readonly mesh?: boolean | MeshOptions;
  /**
   * A VerticalPodAutoscaler for the server container (records the `vpa` add-on). Mode `'Off'` (recommendations
   * only) or `'Initial'` (applied when the pod is next recreated): evicting or resizing the only replica of a
   * database is an outage, and engines size their caches from their own configuration, not from the limits.
   * @default none
   */
  readonly verticalScaling?: VerticalScaling;
  /**
   * Scheduled backups with the engine's own consistent dump, kept in a retained volume or the platform's bucket,
   * restored with `k8s-platform restore` (see `docs/deploy.md`). On for every database; opting out takes a reason
   * (`{ disabled: 'a cache, rebuilt at start' }`).
   * @default daily between 02:00 and 02:59 UTC (the minute from its name), kept 7 days, in a volume the size of
   * `storage`
   */
  readonly backup?: DatabaseBackup;
}

const DATABASE_PROP_KEYS: PropKeys<DatabaseProps> = {
  engine: true,
  storage: true,
  storageClass: true,
  image: true,
  exporterImage: true,
  metrics: true,
  database: true,
  user: true,
  resources: true,
  mesh: true,
  verticalScaling: true,
  backup: true,
};

/** The VPA modes a Database allows: none of them evicts or resizes the running pod. */
export const DATABASE_VERTICAL_SCALING_MODES: readonly VerticalScalingMode[] = ['Off', 'Initial'];

/**
 * A database as a StatefulSet of one replica: a headless Service for its stable identity, a client Service, a
 * volume claim template whose PVC is retained when the StatefulSet is scaled down or deleted, credentials as a
 * reference to the Secret `<name>-credentials` (created at deploy time with random passwords, never
 * synthesized), the engine's own health check, and a Prometheus exporter sidecar.
 *
 * One replica, and so no PodDisruptionBudget (one that allowed no disruption would block node drains forever):
 * replication and failover need an operator (CloudNativePG, Percona, ...), which this preset does not pretend to be.
 *
 * Pod Security: restricted, with no exception (see `database-engines.ts`).
 */
export class Database extends Workload implements Connectable {
  /** The engine. */
  readonly engine: DatabaseEngine;
  /** The StatefulSet. */
  readonly statefulSet: k8s.KubeStatefulSet;
  /** The client Service (`<name>`), with the server port and the exporter's metrics port. */
  readonly service: k8s.KubeService;
  /** The headless Service (`<name>-headless`) that gives the pod its stable DNS name. */
  readonly headlessService: k8s.KubeService;
  /** Name of the credentials Secret. */
  readonly credentialsSecret: string;
  /** Database name (empty for Redis). */
  readonly database: string;
  /** User name (empty for Redis). */
  readonly user: string;
  /** Server port. */
  readonly port: number;
  /** The VerticalPodAutoscaler, when the database has `verticalScaling`. */
  readonly verticalAutoscaler?: VerticalPodAutoscaler;
  /** The backup's CronJob and volume claim, unless the database opted out. */
  readonly backup?: DatabaseBackupObjects;
  private readonly preset: EnginePreset;

  constructor(scope: Construct, id: string, props: DatabaseProps) {
    const v = new PropValidator(constructPath(scope, id));
    v.knownProps('', props, DATABASE_PROP_KEYS, 'Database');
    const engine = props?.engine;
    const preset =
      (typeof engine === 'string' && Object.hasOwn(ENGINES, engine) ? ENGINES[engine] : undefined) ??
      v.fail('engine', `${JSON.stringify(engine)} is not supported`, `use one of ${Object.keys(ENGINES).join(', ')}`);
    checkStatefulId(v, id);
    const storage = v.size('storage', props.storage ?? DEFAULT_STORAGE, '10Gi');
    if (parseQuantity(storage) < MIN_STORAGE_BYTES) {
      v.fail(
        'storage',
        `${JSON.stringify(storage)} is ${parseQuantity(storage)} bytes`,
        'give the size with a unit, e.g. "10Gi" (at least 1Mi)',
      );
    }
    if (props.storageClass !== undefined) v.dnsSubdomain('storageClass', props.storageClass);
    /** A database or user name: validated when given, else the default (none for engines without one). */
    const identifier = (prop: 'database' | 'user'): string => {
      const value = props[prop];
      if (value === undefined) return preset.hasDatabaseAndUser ? DEFAULT_DATABASE_NAME : '';
      if (!/^[a-zA-Z_][a-zA-Z0-9_]{0,62}$/.test(value)) {
        v.fail(
          prop,
          `${JSON.stringify(value)} is not a valid identifier`,
          'use letters, digits and "_" (at most 63), not starting with a digit',
        );
      }
      if (!preset.hasDatabaseAndUser) v.fail(prop, `is not supported by ${props.engine}`, `leave ${prop} out`);
      if (prop === 'user' && preset.reservedUsers?.includes(value)) {
        v.fail(
          prop,
          `${JSON.stringify(value)} is reserved by the ${props.engine} image`,
          `choose another user name (the image creates ${JSON.stringify(value)} itself and refuses it as the app user)`,
        );
      }
      return value;
    };
    const database = identifier('database');
    const user = identifier('user');
    const metrics = props.metrics ?? true;
    const secret = `${id}-credentials`;
    const context = { secret, database, user };
    const base = resolveWorkloadProps(
      scope,
      v,
      id,
      'database',
      {
        image: props.image ?? preset.image,
        env: preset.env(context),
        secretEnv: Object.fromEntries(Object.entries(preset.secretEnv).map(([name, key]) => [name, { secret, key }])),
        args: preset.args?.(context),
        resources: props.resources,
        mesh: props.mesh,
      },
      {
        resources: DEFAULT_DATABASE_RESOURCES,
        writablePaths: preset.writablePaths,
        runAs: { user: DATABASE_UID },
        ownSecrets: [secret],
      },
    );
    const exporterImage = v.image('exporterImage', props.exporterImage ?? preset.exporterImage);
    const serverPort = { name: props.engine, port: preset.port };
    const metricsPort = { name: METRICS_PORT_NAME, port: preset.exporterPort };
    const health = { exec: preset.healthCommand };
    const vertical =
      props.verticalScaling &&
      resolveVerticalScaling(v, 'verticalScaling', props.verticalScaling, {
        hpa: [],
        modes: DATABASE_VERTICAL_SCALING_MODES,
        defaultMode: 'Off',
        modesFix:
          'use "Off" (recommendations only) or "Initial" (applied at the next restart): evicting the only replica of a database is an outage',
      });
    const backup = resolveBackup(v, id, props.backup, storage, PlatformChart.of(scope).namespace as string);
    const spec: ResolvedWorkload = {
      ...base,
      ports: [{ ...serverPort, appProtocol: undefined }],
      clientPorts: [serverPort],
      metricsPorts: metrics ? [metricsPort] : [],
      metricsPath: metrics ? DEFAULT_METRICS_PATH : undefined,
      engine: props.engine,
      liveness: health,
      readiness: health,
      startup: health,
      probeTimeoutSeconds: preset.healthTimeoutSeconds,
      ...(backup ? { backup: { cronJob: backup.name, intervalSeconds: backup.intervalSeconds } } : {}),
    };

    super(scope, id, spec);
    this.engine = props.engine;
    this.preset = preset;
    this.credentialsSecret = secret;
    this.database = database;
    this.user = user;
    this.port = preset.port;
    this.app.requireSecret(secret, preset.secretKeys, {
      generate: true,
      description: `credentials of the ${props.engine} database ${id}`,
    });
    this.app.addStateful({ kind: 'StatefulSet', name: id });
    if (metrics) this.app.addons('prometheus');
    const opaque = this.opaquePorts.length
      ? { [LINKERD_OPAQUE_PORTS_ANNOTATION]: this.opaquePorts.join(',') }
      : undefined;

    const services = addStatefulServices(this, {
      id,
      labels: this.labels,
      selector: this.selector,
      annotations: opaque,
      clientPort: serverPort,
      metricsPort: metrics ? metricsPort : undefined,
    });
    this.headlessService = services.headless;
    this.service = services.service;

    const exporter = exporterContainer({
      image: exporterImage,
      port: preset.exporterPort,
      args: preset.exporterArgs?.(context),
      env: preset.exporterEnv(context),
    });
    const server = this.mainContainer({
      ports: [{ name: serverPort.name, containerPort: serverPort.port, protocol: 'TCP' }],
      volumeMounts: [{ name: DATA_VOLUME, mountPath: preset.dataPath }],
    });
    this.statefulSet = new k8s.KubeStatefulSet(this, 'statefulset', {
      metadata: { name: id, labels: this.labels },
      spec: {
        serviceName: services.headless.name,
        replicas: 1,
        selector: { matchLabels: this.selector },
        podManagementPolicy: 'OrderedReady',
        updateStrategy: { type: 'RollingUpdate' },
        // Data outlives the StatefulSet: deleting or scaling it down never deletes the volume.
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
        template: {
          metadata: this.podMetadata(),
          // Give the server time to flush and shut down cleanly.
          spec: this.podSpec(metrics ? [server, exporter] : [server], { terminationGracePeriodSeconds: 60 }),
        },
        volumeClaimTemplates: [dataClaimTemplate(this.labels, storage, props.storageClass)],
      },
    });
    this.exposeExceptions(this.statefulSet);
    if (backup) {
      this.backup = addDatabaseBackup(
        new Construct(this, 'backup'),
        {
          app: this.app,
          graphNode: this.graphNode,
          engine: props.engine,
          image: base.image,
          runAs: base.runAs,
          port: preset.port,
          credentialsSecret: secret,
          database,
          user,
        },
        backup,
      );
    }
    if (vertical) {
      this.verticalAutoscaler = addVerticalPodAutoscaler(
        this,
        { kind: 'StatefulSet', name: id, labels: this.labels, container: id },
        vertical,
      );
      this.app.addons('vpa');
    }
  }

  /** Host, port, database, user, password (from the Secret) and a URL, each as `<PREFIX>_...`. */
  connectionEnv(prefix: string): k8s.EnvVar[] {
    const host = serviceHost(this.name, this.app.namespace as string);
    return this.preset.clientEnv({
      secret: this.credentialsSecret,
      database: this.database,
      user: this.user,
      host,
      prefix,
    });
  }
}
