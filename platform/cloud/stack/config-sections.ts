/**
 * The schemas of the platform stack's config keys (valibot): what `parseStackConfig` reads each key with, and the
 * source of the section types (`NodeSettings`, `ExistingSettings`). Rules across keys (the region's zones, the
 * node bounds, the endpoint CIDRs' opt-in) stay in `config.ts`.
 */
import { resolve } from 'node:path';
import * as v from 'valibot';
import { DNS_LABEL } from '../../contract';
import type { ExistingBucket } from '../backup-store';
import type { GatewayHost } from '../cert-issuers';
import type { CloudIdentity } from '../workload-identity';
import { WIDE_CIDR_OPT_IN } from './config-rules';
import {
  addonList,
  boolish,
  fields,
  flag,
  integer,
  list,
  oneOf,
  optionalOneOf,
  section,
  stringList,
  text,
} from './config-schema';

const NAME = DNS_LABEL.source.slice(1, -1);
/** A lowercase DNS name with a top-level domain (`example.com`). */
export const DOMAIN = new RegExp(`^(?=.{1,253}$)(${NAME}\\.)+[a-z]{2,63}$`);
/** A host an app serves: a DNS name, or a wildcard (`*.example.com`). */
const HOST = new RegExp(`^(\\*\\.)?(${NAME}\\.)+[a-z]{2,63}$`);
const IAM_POLICY_ARN = /^arn:aws[a-z-]*:iam::(aws|\d{12}):policy\/[\w+=,.@/-]+$/;
const GCP_SERVICE_ACCOUNT = /^[a-z][-a-z0-9]{4,28}[a-z0-9]@[a-z][-a-z0-9]{4,28}[a-z0-9]\.iam\.gserviceaccount\.com$/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** A string matching `pattern`, or `message`. */
const matching = (pattern: RegExp, message: string) =>
  v.custom<string>((x) => typeof x === 'string' && pattern.test(x), message);

/** `apps`: names of apps of `charts-out/index.json`. */
export const appNames = stringList((a) => (DNS_LABEL.test(a) ? undefined : 'is not a valid app name'));

/** `nodes`: node pool (GKE, bounds per zone) or node group (EKS) sizing; EKS groups never scale to zero. */
export function nodesSection(cloud: 'gke' | 'eks') {
  const floor = cloud === 'eks' ? 1 : 0;
  return section({
    /** GCE machine type or EC2 instance type. */
    machineType: text,
    /** Lower bound (per zone on GKE, per group on EKS). */
    min: integer(floor, 100),
    /** Upper bound. */
    max: integer(1, 100),
    /** Initial size on EKS. */
    desired: integer(floor, 100),
    /** Boot disk size in GB. */
    diskSizeGb: integer(20, 2000),
    /** Spot/preemptible capacity. */
    spot: v.optional(boolish),
  });
}

/** `chartSource`: the add-ons' charts from a local folder (relative to `projectRoot`), else the repositories. */
export function chartSourceSection(projectRoot: string) {
  return v.pipe(
    section({ localDir: text }),
    v.transform(({ localDir }): { localDir?: string } =>
      localDir === undefined ? {} : { localDir: resolve(projectRoot, localDir) },
    ),
  );
}

const eksIdentity = v.pipe(
  section({
    // Absent reads as [] so that the emptiness check runs (valibot skips the schema of a missing optional key).
    policyArns: v.pipe(
      v.optional(
        list((arn) =>
          IAM_POLICY_ARN.test(arn)
            ? undefined
            : 'is not an IAM policy ARN such as arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess',
        ),
        [],
      ),
      v.check((arns) => arns.length > 0, 'required'),
    ),
  }),
  v.transform(({ policyArns }): CloudIdentity => ({ kind: 'aws-iam-role', policyArns })),
);

const gkeIdentity = v.pipe(
  section({
    serviceAccount: matching(
      GCP_SERVICE_ACCOUNT,
      'expected a Google service account email such as media-writer@my-project.iam.gserviceaccount.com',
    ),
  }),
  v.transform(({ serviceAccount }): CloudIdentity => ({ kind: 'gcp-service-account', email: serviceAccount })),
);

