/**
 * What the platform's own hardening adds to the add-on plan (`addon-plan.ts`): Grafana is published only over
 * HTTPS and Linkerd's identity issuer is kept renewed by cert-manager, so either brings cert-manager, and Linkerd
 * then installs after it.
 */
import type { Addon } from '../../contract';
import { addonPrerequisites, planAddons } from '../addon-plan';
import type { AddonPlan } from '../addon-plan';

/** Ordering the platform adds to the plan's: the key installs after these when both are installed. */
export const PLATFORM_AFTER: Readonly<Partial<Record<Addon, readonly Addon[]>>> = {
  linkerd: ['cert-manager'],
};

/** Whether a stack publishes Grafana: Prometheus, an ingress controller and a domain. */
export function publishesGrafana(plan: AddonPlan, domain: string | undefined): boolean {
  const has = (a: Addon): boolean => plan.install.includes(a) || plan.builtIn.includes(a);
  return domain !== undefined && plan.install.includes('prometheus') && (has('contour') || has('ingress-nginx'));
}

/**
 * The plan of `requested` with cert-manager added when Grafana is published or Linkerd installed, ordered so that
 * every add-on also comes after its {@link PLATFORM_AFTER} (a stable topological order over the plan's).
 */
export function planWithPlatformNeeds(
  requested: readonly Addon[],
  builtIn: readonly Addon[],
  domain: string | undefined,
): AddonPlan {
  const first = planAddons(requested, builtIn);
  const needsCertManager = publishesGrafana(first, domain) || first.install.includes('linkerd');
  const plan = needsCertManager ? planAddons([...requested, 'cert-manager'], builtIn) : first;
  const pending = [...plan.install];
  const order: Addon[] = [];
  while (pending.length > 0) {
    const next = pending.findIndex((addon) =>
      [...addonPrerequisites(addon, plan.install), ...(PLATFORM_AFTER[addon] ?? [])].every(
        (dep) => !pending.includes(dep),
      ),
    );
    if (next < 0) throw new Error(`add-on dependency cycle among ${pending.join(', ')}`);
    order.push(...pending.splice(next, 1));
  }
  return { install: order, builtIn: plan.builtIn };
}
