/**
 * What a platform stack exports for its app stacks (the stack output `platform`, plus the secret `kubeconfig`),
 * and the checks an app stack makes against it before it registers anything: every add-on the app needs is
 * installed (or built into the cluster), and every host it serves over HTTPS on the platform Gateway has a listener.
 */
import { ADDONS, appAddons, CLUSTER_ISSUERS } from '../../contract';
import type { GatewayHost } from '../cert-issuers';
import type { Addon, AppEntry } from '../../contract';
import {
  CERT_MANAGER_CHART,
  KEDA_CHART,
  CONTOUR_CHART,
  GATEWAY_API,
  INGRESS_NGINX_CHART,
  KUBE_PROMETHEUS_STACK_CHART,
  LINKERD_CONTROL_PLANE_CHART,
  LINKERD_VIZ_CHART,
  LOKI_CHART,
  PROMETHEUS_ADAPTER_CHART,
  TEMPO_CHART,
  VPA_CHART,
} from '../versions';
import { CONFIG_NAMESPACE } from './config-keys';
import type { Cloud } from './config-types';
import { serviceAccountKey } from './identities';
import type { IdentityAnnotations } from './identities';
import type { BackupTargets } from './backups';

/** Version of the `platform` output's shape; an app stack refuses one it does not know. */
export const PLATFORM_EXPORTS_VERSION = 1;

/** The platform Gateway apps' routes attach to, and the hosts it has listeners for. */
export interface GatewayExport {
  readonly name: string;
  readonly namespace: string;
  /** Hosts with an HTTPS listener (sorted). */
  readonly httpsHosts: readonly string[];
  /** Hosts with a plain-HTTP listener (`tls.disabled`; sorted); absent when there are none. */
  readonly httpHosts?: readonly string[];
}

/** The hosts of the Gateway's listeners, as the `gateway` export lists them. */
export function gatewayExportHosts(hosts: readonly GatewayHost[]): Pick<GatewayExport, 'httpsHosts' | 'httpHosts'> {
  const of = (plain: boolean) => [...new Set(hosts.filter((h) => !!h.plainHttp === plain).map((h) => h.host))].sort();
  const httpHosts = of(true);
  return { httpsHosts: of(false), ...(httpHosts.length > 0 ? { httpHosts } : {}) };
}

/** The stack output `platform` of a platform stack. */
export interface PlatformExports {
  readonly version: typeof PLATFORM_EXPORTS_VERSION;
  /** Which cloud the cluster runs on. */
  readonly cloud: Cloud;
  /** Context inside the kubeconfig, when the platform stack names one. */
  readonly kubeContext?: string;
  /** Every add-on apps may use: installed ones with their pinned version, the cluster's own as `built-in`. */
  readonly addons: Readonly<Partial<Record<Addon, string>>>;
  /** The ClusterIssuers by route implementation, when cert-manager is installed. */
  readonly issuers: Readonly<Record<string, string>>;
  /** The shared Gateway, when Contour serves one. */
  readonly gateway?: GatewayExport;
  /** External address of each ingress controller. */
  readonly ingressAddresses: Readonly<Record<string, string>>;
  /** Annotations of the ServiceAccounts the platform bound to cloud identities, by `<namespace>/<name>`. */
  readonly identities: IdentityAnnotations;
  /** The served apps' `bucket` backups: each backup ServiceAccount's annotations and remote, by `<namespace>/<name>`. */
  readonly backupTargets?: BackupTargets;
}

/** The version an installed add-on reports (its chart's, or the Gateway API release). */
export const ADDON_VERSIONS: Readonly<Record<Addon, string>> = {
  'ingress-nginx': INGRESS_NGINX_CHART.version,
  contour: CONTOUR_CHART.version,
  'gateway-api': GATEWAY_API.version,
  linkerd: LINKERD_CONTROL_PLANE_CHART.version,
  'linkerd-viz': LINKERD_VIZ_CHART.version,
  prometheus: KUBE_PROMETHEUS_STACK_CHART.version,
  'prometheus-adapter': PROMETHEUS_ADAPTER_CHART.version,
  vpa: VPA_CHART.version,
  loki: LOKI_CHART.version,
  tempo: TEMPO_CHART.version,
  'cert-manager': CERT_MANAGER_CHART.version,
  keda: KEDA_CHART.version,
};

