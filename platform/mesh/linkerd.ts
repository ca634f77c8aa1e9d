/**
 * Linkerd wiring: proxy injection (namespace- or workload-level), proxy resources and opaque ports for wire
 * protocols (per-route golden metrics are in `route-metrics.ts`).
 *
 * Nothing here imports the chart: `PlatformChart` and the workloads call these helpers with plain values, so the
 * chart (the composition root) can depend on this module without a cycle.
 */
import { LINKERD_INJECT_ANNOTATION } from '../contract';
import type { CpuRequestLimit, MemoryRequestLimit, Resources } from '../core/resources';
import { resolveResources } from '../core/resources';
import type { PropKeys } from '../core/known-props';
import type { PropValidator } from '../core/validate';

/** Ports whose protocol the proxy must not sniff: server-speaks-first wire protocols (databases). */
export const LINKERD_OPAQUE_PORTS_ANNOTATION = 'config.linkerd.io/opaque-ports';
/** The pod annotations by which the proxy injector sizes the `linkerd-proxy` container. */
export const LINKERD_PROXY_RESOURCE_ANNOTATIONS = {
  cpu: { request: 'config.linkerd.io/proxy-cpu-request', limit: 'config.linkerd.io/proxy-cpu-limit' },
  memory: { request: 'config.linkerd.io/proxy-memory-request', limit: 'config.linkerd.io/proxy-memory-limit' },
} as const;

/**
 * Proxy requests and limits when none are given. Linkerd's own chart sets none (a BestEffort sidecar, which breaks
 * the every-container-has-limits rule); these are its high-availability values (cpu request 100m, memory 20Mi
 * request and 250Mi limit) plus a one-core CPU limit, which matches the proxy's single runtime worker by default.
 * `npm run report` counts the same numbers for every meshed pod.
 */
export const DEFAULT_PROXY_RESOURCES: Resources = {
  cpu: { request: '100m', limit: '1' },
  memory: { request: '20Mi', limit: '250Mi' },
};

/**
 * Where Linkerd's injection is switched on: `namespace` annotates the app namespace (every pod created there is
 * meshed unless it opts out), `workload` annotates each meshed pod template instead (the namespace stays plain,
 * for namespaces shared with pods that must not be meshed, or to mesh an app gradually).
 */
export type MeshInjection = 'namespace' | 'workload';

/** Every {@link MeshInjection}. */
export const MESH_INJECTIONS: readonly MeshInjection[] = ['namespace', 'workload'];

/** Requests and limits of the Linkerd proxy sidecar; what is left out keeps the default. */
export interface ProxyResources {
  /**
   * CPU request and limit of the proxy (the limit also sets how many worker threads it runs).
   * @default request 100m, limit 1
   */
  readonly cpu?: CpuRequestLimit;
  /**
   * Memory request and limit of the proxy.
   * @default request 20Mi, limit 250Mi
   */
  readonly memory?: MemoryRequestLimit;
}

/** Per-workload mesh settings (the workload is meshed when the app is). */
export interface MeshOptions {
  /**
   * Proxy resources of this workload's pods.
   * @default the app's `meshProxy`, itself defaulting to {@link DEFAULT_PROXY_RESOURCES}
   */
  readonly proxy?: ProxyResources;
}

/** The props of a workload's `mesh` options. */
export const MESH_OPTIONS_KEYS: PropKeys<MeshOptions> = { proxy: true };

/** Validates the injection mode. */
export function resolveMeshInjection(v: PropValidator, prop: string, value: MeshInjection | undefined): MeshInjection {
  const mode = value ?? 'namespace';
  if (!MESH_INJECTIONS.includes(mode)) {
    v.fail(prop, `${JSON.stringify(mode)} is not an injection mode`, `use one of ${MESH_INJECTIONS.join(', ')}`);
  }
  return mode;
}

/** An app's mesh settings after validation. */
export interface AppMesh {
  /** Whether the app is meshed by Linkerd. */
  readonly meshed: boolean;
  /** Where injection is switched on. */
  readonly injection: MeshInjection;
  /** Default proxy resources of its meshed pods. */
  readonly proxy: Resources;
}

