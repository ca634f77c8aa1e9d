/**
 * The stack configuration: read once from Pulumi config, validated here (a pure function, unit-tested), and passed
 * down as typed values. Every error names the config key, the bad value and what is allowed.
 */
import { resolve } from 'node:path';
import type * as pulumi from '@pulumi/pulumi';
import { ADDONS } from '../platform/contract';
import type { Addon } from '../platform/contract';
import type { CloudIdentity } from '../platform/cloud/workload-identity';
import type { TlsIssuing } from '../platform/cloud/cert-issuers';
import { parseTlsConfig } from './tls-config';
import { eksAccessEntries, endpointCidrProblem, gcpProjectProblem, WIDE_CIDR_OPT_IN } from './config-rules';
import type { EksAccessEntry } from '../platform/cloud/eks-hardening';

/** Namespace of this project's config keys (`pulumi config set k8s-platform:<key>`). */
export const CONFIG_NAMESPACE = 'k8s-platform';

/** Where the cluster comes from. */
export const CLOUDS = ['gke', 'eks', 'existing'] as const;
/** One of {@link CLOUDS}. */
export type Cloud = (typeof CLOUDS)[number];

/** Config values as read, before validation. `unknown` on purpose: nothing is trusted yet. */
export interface RawStackConfig {
  /** `k8s-platform:cloud`. */
  readonly cloud?: unknown;
  /** `k8s-platform:region`. */
  readonly region?: unknown;
  /** `k8s-platform:zones` (list). */
  readonly zones?: unknown;
  /** `k8s-platform:nodes` (object). */
  readonly nodes?: unknown;
  /** `k8s-platform:apps` (list). */
  readonly apps?: unknown;
  /** `k8s-platform:addons` (list). */
  readonly addons?: unknown;
  /** `k8s-platform:domain`. */
  readonly domain?: unknown;
  /** `k8s-platform:ingressServiceType`. */
  readonly ingressServiceType?: unknown;
  /** `k8s-platform:deletionProtection`. */
  readonly deletionProtection?: unknown;
  /** `k8s-platform:gke` (object). */
  readonly gke?: unknown;
  /** `k8s-platform:eks` (object). */
  readonly eks?: unknown;
  /** `k8s-platform:existing` (object). */
  readonly existing?: unknown;
  /** `k8s-platform:tls` (object). */
  readonly tls?: unknown;
  /** `k8s-platform:chartSource` (object). */
  readonly chartSource?: unknown;
  /** `k8s-platform:secrets` (object of secret strings). */
  readonly secrets?: unknown;
  /** `k8s-platform:identities` (object: identity name to its cloud side). */
  readonly identities?: unknown;
  /** `aws:region`, which must agree with `region` on EKS. */
  readonly awsRegion?: unknown;
  /** `gcp:project`, the fallback for `gke.project`. */
  readonly gcpProject?: unknown;
}

/** Node pool or node group sizing. */
export interface NodeSettings {
  /** GCE machine type or EC2 instance type. */
  readonly machineType?: string;
  /** Lower bound (per zone on GKE, per group on EKS). */
  readonly min?: number;
  /** Upper bound. */
  readonly max?: number;
  /** Initial size on EKS. */
  readonly desired?: number;
  /** Boot disk size in GB. */
  readonly diskSizeGb?: number;
  /** Spot/preemptible capacity. */
  readonly spot?: boolean;
}

/** GKE-only settings (`k8s-platform:gke`). */
export interface GkeSettings {
  /** GCP project id (`gke.project`, else `gcp:project`). */
  readonly project: string;
  /** Autopilot instead of Standard. */
  readonly autopilot: boolean;
  /** Release channel; GkeCluster's default when absent. */
  readonly releaseChannel?: 'RAPID' | 'REGULAR' | 'STABLE';
  /** CIDRs allowed to reach the control-plane endpoint (required: never open to the internet). */
  readonly authorizedNetworks: readonly string[];
}

