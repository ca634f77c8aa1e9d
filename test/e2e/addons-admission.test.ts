/**
 * The add-on namespaces on a real control plane: each created with the platform's Pod Security labels, every pod
 * every add-on release makes (rendered by `helm template` from ../shared/charts with the exact values the program
 * passes, recorded under Pulumi mocks) admitted there by the real PodSecurity admission, the lower profiles shown
 * to be needed (baseline refuses those pods), a privileged pod refused in each restricted namespace, and the
 * namespaces' NetworkPolicies accepted by strict server-side apply.
 *
 * Pods are created with `dryRun=All`: every admission plugin runs (PodSecurity, ServiceAccount, ...), nothing is
 * stored, so no controller or kwok has to run the add-ons' containers.
 */
import { join } from 'node:path';
import * as k8s from '@pulumi/kubernetes';
import { parseAllDocuments } from 'yaml';
import type { KubeClient } from '../../scripts/cluster/kube-client';
import { helmTemplate, toolPath } from '../../scripts/lib/helm-charts';
import type { KubeObject } from '../../scripts/lib/manifests';
import { addonSecretsState } from '../cloud/fixtures';
import { installMocks, ofType, plainValue, settle } from '../cloud/harness';
import { applyAll, ROOT, useLocalCluster } from './support';

const recorded = installMocks(addonSecretsState);

import { ADDON_NAMESPACE_POLICIES, addonNamespace, addonNetworkPolicies } from '../../platform/cloud/addons/namespaces';
import { podSecurityLabels } from '../../platform/core/security';
import { PlatformAddons } from '../../platform/cloud/platform-addons';
import { ADDONS } from '../../platform/contract';

const SHARED_CHARTS = join(ROOT, '..', 'shared', 'charts');
const provider = new k8s.Provider('e2e-k8s', {});
// The local stack's settings and a cloud stack's (the HA values), every add-on, Grafana published.
for (const flavor of ['generic', 'eks'] as const) {
  new PlatformAddons(flavor, {
    provider,
    addons: ADDONS,
    flavor,
    metricsServer: 'install',
    domain: 'example.com',
    chartSource: { localDir: SHARED_CHARTS },
  });
}
const cluster = useLocalCluster();

interface PodTemplate {
  readonly metadata?: { labels?: Record<string, string> };
  readonly spec: Record<string, unknown>;
}

/** A pod a release makes: where, from which object, with which spec. */
interface ReleasePod {
  readonly release: string;
  readonly owner: string;
  readonly namespace: string;
  readonly template: PodTemplate;
}

/** The pod template of a workload object (or the pod itself), undefined for other kinds. */
function templateOf(o: KubeObject): PodTemplate | undefined {
  const spec = (o as { spec?: Record<string, unknown> }).spec ?? {};
  const template = (at: unknown): PodTemplate | undefined => at as PodTemplate | undefined;
  switch (o.kind) {
    case 'StatefulSet': {
      // The StatefulSet controller adds a claim volume per volumeClaimTemplate to each pod.
      const pod = template(spec.template);
      const claims = (spec.volumeClaimTemplates as { metadata: { name: string } }[] | undefined) ?? [];
      if (!pod || claims.length === 0) return pod;
      const volumes = [
        ...((pod.spec.volumes as unknown[] | undefined) ?? []),
        ...claims.map((c) => ({
          name: c.metadata.name,
          persistentVolumeClaim: { claimName: `${c.metadata.name}-${o.metadata.name}-0` },
        })),
      ];
      return { ...pod, spec: { ...pod.spec, volumes } };
    }
    case 'Deployment':
    case 'DaemonSet':
    case 'ReplicaSet':
    case 'Job':
      return template(spec.template);
    case 'CronJob':
      return template((spec.jobTemplate as { spec?: { template?: unknown } } | undefined)?.spec?.template);
    case 'Pod':
      return { metadata: o.metadata as PodTemplate['metadata'], spec };
    default:
      return undefined;
  }
}

let rendered: { release: string; namespace: string; objects: KubeObject[] }[] = [];
let pods: ReleasePod[] = [];

beforeAll(async () => {
  await settle(recorded);
  const helm = toolPath('helm');
  rendered = ofType(recorded, 'kubernetes:helm.sh/v3:Release').map((r) => {
    const namespace = r.inputs.namespace as string;
    const result = helmTemplate(helm, r.inputs.name as string, r.inputs.chart as string, namespace, {
      ...(plainValue(r.inputs.values) as Record<string, unknown>),
    });
    if (!result.ok) throw new Error(`${r.name}: helm template failed: ${result.errors}`);
    // Helm charts are YAML 1.1: `defaultMode: 0644` is octal there.
    const objects = parseAllDocuments(result.manifests, { version: '1.1' })
      .map((d) => d.toJS() as KubeObject)
      .filter((o) => o?.kind);
    return { release: r.name, namespace, objects };
  });
  pods = rendered.flatMap(({ release, namespace, objects }) =>
    objects
      // `helm test` pods run only on demand.
      .filter((o) => !String(o.metadata.annotations?.['helm.sh/hook'] ?? '').includes('test'))
      .flatMap((o) => {
        const template = templateOf(o);
        return template
          ? [{ release, owner: `${o.kind}/${o.metadata.name}`, namespace: o.metadata.namespace ?? namespace, template }]
          : [];
      }),
  );
}, 120_000);

