/**
 * The contract between the cdk8s side (which writes `charts-out/`) and the Pulumi side (which reads it).
 *
 * This file imports nothing from cdk8s or Pulumi on purpose: both worlds depend on it, neither on the other. The
 * schema of `index.json` (valibot) gives both the types of the index and its parser, {@link checkChartsIndex}.
 */
import { createHash } from 'node:crypto';
import * as v from 'valibot';

/**
 * Suffix of a database's backup CronJob, ServiceAccount and volume claim (`<database>-backup`), by which
 * `k8s-platform restore` finds them.
 */
export const BACKUP_SUFFIX = '-backup';
/** The ConfigMap (and optional Secret) the Pulumi side writes with a bucket target's remote: `<database>-backup-target`. */
export function backupTargetName(database: string): string {
  return `${database}${BACKUP_SUFFIX}-target`;
}
/** Name of the backup volume in a backup job's pod (a restore of another database's backups swaps its claim). */
export const BACKUP_VOLUME = 'backups';

/** Version of the `charts-out/index.json` format; bumped on any incompatible change. */
export const CHARTS_INDEX_VERSION = 1;

/** Platform add-ons an app can need; Pulumi installs each from its official Helm chart. */
export const ADDONS = [
  'ingress-nginx',
  'contour',
  'gateway-api',
  'linkerd',
  'linkerd-viz',
  'prometheus',
  'prometheus-adapter',
  'vpa',
  'loki',
  'tempo',
  'cert-manager',
  'keda',
] as const;

/** One platform add-on (see {@link ADDONS}). */
export type Addon = (typeof ADDONS)[number];

/** Annotation that meshes a namespace or pod (`enabled`) or opts a pod out (`disabled`); set by both sides. */
export const LINKERD_INJECT_ANNOTATION = 'linkerd.io/inject';

/**
 * The label Kubernetes puts on every Namespace with its name, by which NetworkPolicies of both sides select a
 * namespace.
 */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** Extension of every manifest file of `charts-out/` (one per app chart: `<app>.k8s.yaml`). */
export const MANIFEST_EXTENSION = '.k8s.yaml';

/** The name of the index file beside the manifests (`charts-out/index.json`, {@link ChartsIndex}). */
export const INDEX_FILE = 'index.json';

/**
 * The namespace each add-on is installed in. Pulumi installs them there, and the app NetworkPolicies admit
 * traffic from there (ingress controllers to exposed services, Prometheus to metrics ports, Linkerd).
 */
export const ADDON_NAMESPACES: Readonly<Record<Addon, string>> = {
  'ingress-nginx': 'ingress-nginx',
  contour: 'projectcontour',
  'gateway-api': 'projectcontour',
  linkerd: 'linkerd',
  'linkerd-viz': 'linkerd-viz',
  prometheus: 'monitoring',
  'prometheus-adapter': 'monitoring',
  vpa: 'vpa',
  loki: 'monitoring',
  tempo: 'monitoring',
  'cert-manager': 'cert-manager',
  keda: 'keda',
};

/**
 * Where the `tempo` add-on receives OTLP traces: the Service of the Tempo Helm release (Pulumi names the release
 * after it and turns both receivers on), its pods' selector labels (for the egress NetworkPolicy of traced
 * workloads), and the receiver port of each OTLP protocol.
 */
export const TEMPO_OTLP = {
  service: 'tempo',
  namespace: ADDON_NAMESPACES.tempo,
  podLabels: { 'app.kubernetes.io/name': 'tempo', 'app.kubernetes.io/instance': 'tempo' },
  ports: { grpc: 4317, 'http/protobuf': 4318 },
} as const;

/** Label every Prometheus pod of kube-prometheus-stack carries (set by the Prometheus Operator). */
export const PROMETHEUS_POD_LABELS: Readonly<Record<string, string>> = { 'app.kubernetes.io/name': 'prometheus' };

/** The label by which kube-prometheus-stack's Grafana sidecar picks up dashboard ConfigMaps in every namespace. */
export const GRAFANA_DASHBOARD_LABEL = 'grafana_dashboard';

/** The Gateway (Gateway API) that `gateway` routes attach to, provisioned by the `gateway-api` add-on. */
export const PLATFORM_GATEWAY = { name: 'platform', namespace: 'projectcontour' } as const;

/**
 * Listeners the platform Gateway has for hosts, over all apps: the Gateway API allows 64 per Gateway
 * (`spec.listeners` `maxItems: 64` in the standard-channel CRD) and one is Contour's own (`https`). A host served
 * over HTTPS takes two (`https-<host>` and the port-80 `http-<host>` that redirects to it), a host served with
 * `tls.disabled` one (`http-<host>`). The API server refuses a 65th listener.
 */