/** EKS-only settings (`k8s-platform:eks`). */
export interface EksSettings {
  /** Kubernetes minor version (`1.34`); EKS's default when absent. */
  readonly kubernetesVersion?: string;
  /** One NAT gateway, or one per zone. */
  readonly natGateways?: 'single' | 'perZone';
  /** CIDRs allowed to reach the public API endpoint (required: never open to the internet). */
  readonly publicAccessCidrs: readonly string[];
  /** AWS CLI profile written into the kubeconfig. */
  readonly awsProfile?: string;
  /** Principals with cluster access besides the creator (`eks.accessEntries`). */
  readonly accessEntries: readonly EksAccessEntry[];
}

/** Settings of an existing cluster (`k8s-platform:existing`). */
export interface ExistingSettings {
  /** Kubeconfig path or contents; the ambient kubeconfig when absent. */
  readonly kubeconfig?: string;
  /** Context inside the kubeconfig. */
  readonly context?: string;
  /** Whether to install metrics-server (kind/minikube need the insecure-kubelet-TLS variant). */
  readonly metricsServer: 'none' | 'install' | 'install-insecure-kubelet-tls';
  /** Add-ons the cluster already runs. */
  readonly builtInAddons: readonly Addon[];
}

/** Settings every stack has. */
export interface CommonConfig {
  /** Apps to deploy; `undefined` deploys every app in `charts-out/index.json`. */
  readonly apps: readonly string[] | undefined;
  /** Add-ons to install in addition to those the apps need. */
  readonly addons: readonly Addon[];
  /** Base domain (Grafana at `grafana.<domain>`). */
  readonly domain: string | undefined;
  /** How ingress controllers are exposed. */
  readonly ingressServiceType: 'LoadBalancer' | 'NodePort';
  /** Cloud-side deletion protection of the cluster. */
  readonly deletionProtection: boolean;
  /** Secret values keyed `<app>/<secret>/<key>` (plain here; the program wraps them with `pulumi.secret`). */
  readonly secrets: Readonly<Record<string, string>>;
  /** How the platform's certificates are issued (a local CA unless the stack sets `tls`). */
  readonly tls: TlsIssuing;
  /** Where the add-ons' charts come from: `localDir` (absolute) or, when empty, the upstream repositories. */
  readonly chartSource: { readonly localDir?: string };
  /** The cloud side of each workload identity the apps name (`cloudIdentity`); empty on existing clusters. */
  readonly identities: Readonly<Record<string, CloudIdentity>>;
}

/** A GKE stack. */
export interface GkeStackConfig extends CommonConfig {
  /** Discriminant. */
  readonly cloud: 'gke';
  /** GCP region. */
  readonly region: string;
  /** Node pool zones; the region's defaults when absent. */
  readonly zones: readonly string[] | undefined;
  /** Node pool sizing. */
  readonly nodes: NodeSettings;
  /** GKE settings. */
  readonly gke: GkeSettings;
}

/** An EKS stack. */
export interface EksStackConfig extends CommonConfig {
  /** Discriminant. */
  readonly cloud: 'eks';
  /** AWS region (equal to `aws:region`). */
  readonly region: string;
  /** Two or three availability zones. */
  readonly zones: readonly string[];
  /** Node group sizing. */
  readonly nodes: NodeSettings;
  /** EKS settings. */
  readonly eks: EksSettings;
}

/** A stack on an existing cluster. */
export interface ExistingStackConfig extends CommonConfig {
  /** Discriminant. */
  readonly cloud: 'existing';
  /** How to reach the cluster. */
  readonly existing: ExistingSettings;
}

/** The validated configuration of one stack. */
export type StackConfig = GkeStackConfig | EksStackConfig | ExistingStackConfig;

