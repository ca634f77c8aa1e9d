/**
 * Every Helm release the program creates, with the exact values it passes (recorded under the Pulumi mocks),
 * checked against the official chart at the pinned version in `../shared/charts`: no key the chart does not define,
 * and `helm template` renders. Helm comes from `scripts/cluster/build-tools.sh helm`.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as k8s from '@pulumi/kubernetes';
import { parseAllDocuments } from 'yaml';
import { helmTemplate, readChart, toolPath, unknownValueKeys } from '../../scripts/lib/helm-charts';
import type { FreeFormPath } from '../../scripts/lib/helm-charts';
import { installMocks, ofType, plainValue, settle } from './harness';
import type { Recorded } from './harness';

const PLACEHOLDER_PEM = (what: string) => `-----BEGIN ${what}-----\nplaceholder\n-----END ${what}-----\n`;
const recorded = installMocks((args) => {
  switch (args.type) {
    case 'tls:index/privateKey:PrivateKey':
      return { privateKeyPem: PLACEHOLDER_PEM('PRIVATE KEY') };
    case 'tls:index/selfSignedCert:SelfSignedCert':
      return { certPem: PLACEHOLDER_PEM('CERTIFICATE'), validityEndTime: '2036-12-01T10:00:00Z' };
    case 'tls:index/locallySignedCert:LocallySignedCert':
      return { certPem: PLACEHOLDER_PEM('CERTIFICATE') };
    case 'tls:index/certRequest:CertRequest':
      return { certRequestPem: PLACEHOLDER_PEM('CERTIFICATE REQUEST') };
    case 'random:index/randomPassword:RandomPassword':
      return { result: 'placeholder-password' };
    default:
      return undefined;
  }
});

import { PlatformAddons } from '../../platform/cloud/platform-addons';
import { ADDONS } from '../../platform/contract';

const SHARED_CHARTS = join(__dirname, '..', '..', '..', 'shared', 'charts');
const HELM = toolPath('helm');
const RELEASE = 'kubernetes:helm.sh/v3:Release';

/** Values the charts pass through to the software they install, whose keys are that software's, not the chart's. */
const FREE_FORM: Readonly<Record<string, readonly FreeFormPath[]>> = {
  contour: [
    { path: 'configInline', reason: "Contour's own configuration file (contour.yaml), copied verbatim" },
    { path: 'envoy.podAnnotations', reason: 'annotations of the Envoy pods (any key)' },
  ],
  'ingress-nginx': [{ path: 'controller.podAnnotations', reason: 'annotations of the controller pods (any key)' }],
  'cert-manager': [{ path: 'config', reason: "cert-manager's ControllerConfiguration file, copied verbatim" }],
  'kube-prometheus-stack': [{ path: 'grafana.ingress.annotations', reason: 'annotations of the Ingress (any key)' }],
  'vertical-pod-autoscaler': [
    { path: 'podSecurityContext', reason: "a Kubernetes PodSecurityContext, copied into each component's pod" },
    {
      path: 'containerSecurityContext',
      reason: "a Kubernetes SecurityContext, copied into each component's container",
    },
  ],
};

const provider = new k8s.Provider('test-k8s', {});
// Every add-on, every optional branch of the values: Grafana ingress (domain), linkerd-viz on the stack Prometheus,
// Loki and Tempo data sources, Contour bound to the platform Gateway, metrics-server.
const all = new PlatformAddons('all', {
  provider,
  addons: ADDONS,
  metricsServer: 'install-insecure-kubelet-tls',
  domain: 'example.com',
  chartSource: { localDir: SHARED_CHARTS },
});
const eks = new PlatformAddons('eks', { provider, addons: ADDONS, flavor: 'eks', metricsServer: 'install' });

/** Values as the chart receives them: secrets unwrapped. */
const plain = plainValue;

let releases: Recorded[] = [];
beforeAll(async () => {
  await settle(recorded);
  releases = ofType(recorded, RELEASE).filter((r) => r.name.startsWith('all-') || r.name.startsWith('eks-'));
});

const archiveOf = (r: Recorded): string =>
  r.name.startsWith('all-')
    ? (r.inputs.chart as string)
    : (ofType(recorded, RELEASE).find((a) => a.name === `all-${r.inputs.name}`)?.inputs.chart as string);