/** The issuers a platform with cert-manager offers (the names the constructs put on routes). */
export function platformIssuers(addons: readonly Addon[]): Record<string, string> {
  return addons.includes('cert-manager') ? { ...CLUSTER_ISSUERS } : {};
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks the shape of a platform stack's `platform` output; `where` names the stack in the message. */
export function parsePlatformExports(value: unknown, where: string): PlatformExports {
  const fix = `run \`pulumi up\` on the platform stack ${where} with this version of k8s-platform`;
  if (value === undefined || value === null) {
    throw new Error(
      `platform stack ${where} has no output "platform": it is not a k8s-platform platform stack, or it has not ` +
        `been deployed; ${fix} (check ${CONFIG_NAMESPACE}:platformStack)`,
    );
  }
  if (!isRecord(value) || value.version !== PLATFORM_EXPORTS_VERSION) {
    throw new Error(
      `platform stack ${where} exports "platform" version ${JSON.stringify(isRecord(value) ? value.version : value)}` +
        `; this app stack reads version ${PLATFORM_EXPORTS_VERSION}: ${fix}`,
    );
  }
  if (!isRecord(value.addons) || Object.keys(value.addons).some((a) => !(ADDONS as readonly string[]).includes(a))) {
    throw new Error(`platform stack ${where}: output platform.addons is not a map of known add-ons; ${fix}`);
  }
  return value as unknown as PlatformExports;
}

/** The platform stack's config command that adds an add-on. */
export function addAddonCommand(addon: Addon, platformStack: string): string {
  return `pulumi config set --path '${CONFIG_NAMESPACE}:addons[<next index>]' ${addon} --stack ${platformStack}`;
}

/**
 * Refuses, before anything is registered, an app the platform cannot serve: an add-on it needs is neither
 * installed nor built in (the message names the add-on and the platform stack's `k8s-platform:addons` key that
 * adds it), or a host it serves on the platform Gateway (over HTTPS or plain HTTP) has no listener there.
 */
export function checkAppAgainstPlatform(app: AppEntry, platform: PlatformExports, platformStack: string): void {
  const missing = appAddons(app).filter((addon) => platform.addons[addon] === undefined);
  if (missing.length > 0) {
    throw new Error(
      `app "${app.name}" needs the add-on${missing.length > 1 ? 's' : ''} ${missing.map((a) => `"${a}"`).join(', ')} ` +
        `(charts-out/index.json), which platform stack ${platformStack} does not install. Add ` +
        `${missing.length > 1 ? 'them' : 'it'} to the platform stack's ${CONFIG_NAMESPACE}:addons and update it: ` +
        `${missing.map((a) => addAddonCommand(a, platformStack)).join('; ')}; then \`pulumi up --stack ` +
        `${platformStack}\`. Nothing was changed.`,
    );
  }
  const unbound = (app.identities ?? []).filter(
    (req) =>
      platform.cloud !== 'existing' && !platform.identities?.[serviceAccountKey(app.namespace, req.serviceAccount)],
  );
  if (unbound.length > 0) {
    throw new Error(
      `app "${app.name}": ServiceAccount${unbound.length > 1 ? 's' : ''} ` +
        `${unbound.map((r) => `"${r.serviceAccount}" (identity "${r.identity}")`).join(', ')} ` +
        `${unbound.length > 1 ? 'are' : 'is'} not bound by platform stack ${platformStack}: list the app in its ` +
        `${CONFIG_NAMESPACE}:apps and map the identity in its ${CONFIG_NAMESPACE}:identities, then ` +
        `\`pulumi up --stack ${platformStack}\`. Nothing was changed.`,
    );
  }
  const unprovisioned = (app.backups ?? []).filter(
    (b) => b.target === 'bucket' && !platform.backupTargets?.[serviceAccountKey(app.namespace, b.serviceAccount)],
  );
  if (unprovisioned.length > 0) {
    throw new Error(
      `app "${app.name}": the backups of ${unprovisioned.map((b) => `"${b.database}"`).join(', ')} go to a bucket ` +
        `platform stack ${platformStack} has not provided: list the app in its ${CONFIG_NAMESPACE}:apps ` +
        `(on an existing cluster, set ${CONFIG_NAMESPACE}:existing.backupBucket too), then ` +
        `\`pulumi up --stack ${platformStack}\`. Nothing was changed.`,
    );
  }
  checkListeners(app, 'HTTPS', app.gatewayHttpsHosts, platform.gateway?.httpsHosts, platformStack);
  checkListeners(app, 'plain HTTP', app.gatewayHttpHosts ?? [], platform.gateway?.httpHosts, platformStack);
}

function checkListeners(
  app: AppEntry,
  over: 'HTTPS' | 'plain HTTP',
  hosts: readonly string[],
  listenerHosts: readonly string[] = [],
  platformStack: string,
): void {
  const listeners = new Set(listenerHosts);
  const unserved = hosts.filter((host) => !listeners.has(host));
  if (unserved.length === 0) return;
  const key = over === 'HTTPS' ? 'gatewayHttpsHosts' : 'gatewayHttpHosts';
  throw new Error(
    `app "${app.name}" serves ${unserved.join(', ')} over ${over} on the platform Gateway, which has no listener ` +
      `for ${unserved.length > 1 ? 'them' : 'it'} on platform stack ${platformStack}. List the app in the ` +
      `platform stack's ${CONFIG_NAMESPACE}:apps (an app of its charts-out/) or add ` +
      `{ host, namespace: ${app.namespace} } to its ${CONFIG_NAMESPACE}:${key}, then ` +
      `\`pulumi up --stack ${platformStack}\`. Nothing was changed.`,
  );
}