/** A configuration value that is not allowed; the message names key, value and what is allowed. */
export class StackConfigError extends Error {
  /** @param key config key without namespace, e.g. `nodes.min` */
  constructor(
    public readonly key: string,
    value: unknown,
    allowed: string,
  ) {
    super(`${CONFIG_NAMESPACE}:${key} is ${JSON.stringify(value)}; ${allowed}`);
    this.name = 'StackConfigError';
  }
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]{2,63}$/;
const GCP_REGION = /^[a-z]+-[a-z]+\d+$/;
const AWS_REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;
const SECRET_KEY = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?\/[a-z0-9]([-.a-z0-9]*[a-z0-9])?\/[-._a-zA-Z0-9]+$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalString(key: string, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.trim() === '')
    throw new StackConfigError(key, value, 'expected a non-empty string');
  return value;
}

function oneOf<T extends string>(key: string, value: unknown, allowed: readonly T[], fallback?: T): T {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new StackConfigError(key, value, `allowed: ${allowed.join(', ')}`);
  }
  return value as T;
}

function optionalOneOf<T extends string>(key: string, value: unknown, allowed: readonly T[]): T | undefined {
  return value === undefined ? undefined : oneOf(key, value, allowed);
}

function bool(key: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  throw new StackConfigError(key, value, 'expected true or false');
}

function integer(key: string, value: unknown, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
    throw new StackConfigError(key, value, `expected an integer from ${min} to ${max}`);
  }
  return n;
}

function stringList(key: string, value: unknown, check?: (item: string) => string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || v === '')) {
    throw new StackConfigError(key, value, 'expected a list of non-empty strings');
  }
  if (new Set(value).size !== value.length) throw new StackConfigError(key, value, 'expected no duplicates');
  for (const item of value as string[]) {
    const problem = check?.(item);
    if (problem) throw new StackConfigError(key, value, `"${item}" ${problem}`);
  }
  return value as string[];
}

function section(key: string, value: unknown): Record<string, unknown> {
  if (value === undefined) return {};
  if (!isRecord(value)) throw new StackConfigError(key, value, 'expected an object');
  return value;
}

function rejectUnknownKeys(key: string, value: Record<string, unknown>, known: readonly string[]): void {
  const unknown = Object.keys(value).filter((k) => !known.includes(k));
  if (unknown.length > 0) {
    throw new StackConfigError(
      `${key}.${unknown[0]}`,
      value[unknown[0]],
      `unknown setting; known: ${known.join(', ')}`,
    );
  }
}

function addonList(key: string, value: unknown): Addon[] {
  return (stringList(key, value, (a) =>
    (ADDONS as readonly string[]).includes(a) ? undefined : `is not an add-on; use ${ADDONS.join(', ')}`,
  ) ?? []) as Addon[];
}

/** The project root (where Pulumi.yaml is): relative paths in the config are relative to it. */
const PROJECT_ROOT = resolve(__dirname, '..');

function chartSource(value: unknown): { localDir?: string } {
  const raw = section('chartSource', value);
  rejectUnknownKeys('chartSource', raw, ['localDir']);
  const localDir = optionalString('chartSource.localDir', raw.localDir);
  return localDir === undefined ? {} : { localDir: resolve(PROJECT_ROOT, localDir) };
}

function nodes(value: unknown, cloud: 'gke' | 'eks'): NodeSettings {
  const raw = section('nodes', value);
  rejectUnknownKeys('nodes', raw, ['machineType', 'min', 'max', 'desired', 'diskSizeGb', 'spot']);
  const floor = cloud === 'eks' ? 1 : 0;
  const min = integer('nodes.min', raw.min, floor, 100);
  const max = integer('nodes.max', raw.max, 1, 100);
  const desired = integer('nodes.desired', raw.desired, floor, 100);
  if (min !== undefined && max !== undefined && max < min) {
    throw new StackConfigError('nodes.max', raw.max, `must be at least nodes.min (${min})`);
  }
  if (desired !== undefined && ((min !== undefined && desired < min) || (max !== undefined && desired > max))) {
    throw new StackConfigError('nodes.desired', raw.desired, `must lie between nodes.min and nodes.max`);
  }
  return {
    machineType: optionalString('nodes.machineType', raw.machineType),
    min,
    max,
    desired,
    diskSizeGb: integer('nodes.diskSizeGb', raw.diskSizeGb, 20, 2000),
    spot: raw.spot === undefined ? undefined : bool('nodes.spot', raw.spot, false),
  };
}