/** Validates the mesh props of an app; the mesh settings are rejected on an app that is not meshed. */
export function resolveAppMesh(
  v: PropValidator,
  props: { mesh?: string; meshInjection?: MeshInjection; meshProxy?: ProxyResources },
): AppMesh {
  if (props.mesh !== undefined && props.mesh !== 'linkerd' && props.mesh !== 'none') {
    v.fail('mesh', `${JSON.stringify(props.mesh)} is not a supported mesh`, 'use "linkerd" or "none"');
  }
  const meshed = props.mesh === 'linkerd';
  for (const prop of ['meshInjection', 'meshProxy'] as const) {
    if (!meshed && props[prop] !== undefined) {
      v.fail(prop, 'is set but the app is not meshed', `set mesh: "linkerd", or leave ${prop} out`);
    }
  }
  return {
    meshed,
    injection: resolveMeshInjection(v, 'meshInjection', props.meshInjection),
    proxy: resolveProxyResources(v, 'meshProxy', props.meshProxy, DEFAULT_PROXY_RESOURCES),
  };
}

const PROXY_RESOURCES_KEYS: PropKeys<ProxyResources> = { cpu: true, memory: true };

/** Validates proxy resources, filling what is left out from `defaults`. */
export function resolveProxyResources(
  v: PropValidator,
  prop: string,
  given: ProxyResources | undefined,
  defaults: Resources,
): Resources {
  v.knownProps(prop, given, PROXY_RESOURCES_KEYS, 'proxy resources');
  return resolveResources(v, prop, given, defaults);
}

/** The annotation keys the platform sets itself; a workload's `podAnnotations` may not set them. */
export const LINKERD_MANAGED_ANNOTATIONS: readonly string[] = [
  LINKERD_INJECT_ANNOTATION,
  LINKERD_OPAQUE_PORTS_ANNOTATION,
  ...Object.values(LINKERD_PROXY_RESOURCE_ANNOTATIONS).flatMap((a) => [a.request, a.limit]),
];

/**
 * The ports of a workload to mark opaque: those without an `appProtocol`, i.e. the database wire protocols
 * (HTTP and gRPC ports are left to protocol detection, which gives them per-request metrics).
 */
export function opaquePorts(ports: readonly { readonly port: number; readonly appProtocol?: string }[]): number[] {
  return [...new Set(ports.filter((p) => !p.appProtocol).map((p) => p.port))].sort((a, b) => a - b);
}

/** How a meshed app meshes one of its workloads. */
export interface PodMeshSettings {
  /** Where injection is switched on. */
  readonly injection: MeshInjection;
  /** Proxy requests and limits. */
  readonly proxy: Resources;
  /** Ports to mark opaque. */
  readonly opaquePorts: readonly number[];
}

/**
 * Pod annotations of a workload in a meshed app: an opt-out (`linkerd.io/inject: disabled`, in both injection
 * modes, so the choice is visible in the YAML), or the proxy's resources and opaque ports, plus
 * `linkerd.io/inject: enabled` with workload-level injection.
 */
export function linkerdPodAnnotations(settings: PodMeshSettings | undefined): Record<string, string> {
  if (!settings) return { [LINKERD_INJECT_ANNOTATION]: 'disabled' };
  const { cpu, memory } = LINKERD_PROXY_RESOURCE_ANNOTATIONS;
  return {
    ...(settings.injection === 'workload' ? { [LINKERD_INJECT_ANNOTATION]: 'enabled' } : {}),
    [cpu.request]: settings.proxy.cpu.request,
    [cpu.limit]: settings.proxy.cpu.limit,
    [memory.request]: settings.proxy.memory.request,
    [memory.limit]: settings.proxy.memory.limit,
    ...(settings.opaquePorts.length ? { [LINKERD_OPAQUE_PORTS_ANNOTATION]: settings.opaquePorts.join(',') } : {}),
  };
}