/** Creates a pod from a template with `dryRun=All`; resolves with the refusal, if any, and the warnings. */
async function tryPod(
  client: KubeClient,
  namespace: string,
  template: PodTemplate,
): Promise<{ refused?: string; warnings: readonly string[] }> {
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { generateName: 'admission-', namespace, labels: template.metadata?.labels },
    spec: template.spec,
  };
  const res = await client.send<{ message?: string }>(
    'POST',
    `/api/v1/namespaces/${namespace}/pods?dryRun=All`,
    JSON.stringify(pod),
  );
  return res.status >= 300
    ? { refused: res.body?.message ?? String(res.status), warnings: res.warnings }
    : { warnings: res.warnings };
}

const owned = Object.keys(ADDON_NAMESPACE_POLICIES);

describe('add-on namespaces on the local control plane', () => {
  test('every release renders, and every pod it makes lands in a namespace the platform owns or kube-system', () => {
    expect(rendered.length).toBeGreaterThan(25);
    expect(pods.length).toBeGreaterThan(40);
    const elsewhere = pods.filter((p) => !owned.includes(p.namespace) && p.namespace !== 'kube-system');
    expect(elsewhere.map((p) => `${p.release} ${p.owner} in ${p.namespace}`)).toEqual([]);
  });

  test('the namespaces, their ServiceAccounts and their NetworkPolicies are accepted (strict server-side apply)', async () => {
    const client = cluster().client;
    const namespaces = owned.map((n) => ({ apiVersion: 'v1', kind: 'Namespace', ...addonNamespace(n)! }));
    const serviceAccounts = [...owned, 'kube-system'].flatMap((n) => serviceAccountsOf(n, n));
    const policies = owned.flatMap((n) =>
      addonNetworkPolicies(n).map((p) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', ...p })),
    );
    const { refused, warnings } = await applyAll(client, [
      ...namespaces,
      ...serviceAccounts,
      ...(policies as unknown as KubeObject[]),
    ]);
    expect(refused).toEqual([]);
    expect(warnings).toEqual([]);
  });

  test('every pod of every release is admitted under its namespace’s profile', async () => {
    const client = cluster().client;
    const refused: string[] = [];
    const warned = new Set<string>();
    for (const p of pods) {
      const result = await tryPod(client, p.namespace, p.template);
      if (result.refused) refused.push(`${p.release} ${p.owner} (${p.namespace}): ${result.refused}`);
      if (result.warnings.length) warned.add(p.namespace);
    }
    expect(refused).toEqual([]);
    // Pods that would break `restricted` (warned about, never refused) run only where a lower profile is enforced.
    const restricted = owned.filter((n) => ADDON_NAMESPACE_POLICIES[n].podSecurity === 'restricted');
    expect([...warned].filter((n) => restricted.includes(n))).toEqual([]);
  });

  test('the lower profiles are the least that work: baseline refuses some pod of each such namespace', async () => {
    const client = cluster().client;
    const lower = owned.filter((n) => ADDON_NAMESPACE_POLICIES[n].podSecurity !== 'restricted');
    expect(lower.length).toBeGreaterThan(0);
    for (const namespace of lower) {
      const probe = `${namespace}-baseline-probe`;
      const { refused } = await applyAll(client, [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: probe, labels: podSecurityLabels('baseline') } },
        ...serviceAccountsOf(namespace, probe),
      ]);
      expect(refused).toEqual([]);
      const refusals: string[] = [];
      for (const p of pods.filter((x) => x.namespace === namespace)) {
        const result = await tryPod(client, probe, p.template);
        if (result.refused) refusals.push(`${p.owner}: ${result.refused}`);
      }
      expect(refusals.length).toBeGreaterThan(0);
      expect(refusals.join('\n')).toMatch(/violates PodSecurity "baseline:latest"/);
    }
  });

  test.each(owned.filter((n) => ADDON_NAMESPACE_POLICIES[n].podSecurity === 'restricted'))(
    'a privileged pod is refused in %s',
    async (namespace) => {
      const result = await tryPod(cluster().client, namespace, {
        spec: {
          containers: [{ name: 'root', image: 'registry.k8s.io/pause:3.10', securityContext: { privileged: true } }],
        },
      });
      expect(result.refused).toMatch(/violates PodSecurity "restricted:latest": privileged/);
    },
  );
});

/** The ServiceAccounts the releases make in `namespace`, as objects of namespace `into` (each once). */
function serviceAccountsOf(namespace: string, into: string): KubeObject[] {
  const names = new Set(
    rendered.flatMap((r) =>
      r.objects
        .filter((o) => o.kind === 'ServiceAccount' && (o.metadata.namespace ?? r.namespace) === namespace)
        .map((o) => o.metadata.name as string),
    ),
  );
  return [...names]
    .sort()
    .map((name) => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: into } }));
}