function zonesOf(value: unknown, region: string, cloud: 'gke' | 'eks'): string[] | undefined {
  // GCP zones are `<region>-<letter>` (europe-west1-b), AWS zones `<region><letter>` (eu-west-1a).
  const suffix = cloud === 'gke' ? /^-[a-z]$/ : /^[a-z]$/;
  return stringList('zones', value, (zone) =>
    zone.startsWith(region) && suffix.test(zone.slice(region.length)) ? undefined : `is not a zone of region ${region}`,
  );
}

/** Where a user finds the public address to allow. */
export const CHECK_IP_COMMAND = 'curl -s https://checkip.amazonaws.com';

/**
 * The CIDRs allowed to reach a cluster's API endpoint. Required: the providers' default is the whole internet,
 * and a private-only endpoint would lock out the `pulumi up` run from a laptop or a hosted CI runner.
 */
function endpointCidrs(key: string, value: unknown, section: Record<string, unknown>): string[] {
  const optIn = `${key.split('.')[0]}.${WIDE_CIDR_OPT_IN}`;
  const wide = bool(optIn, section[WIDE_CIDR_OPT_IN], false);
  const cidrs = stringList(key, value, (c) => endpointCidrProblem(c, optIn, wide));
  if (cidrs === undefined || cidrs.length === 0) {
    throw new StackConfigError(
      key,
      value,
      'required: the CIDRs that may reach the Kubernetes API endpoint (it is never left open to the internet). ' +
        `Find your public address with \`${CHECK_IP_COMMAND}\` and allow it as x.y.z.w/32: ` +
        `pulumi config set --path '${CONFIG_NAMESPACE}:${key}[0]' "$(${CHECK_IP_COMMAND})/32"`,
    );
  }
  return cidrs;
}

const IAM_POLICY_ARN = /^arn:aws[a-z-]*:iam::(aws|\d{12}):policy\/[\w+=,.@/-]+$/;
const GCP_SERVICE_ACCOUNT = /^[a-z][-a-z0-9]{4,28}[a-z0-9]@[a-z][-a-z0-9]{4,28}[a-z0-9]\.iam\.gserviceaccount\.com$/;

/**
 * `identities`: for each identity name the apps use, the IAM policies of its role (EKS) or the Google service
 * account it impersonates (GKE).
 */
function identities(value: unknown, cloud: Cloud): Record<string, CloudIdentity> {
  if (value === undefined) return {};
  if (cloud === 'existing') {
    throw new StackConfigError('identities', value, `only applies when ${CONFIG_NAMESPACE}:cloud is gke or eks`);
  }
  const result: Record<string, CloudIdentity> = {};
  for (const [name, raw] of Object.entries(section('identities', value))) {
    const key = `identities.${name}`;
    if (!DNS_LABEL.test(name)) throw new StackConfigError(key, raw, 'identity names are DNS labels');
    const entry = section(key, raw);
    if (cloud === 'eks') {
      rejectUnknownKeys(key, entry, ['policyArns']);
      const policyArns = stringList(`${key}.policyArns`, entry.policyArns, (arn) =>
        IAM_POLICY_ARN.test(arn)
          ? undefined
          : 'is not an IAM policy ARN such as arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess',
      );
      if (!policyArns?.length) throw new StackConfigError(`${key}.policyArns`, entry.policyArns, 'required');
      result[name] = { kind: 'aws-iam-role', policyArns };
    } else {
      rejectUnknownKeys(key, entry, ['serviceAccount']);
      const email = entry.serviceAccount;
      if (typeof email !== 'string' || !GCP_SERVICE_ACCOUNT.test(email)) {
        throw new StackConfigError(
          `${key}.serviceAccount`,
          email,
          'expected a Google service account email such as media-writer@my-project.iam.gserviceaccount.com',
        );
      }
      result[name] = { kind: 'gcp-service-account', email };
    }
  }
  return result;
}

