/**
 * The stack configuration: read once from Pulumi config, validated here (a pure function, unit-tested), and passed
 * down as typed values. Every error names the config key, the bad value and what is allowed.
 */
import { resolve } from 'node:path';
import type * as pulumi from '@pulumi/pulumi';
import type { ExistingBucket } from '../backup-store';
import type { CloudIdentity } from '../workload-identity';
import type { GatewayHost } from '../cert-issuers';
import { CLOUDS } from './config-types';
import type { Cloud, CommonConfig, NodeSettings, RawStackConfig, StackConfig } from './config-types';
import { CONFIG_NAMESPACE, StackConfigError } from './config-keys';
import {
  addonList,
  bool,
  DNS_LABEL,
  integer,
  isRecord,
  oneOf,
  optionalOneOf,
  optionalString,
  rejectUnknownKeys,
  section,
  stringList,
} from './config-values';
import { parseTlsConfig } from './tls-config';
import { eksAccessEntries, endpointCidrProblem, gcpProjectProblem, WIDE_CIDR_OPT_IN } from './config-rules';

export { CONFIG_NAMESPACE, StackConfigError } from './config-keys';

export { CLOUDS } from './config-types';
export type {
  Cloud,
  CommonConfig,
  EksSettings,
  EksStackConfig,
  ExistingSettings,
  ExistingStackConfig,
  GkeSettings,
  GkeStackConfig,
  NodeSettings,
  RawStackConfig,
  StackConfig,
} from './config-types';

const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]{2,63}$/;
const GCP_REGION = /^[a-z]+-[a-z]+\d+$/;
const AWS_REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;

/** The project root (where Pulumi.yaml is): relative paths in the config are relative to it. */
const PROJECT_ROOT = resolve(__dirname, '..', '..', '..');

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

const HOST = /^(\*\.)?([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]{2,63}$/;

/**
 * `gatewayHttpsHosts` (or `gatewayHttpHosts`, hosts served with `tls.disabled`):
 * `[{ host: shop.example.com, namespace: shop }]`, one listener each on the platform Gateway.
 */
/** `existing.backupBucket`: the user's S3-compatible bucket for the databases' `bucket` backups. */
function backupBucket(value: unknown): ExistingBucket {
  const key = 'existing.backupBucket';
  const raw = section(key, value);
  rejectUnknownKeys(key, raw, ['bucket', 'provider', 'endpoint', 'region']);
  const bucket = optionalString(`${key}.bucket`, raw.bucket);
  if (!bucket || !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
    throw new StackConfigError(`${key}.bucket`, raw.bucket, 'is required: the name of an S3-compatible bucket');
  }
  const endpoint = optionalString(`${key}.endpoint`, raw.endpoint);
  if (endpoint !== undefined && !/^https:\/\/[^\s/]+(\/\S*)?$/.test(endpoint)) {
    throw new StackConfigError(`${key}.endpoint`, endpoint, 'must be an https:// URL (the backups leave the cluster)');
  }
  return {
    bucket,
    provider: optionalString(`${key}.provider`, raw.provider) ?? (endpoint ? 'Other' : 'AWS'),
    ...(endpoint ? { endpoint } : {}),
    ...(raw.region !== undefined ? { region: optionalString(`${key}.region`, raw.region) } : {}),
  };
}

function gatewayHosts(name: 'gatewayHttpsHosts' | 'gatewayHttpHosts', value: unknown): GatewayHost[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new StackConfigError(name, value, 'expected a list');
  return value.map((entry: unknown, i) => {
    const key = `${name}[${i}]`;
    if (!isRecord(entry)) throw new StackConfigError(key, entry, 'expected { host, namespace }');
    rejectUnknownKeys(key, entry, ['host', 'namespace']);
    const { host, namespace } = entry;
    if (typeof host !== 'string' || !HOST.test(host)) {
      throw new StackConfigError(`${key}.host`, host, 'expected a lowercase DNS name such as shop.example.com');
    }
    if (typeof namespace !== 'string' || !DNS_LABEL.test(namespace)) {
      throw new StackConfigError(`${key}.namespace`, namespace, "expected the app's namespace (a DNS label)");
    }
    return name === 'gatewayHttpHosts' ? { host, namespace, plainHttp: true } : { host, namespace };
  });
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
    gatewayHosts: [
      ...gatewayHosts('gatewayHttpsHosts', raw.gatewayHttpsHosts),
      ...gatewayHosts('gatewayHttpHosts', raw.gatewayHttpHosts),
    ],
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
    rejectUnknownKeys('existing', existing, [
      'kubeconfig',
      'context',
      'metricsServer',
      'builtInAddons',
      'backupBucket',
    ]);
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
        ...(existing.backupBucket !== undefined ? { backupBucket: backupBucket(existing.backupBucket) } : {}),
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

/**
 * Reads every config key the platform program uses, once, without interpreting it.
 * @param config the `k8s-platform` namespace (`new pulumi.Config('k8s-platform')`), whatever the project's name
 */
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
    gatewayHttpsHosts: object('gatewayHttpsHosts'),
    gatewayHttpHosts: object('gatewayHttpHosts'),
    tls: object('tls'),
    chartSource: object('chartSource'),
    identities: object('identities'),
    awsRegion: aws.get('region'),
    gcpProject: gcp.get('project'),
  };
}