export const GATEWAY_HOST_LISTENERS_MAX = 63;

/** HTTPS hosts the platform Gateway can serve over all apps when none is plain HTTP (two listeners each). */
export const GATEWAY_HTTPS_HOSTS_MAX = Math.floor(GATEWAY_HOST_LISTENERS_MAX / 2);

/**
 * The cert-manager `ClusterIssuer` that signs the certificates of each route implementation's hosts. Pulumi creates
 * them (kind chosen by stack config: ACME HTTP-01 solved through that implementation, ACME DNS-01, or a local CA);
 * one per implementation because an HTTP-01 solver must be served by the controller that serves the host.
 */
export const CLUSTER_ISSUERS = {
  nginx: 'platform-nginx',
  contour: 'platform-contour',
  gateway: 'platform-gateway',
} as const;

/** Port the ACME HTTP-01 solver pods of cert-manager listen on (its `--acme-http01-solver-port` default). */
export const ACME_SOLVER_PORT = 8089;
/** Label cert-manager puts on every ACME HTTP-01 solver pod. */
export const ACME_SOLVER_POD_LABELS: Readonly<Record<string, string>> = {
  'acme.cert-manager.io/http01-solver': 'true',
};

/** A Linkerd workload identity: the ServiceAccount its proxy's mTLS certificate names. */
export interface MeshIdentity {
  readonly serviceAccount: string;
  readonly namespace: string;
}

/** The Linkerd mTLS identity of a ServiceAccount (`<sa>.<ns>.serviceaccount.identity.linkerd.cluster.local`). */
export function meshIdentity(id: MeshIdentity): string {
  return `${id.serviceAccount}.${id.namespace}.serviceaccount.identity.linkerd.cluster.local`;
}

/**
 * The proxies of each ingress add-on that forward to app pods, by ServiceAccount (the charts' names for releases
 * named as Pulumi names them). With Linkerd installed, Pulumi meshes them, so meshed apps authorize them by identity.
 */
export const INGRESS_IDENTITIES: Readonly<Record<'ingress-nginx' | 'contour', MeshIdentity>> = {
  'ingress-nginx': { serviceAccount: 'ingress-nginx', namespace: ADDON_NAMESPACES['ingress-nginx'] },
  contour: { serviceAccount: 'contour-envoy', namespace: ADDON_NAMESPACES.contour },
};

/**
 * Linkerd proxy admin port (the proxy's metrics: golden metrics per workload and route), scraped by the platform
 * Prometheus (job `linkerd-proxy`, which linkerd-viz queries) or by linkerd-viz's own Prometheus.
 */
export const LINKERD_ADMIN_PORT = 4191;

/** linkerd-viz's Prometheus, which scrapes every proxy's admin port (meshed, so known by identity). */
export const LINKERD_VIZ_PROMETHEUS: MeshIdentity = { serviceAccount: 'prometheus', namespace: 'linkerd-viz' };

/** Name of the platform Gateway's HTTPS listener for a host (the `sectionName` its routes attach to). */
export function gatewayHttpsListener(host: string): string {
  return `https-${host.toLowerCase()}`;
}

/**
 * Name of the platform Gateway's port-80 listener of a host. For a host served without TLS (`tls.disabled`) it is
 * the `sectionName` its routes attach to, admitting only the namespaces that own the host; for an HTTPS host it
 * admits only the Gateway's own namespace (the platform's redirect to HTTPS, cert-manager's ACME HTTP-01 solvers).
 */
export function gatewayHttpListener(host: string): string {
  return `http-${host.toLowerCase()}`;
}

/** Name of the `kubernetes.io/tls` Secret (in the Gateway's namespace) holding the certificate of a gateway host. */
export function gatewayCertificateSecret(host: string): string {
  return `tls-${host.toLowerCase().replace(/\./g, '-')}`;
}

const LABEL_PATTERN = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
/** A DNS label (RFC 1123): the names of apps, namespaces and identities on both sides. */
export const DNS_LABEL = new RegExp(`^${LABEL_PATTERN}$`);
/** A DNS subdomain (RFC 1123): DNS labels joined by dots. */
export const DNS_SUBDOMAIN = new RegExp(`^${LABEL_PATTERN}(\\.${LABEL_PATTERN})*$`);