describe('the values passed to every chart', () => {
  test('every add-on release is checked', () => {
    const expected = [all, eks].flatMap((a) => Object.keys(a.releases)).length;
    expect(releases).toHaveLength(expected);
    expect(expected).toBeGreaterThan(20);
  });

  test('name only keys the pinned chart defines', () => {
    const charts = new Map<string, ReturnType<typeof readChart>>();
    const unknown = releases.flatMap((r) => {
      const archive = archiveOf(r);
      if (!charts.has(archive)) charts.set(archive, readChart(archive));
      const keys = unknownValueKeys(
        plain(r.inputs.values) as Record<string, unknown>,
        charts.get(archive)!,
        FREE_FORM[r.inputs.name as string] ?? [],
      );
      return keys.map((key) => `${r.name}: ${key}`);
    });
    expect(unknown).toEqual([]);
  });
});

test('a key moved or misspelt against the real chart is caught', () => {
  const contour = readChart(join(SHARED_CHARTS, 'contour-0.7.0.tgz'));
  expect(unknownValueKeys({ contour: { replicaCont: 2 }, envoy: { service: { typ: 'NodePort' } } }, contour)).toEqual([
    'contour.replicaCont',
    'envoy.service.typ',
  ]);
});

const helmMissing = !existsSync(HELM);
const HELM_HINT = `helm not found at ${HELM}; build it with: bash scripts/cluster/build-tools.sh helm`;

describe('rendering with helm template', () => {
  if (helmMissing && process.env.CI === 'true') {
    test('helm is available', () => {
      throw new Error(HELM_HINT);
    });
    return;
  }
  if (helmMissing) console.warn(`chart-values: ${HELM_HINT} (skipping the renders outside CI)`);
  const maybe = helmMissing ? test.skip : test;

  maybe('every release renders against its pinned chart', () => {
    const failures = releases
      .filter((r) => r.name.startsWith('all-'))
      .flatMap((r) => {
        const result = helmTemplate(
          HELM,
          r.inputs.name as string,
          r.inputs.chart as string,
          r.inputs.namespace as string,
          plain(r.inputs.values) as Record<string, unknown>,
        );
        return result.ok ? [] : [`${r.name}: ${result.errors.trim()}`];
      });
    expect(failures).toEqual([]);
  });

  maybe('no ClusterRole of kube-prometheus-stack grants Secrets, except the operator’s', () => {
    const r = releases.find((x) => x.name === 'all-kube-prometheus-stack')!;
    const result = helmTemplate(
      HELM,
      r.inputs.name as string,
      r.inputs.chart as string,
      r.inputs.namespace as string,
      plain(r.inputs.values) as Record<string, unknown>,
    );
    expect(result.errors).toBe('');
    const clusterRoles = [
      ...parseAllDocuments(result.manifests).map((d) => d.toJS() as RbacObject),
      ...ofType(recorded, 'kubernetes:rbac.authorization.k8s.io/v1:ClusterRole')
        .filter((c) => c.name.startsWith('all-'))
        .map((c) => ({ kind: 'ClusterRole', ...c.inputs }) as RbacObject),
    ].filter((d) => d?.kind === 'ClusterRole');
    const grantsSecrets = clusterRoles
      .filter((c) => (c.rules ?? []).some((rule) => rule.resources?.some((res) => res === 'secrets' || res === '*')))
      .map((c) => c.metadata.name);
    // The Prometheus Operator writes each Prometheus's configuration Secret and reads the Secrets that monitors in
    // any namespace reference (basic auth, TLS): its reach is the operator's job. Grafana and kube-state-metrics
    // have no such need and must not read them.
    expect(grantsSecrets).toEqual(['kube-prometheus-stack-operator']);
    // The database backups' alert and panel read kube-state-metrics' CronJob series: it must still watch them.
    const ksm = clusterRoles.find((c) => c.metadata.name === 'kube-prometheus-stack-kube-state-metrics');
    expect(ksm?.rules?.some((rule) => rule.resources?.includes('cronjobs'))).toBe(true);
    // Grafana's RBAC is the platform's alone: the chart renders none for it (an upgrade from a release with the
    // chart's binding drops that binding rather than patching its immutable roleRef).
    const grafanaRbac = parseAllDocuments(result.manifests)
      .map((d) => d.toJS() as RbacObject)
      .filter((d) => d && /Role/.test(d.kind) && d.metadata.name.includes('grafana'));
    expect(grafanaRbac.map((d) => `${d.kind}/${d.metadata.name}`)).toEqual([]);
    const bound = ofType(recorded, 'kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding')
      .filter((c) => c.name.startsWith('all-'))
      .map((c) => (c.inputs as { roleRef: { name: string } }).roleRef.name);
    expect(bound).toEqual(['kube-prometheus-stack-grafana-configmaps']);
  });
});

/** The part of a (Cluster)Role the render check reads. */
interface RbacObject {
  readonly kind: string;
  readonly metadata: { readonly name: string };
  readonly rules?: readonly { readonly resources?: readonly string[] }[];
}
