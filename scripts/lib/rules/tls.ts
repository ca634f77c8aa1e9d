/**
 * Rules on transport security at the edge and at admission: every exposed host is served over TLS, and every
 * namespace enforces the restricted Pod Security profile.
 */
import { gatewayHttpsListener } from '../../../platform/contract';
import { isRecord } from '../manifests';
import type { Rule, Violation } from './types';

const records = (value: unknown): Record<string, unknown>[] => (Array.isArray(value) ? value.filter(isRecord) : []);
const FIX = 'serve it over TLS (the Route construct does by default)';
const PSS_ENFORCE = 'pod-security.kubernetes.io/enforce';

/** What is wrong with one route object's TLS, if anything. */
function tlsProblems(o: Record<string, unknown> & { kind: string }): string[] {
  const spec = isRecord(o.spec) ? o.spec : {};
  switch (o.kind) {
    case 'Ingress': {
      const covered = new Set(records(spec.tls).flatMap((t) => (Array.isArray(t.hosts) ? t.hosts.map(String) : [])));
      return records(spec.rules)
        .map((r) => String(r.host ?? '*'))
        .filter((host) => !covered.has(host))
        .map((host) => `host ${host} has no spec.tls entry; ${FIX}`);
    }
    case 'HTTPProxy': {
      const vhost = isRecord(spec.virtualhost) ? spec.virtualhost : undefined;
      return vhost && !isRecord(vhost.tls) ? [`virtualhost ${String(vhost.fqdn)} has no tls; ${FIX}`] : [];
    }
    case 'HTTPRoute':
    case 'GRPCRoute': {
      // A route that only redirects (no backend) serves nothing in plain HTTP.
      if (!records(spec.rules).some((r) => records(r.backendRefs).length > 0)) return [];
      const hosts = Array.isArray(spec.hostnames) ? spec.hostnames.map(String) : [];
      return records(spec.parentRefs).flatMap((ref, i) => {
        const section = typeof ref.sectionName === 'string' ? ref.sectionName : '';
        const expected = hosts.map(gatewayHttpsListener);
        return expected.includes(section)
          ? []
          : [
              `parentRefs[${i}] attaches to listener ${JSON.stringify(section)}, not the HTTPS listener ${expected.join(' or ') || 'of a host'}; ${FIX}`,
            ];
      });
    }
    default:
      return [];
  }
}

/** `route-tls`: every Ingress, HTTPProxy, HTTPRoute and GRPCRoute serves its hosts over TLS. */
export const routeTlsRule: Rule = {
  id: 'route-tls',
  summary:
    "Every Ingress host has a spec.tls entry, every HTTPProxy a virtualhost.tls, and every HTTPRoute or GRPCRoute with backends attaches to its host's HTTPS listener of the platform Gateway.",
  why: 'Plain HTTP exposes credentials and session cookies to anyone on the path, and lets them alter responses (Polaris tlsSettingsMissing).',
  fix: 'Let the Route construct serve TLS (its default), or opt out with tls.disabled and the reason (e.g. TLS ends at the cloud load balancer).',
  check({ objects }) {
    return objects.flatMap((target) => tlsProblems(target.object).map((message): Violation => ({ target, message })));
  },
};

/** `namespace-pss-enforced`: every Namespace enforces the restricted Pod Security Standard. */
export const namespacePssEnforcedRule: Rule = {
  id: 'namespace-pss-enforced',
  summary: 'Every Namespace carries pod-security.kubernetes.io/enforce: restricted.',
  why: 'Without enforcement, Pod Security only warns: a pod that runs privileged is admitted.',
  fix: 'Create the namespace with a PlatformChart, which enforces restricted (meshed ones too, through the Linkerd CNI plugin).',
  check({ objects }) {
    return objects
      .filter((t) => t.object.kind === 'Namespace' && t.object.apiVersion === 'v1')
      .flatMap((target): Violation[] => {
        const value = target.object.metadata.labels?.[PSS_ENFORCE];
        if (value === 'restricted') return [];
        const problem = value === undefined ? 'is missing' : `is ${JSON.stringify(value)}`;
        return [
          {
            target,
            message: `label ${PSS_ENFORCE} ${problem}; set it to "restricted" (Linkerd needs no NET_ADMIN with its CNI plugin)`,
          },
        ];
      });
  },
};
