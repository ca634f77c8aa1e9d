import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type * as pulumi from '@pulumi/pulumi';
import { keepChildren } from '../kept-children';
import type { ChartRef } from '../versions';

/**
 * The CustomResourceDefinitions of every pinned chart, committed as `crds/<chart>-<version>.yaml` (made by
 * `npm run crds:addons` from the pinned charts; a test keeps them equal to what the charts render).
 *
 * Why the program applies them itself instead of letting Helm do it: Helm installs a chart's CRDs once and never
 * upgrades them, so a version bump would leave old schemas in the cluster; and the Kubernetes provider can only
 * tell at preview whether an app's custom resource (a ServiceMonitor, an HTTPProxy) is namespaced when the CRD is
 * a resource of the same program (pulumi-kubernetes#3176: on an empty cluster `yaml/v2` otherwise fails with
 * "failed to determine if the following GVK is namespaced"; the pinned provider 4.25 does not read CRDs out of
 * Helm releases). Applied server-side before the release, they upgrade with the version in the file name.
 *
 * Their schemas carry no `description`s (`stripSchemaDescriptions` in `scripts/addon-crds.ts`): the platform
 * stack's state holds each CRD three times, and the descriptions were 73 % of it, read and decrypted again by every
 * app stack's `StackReference` on every update. `kubectl explain` shows these kinds without field documentation.
 */
export const ADDON_CRDS_DIR = join(__dirname, 'crds');

/** How to render the CRDs of a chart that templates them (besides the `crds/` folders Helm itself installs). */
export interface TemplatedCrds {
  /** Values that turn the CRD templates on. */
  readonly set: Readonly<Record<string, string>>;
  /** The templates holding them (`--show-only`); all templates when absent. */
  readonly templates?: readonly string[];
  /** The release's namespace, which some charts write into their CRDs' labels. */
  readonly namespace: string;
}

/**
 * Charts whose CRDs are templates. Their releases must then be told not to manage them (see each add-on's values),
 * so that the CRDs have exactly one owner.
 */
export const TEMPLATED_CRDS: Readonly<Record<string, TemplatedCrds>> = {
  // The Gateway API CRDs have their own owner (the gateway-api add-on).
  'linkerd-crds': { set: { installGatewayAPI: 'false' }, namespace: 'linkerd' },
  contour: {
    set: { 'contour.manageCRDs': 'true' },
    templates: ['templates/crds/contour-crds.yaml'],
    namespace: 'projectcontour',
  },
  'cert-manager': { set: { 'crds.enabled': 'true' }, namespace: 'cert-manager' },
  keda: {
    set: { 'crds.install': 'true' },
    templates: [
      'cloudeventsources',
      'clustercloudeventsources',
      'clustertriggerauthentications',
      'scaledjobs',
      'scaledobjects',
      'triggerauthentications',
    ].map((crd) => `templates/crds/crd-${crd}.yaml`),
    namespace: 'keda',
  },
};

/**
 * The chart that owns CRDs other charts ship copies of, by API group or by CRD name: Loki's subcharts carry older
 * Prometheus Operator CRDs and Alloy's PodLogs, which must not overwrite (or fight over) the owner's. A CRD in two
 * files would have two field managers, and server-side apply refuses the second.
 */
export const CRD_OWNERS: Readonly<Record<string, string>> = {
  'monitoring.coreos.com': 'kube-prometheus-stack',
  'gateway.networking.k8s.io': 'gateway-api',
  'podlogs.monitoring.grafana.com': 'alloy',
};

/**
 * Annotations on every applied CRD. `keep`: Helm must never delete a CRD (and with it every custom resource of
 * its kind) when a release that used to install it stops doing so, or is uninstalled. `patchForce`: a CRD a Helm
 * release installed before is taken over rather than refused with a field conflict.
 */
export const CRD_ANNOTATIONS = { 'helm.sh/resource-policy': 'keep', 'pulumi.com/patchForce': 'true' } as const;

/** File name of a pinned chart's CRDs. */
export function addonCrdFileName(chart: ChartRef): string {
  return `${chart.chart}-${chart.version}.yaml`;
}

/** Path of a pinned chart's committed CRDs, or undefined when the chart has none. */
export function addonCrdFile(chart: ChartRef): string | undefined {
  const path = join(ADDON_CRDS_DIR, addonCrdFileName(chart));
  return existsSync(path) ? path : undefined;
}

/**
 * Resource options of a group of CRDs: kept in the cluster when the group leaves the program (an add-on removed
 * from the plan, `pulumi destroy`), because deleting a CRD deletes every object of its kind in the cluster.
 * `retainOnDelete` is set on the group and, by {@link keepChildren}, on each CRD in it (with the cluster's provider). Removing CRDs on purpose is a manual step (docs/deploy.md).
 */
export function keptCrdOptions(opts: pulumi.CustomResourceOptions): pulumi.ComponentResourceOptions {
  return { ...opts, retainOnDelete: true, transforms: [keepChildren({ provider: opts.provider })] };
}
