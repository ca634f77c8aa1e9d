import { ADDONS } from '../contract';
import type { Addon } from '../contract';

/**
 * Hard dependencies: installing the key installs these first. Linkerd's policy and routing CRDs reference the
 * Gateway API types, which Linkerd no longer installs itself; the adapter and viz read from Prometheus.
 */
export const ADDON_REQUIRES: Readonly<Record<Addon, readonly Addon[]>> = {
  'ingress-nginx': [],
  contour: [],
  'gateway-api': [],
  linkerd: ['gateway-api'],
  'linkerd-viz': ['linkerd'],
  prometheus: [],
  'prometheus-adapter': ['prometheus'],
  vpa: [],
  loki: [],
  tempo: [],
  'cert-manager': [],
  keda: [],
};

/**
 * Soft ordering: when both are installed, the key goes after these. The ingress controllers ship ServiceMonitors
 * (Prometheus Operator CRDs); viz queries the stack's Prometheus; Contour serves the platform Gateway, whose CRDs
 * must exist when it starts. Everything else is independent and installs in parallel.
 */
export const ADDON_AFTER: Readonly<Record<Addon, readonly Addon[]>> = {
  'ingress-nginx': ['prometheus'],
  contour: ['prometheus', 'gateway-api'],
  'gateway-api': [],
  linkerd: [],
  'linkerd-viz': ['prometheus'],
  prometheus: [],
  'prometheus-adapter': [],
  vpa: [],
  loki: [],
  tempo: [],
  'cert-manager': ['prometheus', 'gateway-api'],
  keda: [],
};

/** Which add-ons to install, in order, and which ones the cluster already provides. */
export interface AddonPlan {
  /** Add-ons to install, dependencies first (a topological order, ties broken by {@link ADDONS} order). */
  readonly install: readonly Addon[];
  /** Requested add-ons the cluster already provides; nothing is installed for them. */
  readonly builtIn: readonly Addon[];
}

/** Throws if `name` is not one of {@link ADDONS}; the message lists what is allowed. */
export function assertAddon(name: string, where: string): Addon {
  if (!(ADDONS as readonly string[]).includes(name)) {
    throw new Error(`${where}: unknown add-on "${name}"; use one of ${ADDONS.join(', ')}`);
  }
  return name as Addon;
}

/**
 * Closes the requested set over {@link ADDON_REQUIRES}, drops what the cluster provides, and orders the rest so
 * that every add-on comes after its hard and soft dependencies.
 */
export function planAddons(requested: Iterable<Addon>, builtIn: readonly Addon[] = []): AddonPlan {
  const wanted = new Set<Addon>();
  const visit = (addon: Addon): void => {
    if (wanted.has(addon)) return;
    wanted.add(addon);
    ADDON_REQUIRES[addon].forEach(visit);
  };
  [...requested].forEach(visit);
  const provided = ADDONS.filter((a) => wanted.has(a) && builtIn.includes(a));
  const pending = ADDONS.filter((a) => wanted.has(a) && !builtIn.includes(a));
  const order: Addon[] = [];
  while (pending.length > 0) {
    const next = pending.findIndex((addon) =>
      [...ADDON_REQUIRES[addon], ...ADDON_AFTER[addon]].every((dep) => !pending.includes(dep)),
    );
    if (next < 0) throw new Error(`add-on dependency cycle among ${pending.join(', ')}`);
    order.push(pending[next]);
    pending.splice(next, 1);
  }
  return { install: order, builtIn: provided };
}

/** The add-ons `addon` must wait for among those being installed (hard and soft dependencies). */
export function addonPrerequisites(addon: Addon, installed: readonly Addon[]): readonly Addon[] {
  return [...new Set([...ADDON_REQUIRES[addon], ...ADDON_AFTER[addon]])].filter((dep) => installed.includes(dep));
}