// The schema of `index.json`: the types below are inferred from it, and `checkChartsIndex` parses with it. Each
// message says what is wrong after the path (`apps[0].digest is missing`).
const text = v.pipe(v.string('is missing'), v.nonEmpty('is missing'));
const list = <T extends v.GenericSchema>(item: T) => v.pipe(v.array(item, 'is not an array'), v.readonly());
const isAddon = (value: unknown): value is Addon => (ADDONS as readonly unknown[]).includes(value);
const plainObject = v.custom<Record<string, unknown>>(
  (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
  'is not an object',
);
/** A plain object whose missing keys get their own schema's message (valibot gives them the object's). */
const record = <E extends v.ObjectEntries>(entries: E) =>
  v.pipe(
    plainObject,
    v.object(entries, (issue) => {
      const key = issue.path?.[issue.path.length - 1]?.key;
      const message =
        typeof key === 'string' ? (entries[key] as { message?: unknown } | undefined)?.message : undefined;
      return typeof message === 'string' ? message : issue.path ? 'is missing' : 'is not an object';
    }),
    v.readonly(),
  );

const SecretRequirementSchema = record({
  /** The Secret's `metadata.name` in the app namespace. */
  name: text,
  /** The keys the manifests read from it (sorted). */
  keys: list(v.string('is not a string')),
  /** `true`: Pulumi generates random values (passwords); `false`: the values come from Pulumi config secrets. */
  generate: v.boolean('is not a boolean'),
  /** What the Secret is for, shown in errors when a config value is missing. */
  description: v.string('is not a string'),
});

const StatefulObjectSchema = record({
  kind: v.picklist(['StatefulSet', 'PersistentVolumeClaim'], 'is not StatefulSet or PersistentVolumeClaim'),
  name: text,
});

const WorkloadIdentityRequirementSchema = record({
  /** The ServiceAccount's name in the app namespace. */
  serviceAccount: text,
  /** The identity's name, a key of the stack's `identities` config. */
  identity: text,
});

const BackupRequirementSchema = record({
  /** The Database (its CronJob is `<database>-backup`). */
  database: text,
  /** Its engine. */
  engine: text,
  /** The backup job's ServiceAccount. */
  serviceAccount: text,
  /** Days a backup is kept (a bucket's lifecycle rule). */
  retentionDays: v.number('is not a number'),
  /** Where the backups are kept. */
  target: v.picklist(['volume', 'bucket'], 'is not volume or bucket'),
});

const AppEntrySchema = record({
  /** App name, also the chart name. */
  name: text,
  /** The YAML file, relative to `charts-out/`. */
  file: text,
  /**
   * The namespace all the app's namespaced objects live in. The YAML holds the Namespace object too, so that
   * `kubectl apply -f charts-out/<file>` works alone; Pulumi creates the namespace itself and skips that object.
   */
  namespace: text,
  /** `sha256:<hex>` of the YAML file's bytes. */
  digest: text,
  /** Secrets the app expects (names and keys only). */
  secrets: list(SecretRequirementSchema),
  /** Add-ons whose CRDs or controllers the app uses (sorted). */
  addons: v.custom<readonly Addon[]>(
    (value) => Array.isArray(value) && value.every((a) => typeof a === 'string' && isAddon(a)),
    ({ input }) =>
      Array.isArray(input)
        ? `names unknown add-on ${JSON.stringify(input.find((a) => !isAddon(a)))} (known: ${ADDONS.join(', ')})`
        : 'is not an array',
  ),
  /** Objects that own persistent volumes. */
  stateful: list(StatefulObjectSchema),
  /** Hosts the app exposes through an ingress (sorted). */
  hosts: list(v.string('is not a string')),
  /** Whether the namespace is meshed by Linkerd (the namespace gets `linkerd.io/inject: enabled`). */
  meshed: v.boolean('is not a boolean'),
  /** ServiceAccounts bound to cloud identities, sorted by ServiceAccount; absent when there are none. */
  identities: v.optional(list(WorkloadIdentityRequirementSchema)),
  /** The databases' scheduled backups, sorted by database; absent when there are none. */
  backups: v.optional(list(BackupRequirementSchema)),
  /**
   * Hosts the app serves over HTTPS through `gateway` routes (sorted): the platform Gateway needs an HTTPS
   * listener ({@link gatewayHttpsListener}) with a cert-manager certificate ({@link gatewayCertificateSecret})
   * for each.
   */
  gatewayHttpsHosts: list(v.string('is not a string')),
  /**
   * Hosts the app serves over plain HTTP (`tls.disabled`) through `gateway` routes (sorted): the platform Gateway
   * needs an HTTP listener ({@link gatewayHttpListener}) for each; absent when there are none.
   */
  gatewayHttpHosts: v.optional(list(v.string('is not a string'))),
});

const ChartsIndexSchema = v.pipe(
  plainObject,
  v.object(
    {
      version: v.literal(
        CHARTS_INDEX_VERSION,
        (issue) => `is ${JSON.stringify(issue.input)} but this Pulumi program reads version ${CHARTS_INDEX_VERSION}`,
      ),
      apps: v.pipe(
        list(AppEntrySchema),
        v.check(
          (apps) => new Set(apps.map((a) => a.name)).size === apps.length,
          (issue) =>
            `lists "${issue.input.find((a, i) => issue.input.findIndex((b) => b.name === a.name) !== i)?.name}" twice`,
        ),
      ),
    },
    (issue) => (issue.path ? (issue.expected === '"apps"' ? 'is not an array' : 'is missing') : 'is not an object'),
  ),
  v.readonly(),
);

/**
 * A Secret the app's manifests reference by name. The manifests never contain its value: Pulumi creates it at
 * deploy time, with random values for `generate: true` keys and values from stack config for the others.
 */
export type SecretRequirement = v.InferOutput<typeof SecretRequirementSchema>;
/** A stateful object whose volumes hold data: Pulumi protects it from accidental deletion. */
export type StatefulObject = v.InferOutput<typeof StatefulObjectSchema>;
/**
 * A workload whose ServiceAccount acts as a cloud identity (an IAM role on EKS, a Google service account on GKE).
 * The manifests carry no cloud account ids: Pulumi maps `identity` to the real role or account from stack config,
 * binds the ServiceAccount to it and annotates it at deploy time.
 */
export type WorkloadIdentityRequirement = v.InferOutput<typeof WorkloadIdentityRequirementSchema>;
/**
 * A database's scheduled backup. With a `bucket` target the platform stack provides the bucket and the
 * ServiceAccount's access to its prefix `<namespace>/<database>/`, and the app stack the ConfigMap
 * {@link backupTargetName} the upload reads.
 */
export type BackupRequirement = v.InferOutput<typeof BackupRequirementSchema>;
/** One app (one cdk8s chart) in `charts-out/`. */
export type AppEntry = v.InferOutput<typeof AppEntrySchema>;
/** The whole `charts-out/index.json`. */
export type ChartsIndex = v.InferOutput<typeof ChartsIndexSchema>;

/** What is wrong with an `index.json`: where (`apps[0].digest`, or `the document`) and what. */
export interface ChartsIndexProblem {
  /** The path of the bad value (`apps[0].digest`), `the document` for the whole. */
  readonly path: string;
  /** What is wrong with it (`is missing`). */
  readonly problem: string;
}

/** Checks a parsed `index.json` against its schema: the typed index, or its first problem. */
export function checkChartsIndex(value: unknown): { index: ChartsIndex } | { problem: ChartsIndexProblem } {
  const result = v.safeParse(ChartsIndexSchema, value);
  if (result.success) return { index: result.output };
  const [issue] = result.issues;
  const path = (issue.path ?? [])
    .map((item) => (typeof item.key === 'number' ? `[${item.key}]` : `.${String(item.key)}`))
    .join('')
    .replace(/^\./, '');
  return { problem: { path: path || 'the document', problem: issue.message } };
}

/**
 * The add-ons an app needs: those `index.json` lists, plus Linkerd for a meshed app (its namespace is injected).
 * The one statement of that rule, for the index check, the platform stack and the app stack.
 */
export function appAddons(app: Pick<AppEntry, 'addons' | 'meshed'>): Addon[] {
  return [...new Set<Addon>([...app.addons, ...(app.meshed ? (['linkerd'] as const) : [])])];
}

/** The digest recorded in `index.json` for a manifest file's contents. */
export function manifestDigest(contents: string | Buffer): string {
  return 'sha256:' + createHash('sha256').update(contents).digest('hex');
}

/** The `app.kubernetes.io/managed-by` value of everything this library synthesizes. */
export const MANAGED_BY = 'k8s-platform';

/** Label keys (the Kubernetes recommended labels). */
export const LABEL = {
  name: 'app.kubernetes.io/name',
  partOf: 'app.kubernetes.io/part-of',
  component: 'app.kubernetes.io/component',
  managedBy: 'app.kubernetes.io/managed-by',
  version: 'app.kubernetes.io/version',
} as const;

/** A Pod Security Standards level. */
export type PodSecurityLevel = 'restricted' | 'baseline' | 'privileged';

/**
 * Pod Security Admission labels of a namespace: `level` enforced (at the latest version), and `restricted` audited
 * and warned about, so that whatever a lower level admits is still reported.
 */
export function podSecurityLabels(level: PodSecurityLevel): Record<string, string> {
  return {
    'pod-security.kubernetes.io/enforce': level,
    'pod-security.kubernetes.io/enforce-version': 'latest',
    'pod-security.kubernetes.io/audit': 'restricted',
    'pod-security.kubernetes.io/warn': 'restricted',
  };
}