function secrets(value: unknown): Record<string, string> {
  const raw = section('secrets', value);
  for (const [key, v] of Object.entries(raw)) {
    if (!SECRET_KEY.test(key)) {
      throw new StackConfigError(`secrets["${key}"]`, '[secret]', 'keys must look like "<app>/<secret-name>/<key>"');
    }
    // The value itself is never echoed in the message.
    if (typeof v !== 'string' || v === '') {
      throw new StackConfigError(`secrets["${key}"]`, typeof v, 'expected a non-empty string');
    }
  }
  return raw as Record<string, string>;
}

/**
 * Validates raw config into a {@link StackConfig}, or throws a {@link StackConfigError} naming the key, the bad
 * value and what is allowed.
 */
export function parseStackConfig(raw: RawStackConfig): StackConfig {
  const cloud = oneOf('cloud', raw.cloud, CLOUDS, 'existing');
  const domain = optionalString('domain', raw.domain);
  if (domain !== undefined && !DOMAIN.test(domain)) {
    throw new StackConfigError('domain', domain, 'expected a lowercase DNS name such as example.com');
  }
  const common: CommonConfig = {
    apps: stringList('apps', raw.apps, (a) => (DNS_LABEL.test(a) ? undefined : 'is not a valid app name')),
    addons: addonList('addons', raw.addons),
    domain,
    ingressServiceType: oneOf(
      'ingressServiceType',
      raw.ingressServiceType,
      ['LoadBalancer', 'NodePort'],
      'LoadBalancer',
    ),
    deletionProtection: bool('deletionProtection', raw.deletionProtection, true),
    secrets: secrets(raw.secrets),
    tls: parseTlsConfig(raw.tls, (key, value, allowed) => {
      throw new StackConfigError(key, value, allowed);
    }),
    chartSource: chartSource(raw.chartSource),
    identities: identities(raw.identities, cloud),
  };
  for (const key of ['gke', 'eks', 'existing'] as const) {
    if (key !== cloud && raw[key] !== undefined) {
      throw new StackConfigError(
        key,
        raw[key],
        `only applies when ${CONFIG_NAMESPACE}:cloud is ${key} (it is ${cloud})`,
      );
    }
  }

  if (cloud === 'existing') {
    const existing = section('existing', raw.existing);
    rejectUnknownKeys('existing', existing, ['kubeconfig', 'context', 'metricsServer', 'builtInAddons']);
    return {
      ...common,
      cloud,
      existing: {
        kubeconfig: optionalString('existing.kubeconfig', existing.kubeconfig),
        context: optionalString('existing.context', existing.context),
        metricsServer: oneOf(
          'existing.metricsServer',
          existing.metricsServer,
          ['none', 'install', 'install-insecure-kubelet-tls'],
          'none',
        ),
        builtInAddons: addonList('existing.builtInAddons', existing.builtInAddons),
      },
    };
  }

  const region = optionalString('region', raw.region);
  if (region === undefined) {
    throw new StackConfigError(
      'region',
      raw.region,
      `required when cloud is ${cloud}; e.g. ${cloud === 'gke' ? 'europe-west1' : 'eu-west-1'}`,
    );
  }
  if (!(cloud === 'gke' ? GCP_REGION : AWS_REGION).test(region)) {
    throw new StackConfigError('region', region, `is not a ${cloud === 'gke' ? 'GCP' : 'AWS'} region name`);
  }
  const zones = zonesOf(raw.zones, region, cloud);

  if (cloud === 'gke') {
    const gke = section('gke', raw.gke);
    rejectUnknownKeys('gke', gke, ['project', 'autopilot', 'releaseChannel', 'authorizedNetworks', WIDE_CIDR_OPT_IN]);
    const project = optionalString('gke.project', gke.project) ?? optionalString('gcp:project', raw.gcpProject);
    if (project === undefined) {
      throw new StackConfigError('gke.project', undefined, 'required (or set gcp:project)');
    }
    const projectProblem = gcpProjectProblem(project);
    if (projectProblem) throw new StackConfigError('gke.project', project, projectProblem);
    return {
      ...common,
      cloud,
      region,
      zones,
      nodes: nodes(raw.nodes, 'gke'),
      gke: {
        project,
        autopilot: bool('gke.autopilot', gke.autopilot, false),
        releaseChannel: optionalOneOf('gke.releaseChannel', gke.releaseChannel, ['RAPID', 'REGULAR', 'STABLE']),
        authorizedNetworks: endpointCidrs('gke.authorizedNetworks', gke.authorizedNetworks, gke),
      },
    };
  }

  if (zones === undefined || zones.length < 2 || zones.length > 3) {
    throw new StackConfigError(
      'zones',
      raw.zones,
      `EKS needs 2 or 3 availability zones of ${region}, e.g. ["${region}a", "${region}b"]`,
    );
  }
  const awsRegion = optionalString('aws:region', raw.awsRegion);
  if (awsRegion !== undefined && awsRegion !== region) {
    throw new StackConfigError('region', region, `must equal aws:region (${awsRegion}), which the AWS provider uses`);
  }
  const eks = section('eks', raw.eks);
  rejectUnknownKeys('eks', eks, [
    'kubernetesVersion',
    'natGateways',
    'publicAccessCidrs',
    'awsProfile',
    WIDE_CIDR_OPT_IN,
    'accessEntries',
  ]);
  const access = eksAccessEntries(eks.accessEntries);
  if ('problem' in access) throw new StackConfigError('eks.accessEntries', eks.accessEntries, access.problem);
  const version = optionalString('eks.kubernetesVersion', eks.kubernetesVersion);
  if (version !== undefined && !/^1\.\d{2}$/.test(version)) {
    throw new StackConfigError('eks.kubernetesVersion', version, 'expected a minor version such as "1.34"');
  }
  return {
    ...common,
    cloud,
    region,
    zones,
    nodes: nodes(raw.nodes, 'eks'),
    eks: {
      kubernetesVersion: version,
      natGateways: optionalOneOf('eks.natGateways', eks.natGateways, ['single', 'perZone']),
      publicAccessCidrs: endpointCidrs('eks.publicAccessCidrs', eks.publicAccessCidrs, eks),
      awsProfile: optionalString('eks.awsProfile', eks.awsProfile),
      accessEntries: access.entries,
    },
  };
}

/** Reads every config key the program uses, once, without interpreting it. */
export function readRawConfig(config: pulumi.Config, aws: pulumi.Config, gcp: pulumi.Config): RawStackConfig {
  const object = (key: string): unknown => config.getObject<unknown>(key);
  return {
    cloud: config.get('cloud'),
    region: config.get('region'),
    zones: object('zones'),
    nodes: object('nodes'),
    apps: object('apps'),
    addons: object('addons'),
    domain: config.get('domain'),
    ingressServiceType: config.get('ingressServiceType'),
    deletionProtection: object('deletionProtection'),
    gke: object('gke'),
    eks: object('eks'),
    existing: object('existing'),
    // Read as a plain object so that keys can be validated; the program re-wraps every value with pulumi.secret.
    secrets: object('secrets'),
    tls: object('tls'),
    chartSource: object('chartSource'),
    identities: object('identities'),
    awsRegion: aws.get('region'),
    gcpProject: gcp.get('project'),
  };
}
