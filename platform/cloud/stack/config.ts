/**
 * The stack configuration: read once from Pulumi config, validated here (a pure function, unit-tested), and passed
 * down as typed values. Every error names the config key, the bad value and what is allowed.
 */
import { resolve } from 'node:path';
import type * as pulumi from '@pulumi/pulumi';
import * as v from 'valibot';
import { CLOUDS } from './config-types';
import type { CommonConfig, RawStackConfig, StackConfig } from './config-types';
import { CONFIG_NAMESPACE, StackConfigError } from './config-keys';
import { eksAccessEntries, endpointCidrProblem, gcpProjectProblem, WIDE_CIDR_OPT_IN } from './config-rules';
import { addonList, flag, oneOf, read, stringList, text } from './config-schema';
import {
  appNames,
  chartSourceSection,
  DOMAIN,
  eksSection,
  existingSection,
  gatewayHostList,
  gkeSection,
  identitiesSection,
  nodesSection,
} from './config-sections';
import type { NodeSettings } from './config-sections';
import { parseTlsConfig } from './tls-config';

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

const GCP_REGION = /^[a-z]+-[a-z]+\d+$/;
const AWS_REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;

/** The project root (where Pulumi.yaml is): relative paths in the config are relative to it. */
const PROJECT_ROOT = resolve(__dirname, '..', '..', '..');

/** Where a user finds the public address to allow. */
export const CHECK_IP_COMMAND = 'curl -s https://checkip.amazonaws.com';

/**
 * The CIDRs allowed to reach a cluster's API endpoint. Required: the providers' default is the whole internet,
 * and a private-only endpoint would lock out the `pulumi up` run from a laptop or a hosted CI runner.
 */
function endpointCidrs(key: string, value: unknown, wide: boolean): string[] {
  const optIn = `${key.split('.')[0]}.${WIDE_CIDR_OPT_IN}`;
  const cidrs = read(
    key,
    stringList((c) => endpointCidrProblem(c, optIn, wide)),
    value,
  );
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

/** `nodes`, with the bounds checked against each other. */
function nodes(value: unknown, cloud: 'gke' | 'eks'): NodeSettings {
  const settings = read('nodes', nodesSection(cloud), value);
  const { min, max, desired } = settings;
  const raw = value as Record<string, unknown>;
  if (min !== undefined && max !== undefined && max < min) {
    throw new StackConfigError('nodes.max', raw.max, `must be at least nodes.min (${min})`);
  }
  if (desired !== undefined && ((min !== undefined && desired < min) || (max !== undefined && desired > max))) {
    throw new StackConfigError('nodes.desired', raw.desired, `must lie between nodes.min and nodes.max`);
  }
  return settings;
}

/** `zones`: zones of the region (GCP `<region>-<letter>`, AWS `<region><letter>`). */
function zonesOf(value: unknown, region: string, cloud: 'gke' | 'eks'): string[] | undefined {
  const suffix = cloud === 'gke' ? /^-[a-z]$/ : /^[a-z]$/;
  const ofRegion = (zone: string) =>
    zone.startsWith(region) && suffix.test(zone.slice(region.length)) ? undefined : `is not a zone of region ${region}`;
  return read('zones', stringList(ofRegion), value);
}

/**
 * Validates raw config into a {@link StackConfig}, or throws a {@link StackConfigError} naming the key, the bad
 * value and what is allowed.
 */
export function parseStackConfig(raw: RawStackConfig): StackConfig {
  const cloud = read('cloud', oneOf(CLOUDS, 'existing'), raw.cloud);
  const domain = read(
    'domain',
    v.pipe(
      text,
      v.check((d) => d === undefined || DOMAIN.test(d), 'expected a lowercase DNS name such as example.com'),
    ),
    raw.domain,
  );
  if (cloud === 'existing' && raw.identities !== undefined) {
    throw new StackConfigError(
      'identities',
      raw.identities,
      `only applies when ${CONFIG_NAMESPACE}:cloud is gke or eks`,
    );
  }
  const common: CommonConfig = {
    apps: read('apps', appNames, raw.apps),
    addons: read('addons', addonList, raw.addons),
    domain,
    ingressServiceType: read(
      'ingressServiceType',
      oneOf(['LoadBalancer', 'NodePort'], 'LoadBalancer'),
      raw.ingressServiceType,
    ),
    deletionProtection: read('deletionProtection', flag(true), raw.deletionProtection),
    gatewayHosts: [
      ...read('gatewayHttpsHosts', gatewayHostList(false), raw.gatewayHttpsHosts),
      ...read('gatewayHttpHosts', gatewayHostList(true), raw.gatewayHttpHosts),
    ],
    tls: parseTlsConfig(raw.tls),
    chartSource: read('chartSource', chartSourceSection(PROJECT_ROOT), raw.chartSource),
    identities: cloud === 'existing' ? {} : read('identities', identitiesSection(cloud), raw.identities),
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
    return { ...common, cloud, existing: read('existing', existingSection, raw.existing) };
  }

  const region = read('region', text, raw.region);
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
    const gke = read('gke', gkeSection, raw.gke);
    const project = gke.project ?? read('gcp:project', text, raw.gcpProject);
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
        autopilot: gke.autopilot,
        releaseChannel: gke.releaseChannel,
        authorizedNetworks: endpointCidrs('gke.authorizedNetworks', gke.authorizedNetworks, gke[WIDE_CIDR_OPT_IN]),
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
  const awsRegion = read('aws:region', text, raw.awsRegion);
  if (awsRegion !== undefined && awsRegion !== region) {
    throw new StackConfigError('region', region, `must equal aws:region (${awsRegion}), which the AWS provider uses`);
  }
  const eks = read('eks', eksSection, raw.eks);
  const access = eksAccessEntries(eks.accessEntries);
  if ('problem' in access) throw new StackConfigError('eks.accessEntries', eks.accessEntries, access.problem);
  return {
    ...common,
    cloud,
    region,
    zones,
    nodes: nodes(raw.nodes, 'eks'),
    eks: {
      kubernetesVersion: eks.kubernetesVersion,
      natGateways: eks.natGateways,
      publicAccessCidrs: endpointCidrs('eks.publicAccessCidrs', eks.publicAccessCidrs, eks[WIDE_CIDR_OPT_IN]),
      awsProfile: eks.awsProfile,
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