/**
 * `identities`: for each identity name the apps use, the IAM policies of its role (EKS) or the Google service
 * account it impersonates (GKE).
 */
export function identitiesSection(cloud: 'gke' | 'eks') {
  return v.optional(
    v.record(
      matching(DNS_LABEL, 'identity names are DNS labels'),
      cloud === 'eks' ? eksIdentity : gkeIdentity,
      'expected an object',
    ),
    {},
  );
}

/** `existing.backupBucket`: the user's S3-compatible bucket for the databases' `bucket` backups. */
const backupBucket = v.pipe(
  section({
    bucket: v.custom<string>(
      (x) => typeof x === 'string' && BUCKET.test(x),
      ({ input }) =>
        input === '' ? 'expected a non-empty string' : 'is required: the name of an S3-compatible bucket',
    ),
    provider: text,
    endpoint: v.pipe(
      text,
      v.check(
        (e) => e === undefined || /^https:\/\/[^\s/]+(\/\S*)?$/.test(e),
        'must be an https:// URL (the backups leave the cluster)',
      ),
    ),
    region: text,
  }),
  v.transform(({ bucket, provider, endpoint, region }): ExistingBucket => ({
    bucket: bucket ?? '',
    provider: provider ?? (endpoint ? 'Other' : 'AWS'),
    ...(endpoint ? { endpoint } : {}),
    ...(region !== undefined ? { region } : {}),
  })),
);

/** `existing`: how to reach a cluster the stack does not create. */
export const existingSection = section({
  /** Kubeconfig path or contents; the ambient kubeconfig when absent. */
  kubeconfig: text,
  /** Context inside the kubeconfig. */
  context: text,
  /** Whether to install metrics-server (kind/minikube need the insecure-kubelet-TLS variant). */
  metricsServer: oneOf(['none', 'install', 'install-insecure-kubelet-tls'], 'none'),
  /** Add-ons the cluster already runs. */
  builtInAddons: addonList,
  /** The user's bucket for the databases' `bucket` backups; keys in the Secret `<database>-backup-target`. */
  backupBucket: v.optional(backupBucket),
});

/** `gke`: the GKE settings (`authorizedNetworks` is read with its opt-in, by `config.ts`). */
export const gkeSection = section({
  project: text,
  autopilot: flag(false),
  releaseChannel: optionalOneOf(['RAPID', 'REGULAR', 'STABLE']),
  authorizedNetworks: v.optional(v.unknown()),
  [WIDE_CIDR_OPT_IN]: flag(false),
});

/** `eks`: the EKS settings (`publicAccessCidrs` is read with its opt-in, `accessEntries` by its rule). */
export const eksSection = section({
  kubernetesVersion: v.pipe(
    text,
    v.check((k) => k === undefined || /^1\.\d{2}$/.test(k), 'expected a minor version such as "1.34"'),
  ),
  natGateways: optionalOneOf(['single', 'perZone']),
  publicAccessCidrs: v.optional(v.unknown()),
  awsProfile: text,
  [WIDE_CIDR_OPT_IN]: flag(false),
  accessEntries: v.optional(v.unknown()),
});

/**
 * `gatewayHttpsHosts` (or `gatewayHttpHosts`, hosts served with `tls.disabled`):
 * `[{ host: shop.example.com, namespace: shop }]`, one listener each on the platform Gateway.
 */
export function gatewayHostList(plainHttp: boolean) {
  const entry = v.pipe(
    fields(
      {
        host: matching(HOST, 'expected a lowercase DNS name such as shop.example.com'),
        namespace: matching(DNS_LABEL, "expected the app's namespace (a DNS label)"),
      },
      'expected { host, namespace }',
    ),
    v.transform(({ host, namespace }): GatewayHost =>
      plainHttp ? { host, namespace, plainHttp } : { host, namespace },
    ),
  );
  return v.optional(v.array(entry, 'expected a list'), []);
}

/** Node pool or node group sizing (`k8s-platform:nodes`). */
export type NodeSettings = Readonly<v.InferOutput<ReturnType<typeof nodesSection>>>;
/** Settings of an existing cluster (`k8s-platform:existing`). */
export type ExistingSettings = Readonly<v.InferOutput<typeof existingSection>>;
