import {
  ADDON_NAMESPACE_INGRESS,
  ADDON_NAMESPACE_POLICIES,
  addonNamespace,
  addonNetworkPolicies,
} from '../../platform/cloud/addons/namespaces';
import { RELEASE_NAMESPACES } from '../../platform/cloud/addons/names';

const owned = Object.values(RELEASE_NAMESPACES).filter((n) => n !== 'kube-system');

describe('add-on namespaces', () => {
  test('every namespace a release goes into, but kube-system, is the platform’s, with a profile and its ingress', () => {
    expect(Object.keys(ADDON_NAMESPACE_POLICIES).sort()).toEqual([...new Set(owned)].sort());
    expect(Object.keys(ADDON_NAMESPACE_INGRESS).sort()).toEqual([...new Set(owned)].sort());
    expect(addonNamespace('kube-system')).toBeUndefined();
  });

  test('restricted is enforced unless a reason says why not; restricted is always audited and warned about', () => {
    for (const [name, policy] of Object.entries(ADDON_NAMESPACE_POLICIES)) {
      if (policy.podSecurity !== 'restricted') expect(policy.reason?.length).toBeGreaterThan(40);
      expect(addonNamespace(name)?.metadata.labels).toMatchObject({
        'pod-security.kubernetes.io/enforce': policy.podSecurity,
        'pod-security.kubernetes.io/audit': 'restricted',
        'pod-security.kubernetes.io/warn': 'restricted',
      });
    }
    const lower = Object.entries(ADDON_NAMESPACE_POLICIES).filter(([, p]) => p.podSecurity !== 'restricted');
    expect(lower.map(([n, p]) => [n, p.podSecurity])).toEqual([
      ['monitoring', 'privileged'],
      ['linkerd-cni', 'privileged'],
    ]);
  });
});

describe('add-on NetworkPolicies', () => {
  const allow = (ns: string) => addonNetworkPolicies(ns)[1].spec.ingress as Record<string, unknown>[];

  test('each namespace denies all ingress, then admits its own pods and the platform Prometheus', () => {
    for (const ns of new Set(owned)) {
      const [deny, platform] = addonNetworkPolicies(ns);
      expect(deny.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress'] });
      expect(platform.spec.ingress?.slice(0, 2)).toEqual([
        { from: [{ podSelector: {} }] },
        {
          from: [
            {
              namespaceSelector: {
                matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['monitoring'] }],
              },
              podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } },
            },
          ],
        },
      ]);
    }
  });

  test('webhook ports are open to the control plane, the controllers’ ports to everyone', () => {
    expect(allow('cert-manager')[2]).toEqual({ ports: [{ protocol: 'TCP', port: 10250 }] });
    expect(allow('ingress-nginx')[2]).toEqual({
      ports: [80, 443, 8443].map((port) => ({ protocol: 'TCP', port })),
    });
    expect(allow('projectcontour')[2]).toEqual({ ports: [8080, 8443].map((port) => ({ protocol: 'TCP', port })) });
  });

  test('meshed pods of every namespace reach the Linkerd control plane; apps reach Tempo; ingress reaches Grafana', () => {
    expect(allow('linkerd')).toContainEqual({
      from: [{ namespaceSelector: {} }],
      ports: [4143, 8080, 8086, 8090].map((port) => ({ protocol: 'TCP', port })),
    });
    expect(allow('monitoring')).toContainEqual({
      from: [{ namespaceSelector: {} }],
      ports: [4317, 4318].map((port) => ({ protocol: 'TCP', port })),
    });
    expect(allow('monitoring')).toContainEqual({
      from: [
        {
          namespaceSelector: {
            matchExpressions: [
              { key: 'kubernetes.io/metadata.name', operator: 'In', values: ['ingress-nginx', 'projectcontour'] },
            ],
          },
        },
      ],
      ports: [{ protocol: 'TCP', port: 3000 }],
    });
  });

  test('the CNI plugin’s namespace admits nothing from outside', () => {
    expect(allow('linkerd-cni')).toHaveLength(2);
  });
});
