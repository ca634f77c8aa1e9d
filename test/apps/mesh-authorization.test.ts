/**
 * The two layers of the app graph must never disagree: for every reference app, the callers Linkerd authorizes on
 * each port of a meshed workload are exactly the peers its NetworkPolicy admits there.
 */
import { REFERENCE_APPS } from '../../apps';
import { ADDON_NAMESPACES, INGRESS_IDENTITIES, meshIdentity } from '../../platform';
import type { Obj } from '../helpers';
import { find } from '../helpers';
import { buildApp } from './build';
import { namespaceSources, podEdges } from './policy-edges';

const NAME_LABEL = 'app.kubernetes.io/name';

/** The admitted callers of every meshed app port, from the Linkerd objects: `caller -> server:port`. */
function authorizedEdges(objects: Obj[], namespace: string): string[] {
  const ingress = new Map(
    Object.values(INGRESS_IDENTITIES).map((id) => [meshIdentity(id), `${id.namespace}/*`] as const),
  );
  const local = (identity: string): string | undefined =>
    identity.endsWith(`.${namespace}.serviceaccount.identity.linkerd.cluster.local`)
      ? identity.split('.')[0]
      : undefined;
  return objects
    .filter((o) => o.kind === 'AuthorizationPolicy')
    .flatMap((policy) => {
      const server = find(objects, 'Server', policy.spec.targetRef.name);
      if (server.metadata.name.endsWith('-linkerd-admin')) return [];
      const target = `${server.spec.podSelector.matchLabels[NAME_LABEL]}:${server.spec.port}`;
      return (policy.spec.requiredAuthenticationRefs as Obj[])
        .filter((ref) => ref.kind === 'MeshTLSAuthentication')
        .flatMap((ref) =>
          (find(objects, ref.kind, ref.name).spec.identities as string[]).map(
            (identity) => `${local(identity) ?? ingress.get(identity) ?? identity} -> ${target}`,
          ),
        );
    })
    .sort();
}

/** The same, from the NetworkPolicies, for the ports Linkerd has a Server for. */
function admittedEdges(objects: Obj[]): string[] {
  const served = new Set(
    objects
      .filter((o) => o.kind === 'Server' && !o.metadata.name.endsWith('-linkerd-admin'))
      .map((s) => `${s.spec.podSelector.matchLabels[NAME_LABEL]}:${s.spec.port}`),
  );
  const ingressNamespaces = new Set(Object.values(INGRESS_IDENTITIES).map((id) => id.namespace));
  const fromPods = podEdges(objects).filter((e) => served.has(e.split(' -> ')[1]));
  const fromIngress = [...served].flatMap((target) => {
    const [workload, port] = target.split(':');
    return namespaceSources(objects, workload)
      .map((source) => source.split(':'))
      .filter(([ns, p]) => ingressNamespaces.has(ns) && p === port)
      .map(([ns]) => `${ns}/* -> ${target}`);
  });
  return [...new Set([...fromPods, ...fromIngress])].sort();
}

describe.each(Object.entries(REFERENCE_APPS))('%s', (_name, builder) => {
  const { chart, objects } = buildApp(builder);

  test('Linkerd authorizes exactly the edges the NetworkPolicies admit on meshed ports', () => {
    expect(authorizedEdges(objects, chart.namespace as string)).toEqual(admittedEdges(objects));
  });

  test('Linkerd admits the unmeshed Prometheus on exactly the ports the NetworkPolicies open to it', () => {
    const scrapedByLinkerd = objects
      .filter(
        (o) =>
          o.kind === 'AuthorizationPolicy' && o.spec.requiredAuthenticationRefs[0].kind === 'NetworkAuthentication',
      )
      .map((p) => find(objects, 'Server', p.spec.targetRef.name))
      .map((s) => `${s.spec.podSelector.matchLabels[NAME_LABEL]}:${s.spec.port}`)
      .sort();
    const meshed = new Set(
      objects.filter((o) => o.kind === 'Server').map((s) => s.spec.podSelector.matchLabels[NAME_LABEL]),
    );
    const scrapedByPolicy = [...meshed]
      .flatMap((workload) =>
        namespaceSources(objects, workload)
          .filter((source) => source.startsWith(`${ADDON_NAMESPACES.prometheus}:`))
          .map((source) => `${workload}:${source.split(':')[1]}`),
      )
      .sort();
    expect(scrapedByLinkerd).toEqual(scrapedByPolicy);
  });

  test(chart.meshed ? 'every meshed workload port has a Server' : 'no Linkerd policy objects without a mesh', () => {
    const servers = objects.filter((o) => o.kind === 'Server').length;
    if (chart.meshed) expect(servers).toBeGreaterThan(0);
    else expect(servers).toBe(0);
  });
});
