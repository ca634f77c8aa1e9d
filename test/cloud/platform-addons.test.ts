import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as pulumi from '@pulumi/pulumi';
import { parseAllDocuments } from 'yaml';
import { ADDON_CRDS_DIR, keptCrdOptions } from '../../platform/cloud/addons/crds';
import { annotateCrd } from '../../platform/cloud/addons/installer';
import { TEMPO_OTLP } from '../../platform/contract';
import * as k8s from '@pulumi/kubernetes';
import { named, installMocks, isSecretOutput, isSecretValue, ofType, settle, unsecret, valueOf } from './harness';
import type { Recorded } from './harness';
import type { Obj } from '../helpers';
import { addonSecretsState, TRUST_ANCHOR_NOT_AFTER } from './fixtures';

const recorded = installMocks((args) => {
  if (args.type === 'kubernetes:core/v1:Service') {
    return args.name.startsWith('np-')
      ? { spec: { type: 'NodePort', ports: [{ nodePort: 30080 }, { nodePort: 30443 }] } }
      : { status: { loadBalancer: { ingress: [{ ip: `203.0.113.${args.name.length}` }] } } };
  }
  return addonSecretsState(args);
});

import { PlatformAddons } from '../../platform/cloud/platform-addons';
import {
  CONTOUR_CHART,
  GATEWAY_API,
  INGRESS_NGINX_CHART,
  KUBE_PROMETHEUS_STACK_CHART,
  LINKERD_CONTROL_PLANE_CHART,
  VPA_CHART,
  KEDA_CHART,
} from '../../platform/cloud/versions';

const provider = new k8s.Provider('test-k8s', {});
const full = new PlatformAddons('full', {
  provider,
  addons: ['ingress-nginx', 'contour', 'linkerd-viz', 'prometheus-adapter', 'vpa', 'loki', 'tempo', 'keda'],
  flavor: 'eks',
  metricsServer: 'install',
  domain: 'example.com',
});
const small = new PlatformAddons('small', { provider, addons: ['ingress-nginx'], flavor: 'gke-autopilot' });
const onGke = new PlatformAddons('gke', { provider, addons: ['vpa', 'contour'], builtInAddons: ['vpa'] });
const gkeGateway = new PlatformAddons('gkegw', {
  provider,
  addons: ['gateway-api', 'contour', 'linkerd'],
  gatewayApiCrdsProvided: true,
});
const gkeCrdsOnly = new PlatformAddons('gkecrds', { provider, addons: ['gateway-api'], gatewayApiCrdsProvided: true });
const nodePorts = new PlatformAddons('np', { provider, addons: ['contour'], ingressServiceType: 'NodePort' });

beforeAll(() => settle(recorded));

const RELEASE = 'kubernetes:helm.sh/v3:Release';
const CONFIG_FILE = 'kubernetes:yaml/v2:ConfigFile';
const release = (name: string): Recorded => named(recorded, name, RELEASE);
const releasesOf = (prefix: string) => ofType(recorded, RELEASE).filter((r) => r.name.startsWith(`${prefix}-`));

describe('pinned charts', () => {
  test('every release names a repository and an exact version', () => {
    ofType(recorded, RELEASE).forEach((r) => {
      expect(r.inputs.repositoryOpts.repo).toMatch(/^https:\/\//);
      expect(r.inputs.version).toMatch(/^v?\d+\.\d+\.\d+$/);
    });
  });

  test.each([
    ['full-ingress-nginx', INGRESS_NGINX_CHART],
    ['full-contour', CONTOUR_CHART],
    ['full-linkerd-control-plane', LINKERD_CONTROL_PLANE_CHART],
    ['full-kube-prometheus-stack', KUBE_PROMETHEUS_STACK_CHART],
    ['full-vertical-pod-autoscaler', VPA_CHART],
  ])('%s installs the pinned chart', (name, chart) => {
    expect(release(name).inputs).toMatchObject({
      chart: chart.chart,
      version: chart.version,
      repositoryOpts: { repo: chart.repo },
    });
  });

  test('the Contour chart comes from the Contour project, not Bitnami', () => {
    expect(CONTOUR_CHART.repo).toBe('https://projectcontour.github.io/helm-charts');
  });

  test('Linkerd comes from the edge repository', () => {
    expect(LINKERD_CONTROL_PLANE_CHART.repo).toBe('https://helm.linkerd.io/edge');
  });

  test('releases are atomic, time-limited, in their own namespace and use the cluster provider', () => {
    const r = release('full-ingress-nginx');
    expect(r.inputs).toMatchObject({ atomic: true, timeout: 900, namespace: 'ingress-nginx', createNamespace: false });
    expect(r.parent).toBe('full');
  });

  test('each add-on namespace is the platform’s own resource, labelled for Pod Security, before its release', () => {
    const ns = named(recorded, 'full-ns-ingress-nginx', 'kubernetes:core/v1:Namespace');
    expect(ns.inputs.metadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'restricted',
      'pod-security.kubernetes.io/warn': 'restricted',
      'pod-security.kubernetes.io/audit': 'restricted',
    });
    expect(release('full-ingress-nginx').dependsOn).toContain('full-ns-ingress-nginx');
    const policies = ofType(recorded, 'kubernetes:networking.k8s.io/v1:NetworkPolicy')
      .filter((p) => p.name.startsWith('full-ns-ingress-nginx-'))
      .map((p) => [p.inputs.metadata.name, p.dependsOn.includes('full-ns-ingress-nginx')]);
    expect(policies).toEqual([
      ['default-deny-ingress', true],
      ['platform-allow', true],
    ]);
    expect(recorded.some((r) => r.name === 'full-ns-kube-system')).toBe(false);
  });

  test('the Gateway API CRDs are applied from the pinned standard-channel release', () => {
    expect(named(recorded, 'full-gateway-api').inputs.file).toBe(GATEWAY_API.url);
    expect(GATEWAY_API.url).toContain('/v1.6.1/standard-install.yaml');
  });
});

describe('only what is needed', () => {
  test('a stack asking for ingress-nginx gets only ingress-nginx', () => {
    expect(small.installed).toEqual(['ingress-nginx']);
    expect(releasesOf('small').map((r) => r.name)).toEqual(['small-ingress-nginx']);
  });

  test('add-ons the cluster provides are not installed', () => {
    expect(onGke.builtIn).toEqual(['vpa']);
    expect(releasesOf('gke').map((r) => r.name)).toEqual(['gke-contour']);
  });

  test('metrics-server is installed when the cluster lacks it', () => {
    expect(release('full-metrics-server').inputs.namespace).toBe('kube-system');
  });
});

describe('key values', () => {
  const kps = () => release('full-kube-prometheus-stack').inputs.values;

  test('Prometheus selects ServiceMonitors, PodMonitors and rules from every namespace', () => {
    expect(kps().prometheus.prometheusSpec).toMatchObject({
      serviceMonitorSelectorNilUsesHelmValues: false,
      podMonitorSelectorNilUsesHelmValues: false,
      ruleSelectorNilUsesHelmValues: false,
    });
  });

  test('the Grafana sidecar loads grafana_dashboard="1" ConfigMaps from all namespaces', () => {
    expect(kps().grafana.sidecar.dashboards).toMatchObject({
      enabled: true,
      label: 'grafana_dashboard',
      labelValue: '1',
      searchNamespace: 'ALL',
    });
  });

  test('Grafana gets Loki and Tempo data sources when they are installed', () => {
    expect(kps().grafana.additionalDataSources.map((d: { type: string }) => d.type)).toEqual(['loki', 'tempo']);
  });

  test('Tempo is released under the Service name traced workloads export to, with both OTLP receivers on', () => {
    const tempo = release(`full-${TEMPO_OTLP.service}`).inputs;
    expect(tempo.namespace).toBe(TEMPO_OTLP.namespace);
    expect(tempo.values.tempo.receivers.otlp.protocols).toEqual({
      grpc: { endpoint: `0.0.0.0:${TEMPO_OTLP.ports.grpc}` },
      http: { endpoint: `0.0.0.0:${TEMPO_OTLP.ports['http/protobuf']}` },
    });
  });

  test('Grafana is served over HTTPS at grafana.<domain>, its certificate from the platform issuer', async () => {
    expect(kps().grafana.ingress).toMatchObject({
      enabled: true,
      ingressClassName: 'contour',
      annotations: { 'cert-manager.io/cluster-issuer': 'platform-contour' },
      hosts: ['grafana.example.com'],
      tls: [{ secretName: 'grafana-tls', hosts: ['grafana.example.com'] }],
    });
    expect(await valueOf(full.grafanaUrl!)).toBe('https://grafana.example.com');
  });

  test('publishing Grafana brings cert-manager, which the stack did not ask for', () => {
    expect(full.installed).toContain('cert-manager');
    expect(small.installed).not.toContain('cert-manager');
  });

  test('Grafana’s sidecars read ConfigMaps only, through the platform’s ClusterRole without Secrets', () => {
    expect(kps().grafana.sidecar.dashboards.resource).toBe('configmap');
    expect(kps().grafana.sidecar.datasources.resource).toBe('configmap');
    expect(kps().grafana.rbac).toEqual({ create: false });
    const role = named(recorded, 'full-grafana-clusterrole', 'kubernetes:rbac.authorization.k8s.io/v1:ClusterRole');
    expect(role.inputs.rules).toEqual([
      { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch'] },
    ]);
    const binding = named(
      recorded,
      'full-grafana-clusterrolebinding',
      'kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding',
    );
    expect(binding.inputs).toMatchObject({
      roleRef: { kind: 'ClusterRole', name: role.inputs.metadata.name },
      subjects: [{ kind: 'ServiceAccount', name: 'kube-prometheus-stack-grafana', namespace: 'monitoring' }],
    });
    expect(binding.dependsOn).toContain('full-grafana-clusterrole');
    expect(release('full-kube-prometheus-stack').dependsOn).toContain('full-grafana-clusterrolebinding');
  });

  test('the Grafana admin password is generated and secret', async () => {
    expect(await isSecretOutput(full.grafanaAdminPassword!)).toBe(true);
  });

  test('managed control-plane components are not scraped on EKS', () => {
    expect(kps()).toMatchObject({ kubeControllerManager: { enabled: false }, kubeEtcd: { enabled: false } });
  });

  test('linkerd-viz uses the stack Prometheus instead of its own', () => {
    expect(release('full-linkerd-viz').inputs.values).toMatchObject({
      prometheusUrl: 'http://kube-prometheus-stack-prometheus.monitoring.svc.cluster.local:9090',
      prometheus: { enabled: false },
    });
    expect(kps().prometheus.prometheusSpec.additionalScrapeConfigs[0].job_name).toBe('linkerd-proxy');
  });

  test('prometheus-adapter serves *_total counters as *_per_second custom metrics', () => {
    const rule = release('full-prometheus-adapter').inputs.values.rules.custom[0];
    expect(rule.name).toEqual({ matches: '^(.*)_total$', as: '${1}_per_second' });
    expect(rule.metricsQuery).toContain('rate(<<.Series>>');
  });

  test('neither ingress controller claims the default IngressClass', () => {
    expect(release('full-ingress-nginx').inputs.values.controller.ingressClassResource.default).toBe(false);
    expect(release('full-contour').inputs.values.contour.ingressClass.default).toBe(false);
  });

  test('ingress-nginx refuses snippet annotations', () => {
    expect(release('full-ingress-nginx').inputs.values.controller.allowSnippetAnnotations).toBe(false);
  });

  test('charts ship ServiceMonitors when Prometheus is installed', () => {
    expect(release('full-ingress-nginx').inputs.values.controller.metrics.serviceMonitor.enabled).toBe(true);
    expect(release('small-ingress-nginx').inputs.values.controller.metrics.serviceMonitor.enabled).toBe(false);
  });
});

describe('Linkerd identity', () => {
  const CERTIFICATE = 'kubernetes:cert-manager.io/v1:Certificate';
  const ISSUER = 'kubernetes:cert-manager.io/v1:Issuer';
  const values = () => unsecret(release('full-linkerd-control-plane').inputs.values) as Obj;

  test('the trust anchor is a ten-year self-signed ECDSA P-256 CA for root.linkerd.cluster.local', () => {
    const keys = ofType(recorded, 'tls:index/privateKey:PrivateKey').filter((k) => k.name.startsWith('full-'));
    expect(keys.map((k) => k.inputs)).toEqual([{ algorithm: 'ECDSA', ecdsaCurve: 'P256' }]);
    expect(
      named(recorded, 'full-linkerd-trust-anchor', 'tls:index/selfSignedCert:SelfSignedCert').inputs,
    ).toMatchObject({
      isCaCertificate: true,
      subject: { commonName: 'root.linkerd.cluster.local' },
      allowedUses: ['cert_signing', 'crl_signing'],
      validityPeriodHours: 87600,
    });
  });

  test('no issuer is generated by pulumi up any more (it would only renew when someone runs it)', () => {
    expect(ofType(recorded, 'tls:index/locallySignedCert:LocallySignedCert')).toEqual([]);
  });

  test('the trust anchor is a TLS Secret in linkerd, its key secret, signing through a CA Issuer', () => {
    const secret = named(recorded, 'full-linkerd-trust-anchor', 'kubernetes:core/v1:Secret').inputs;
    expect(secret.metadata).toEqual({ name: 'linkerd-trust-anchor', namespace: 'linkerd' });
    expect(secret.type).toBe('kubernetes.io/tls');
    expect(isSecretValue(secret.stringData)).toBe(true);
    expect(unsecret(secret.stringData)).toEqual({
      'tls.crt': 'CERT(full-linkerd-trust-anchor)',
      'tls.key': 'KEY(full-linkerd-trust-anchor)',
    });
    const issuer = named(recorded, 'full-linkerd-trust-anchor-issuer', ISSUER);
    expect(issuer.inputs.spec).toEqual({ ca: { secretName: 'linkerd-trust-anchor' } });
    expect(issuer.dependsOn).toContain('full-linkerd-trust-anchor');
  });

  test('cert-manager issues the identity issuer for 48 hours and renews it 25 hours before expiry', () => {
    const certificate = named(recorded, 'full-linkerd-identity-issuer-certificate', CERTIFICATE);
    expect(certificate.inputs.metadata).toEqual({ name: 'linkerd-identity-issuer', namespace: 'linkerd' });
    expect(certificate.inputs.spec).toMatchObject({
      secretName: 'linkerd-identity-issuer',
      duration: '48h',
      renewBefore: '25h',
      isCA: true,
      commonName: 'identity.linkerd.cluster.local',
      issuerRef: { name: 'linkerd-trust-anchor', kind: 'Issuer' },
      privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
      usages: ['cert sign', 'crl sign', 'server auth', 'client auth'],
    });
  });

  test('the control plane reads its issuer from that Secret (external CA mode) and gets the anchor', () => {
    expect(values()).toMatchObject({
      cniEnabled: true,
      identityTrustAnchorsPEM: 'CERT(full-linkerd-trust-anchor)',
      identity: { issuer: { scheme: 'kubernetes.io/tls' } },
    });
    expect(values().identity.issuer.tls).toBeUndefined();
    expect(release('full-linkerd-control-plane').dependsOn).toContain('full-linkerd-identity-issuer-certificate');
  });

  test('Linkerd brings cert-manager and installs after it', () => {
    for (const platform of [full, gkeGateway]) {
      expect(platform.installed.indexOf('cert-manager')).toBeGreaterThanOrEqual(0);
      expect(platform.installed.indexOf('cert-manager')).toBeLessThan(platform.installed.indexOf('linkerd'));
    }
    // The control plane waits for its issuer's Certificate, which waits for cert-manager's issuers.
    expect(release('full-linkerd-control-plane').dependsOn).toContain('full-linkerd-identity-issuer-certificate');
    expect(named(recorded, 'full-linkerd-trust-anchor-issuer').dependsOn).toContain(
      'full-clusterissuer-platform-gateway',
    );
  });

  test('cloud stacks get the chart’s high-availability values, generic clusters do not', () => {
    expect(values()).toMatchObject({
      controllerReplicas: 3,
      enablePodDisruptionBudget: true,
      enablePodAntiAffinity: true,
      webhookFailurePolicy: 'Fail',
    });
    const generic = unsecret(release('gkegw-linkerd-control-plane').inputs.values) as Obj;
    expect(generic.controllerReplicas).toBeUndefined();
    expect(generic.webhookFailurePolicy).toBeUndefined();
  });

  test('alerts fire 90 days before the trust anchor expires and when the issuer is not renewed', async () => {
    const rule = named(
      recorded,
      'full-linkerd-certificate-alerts',
      'kubernetes:monitoring.coreos.com/v1:PrometheusRule',
    );
    const rules = rule.inputs.spec.groups[0].rules as { alert: string; expr: string }[];
    const notAfter = Date.parse(TRUST_ANCHOR_NOT_AFTER) / 1000;
    expect(rules.map((r) => r.alert)).toEqual(['LinkerdTrustAnchorExpiring', 'LinkerdIdentityIssuerNotRenewed']);
    expect(rules[0].expr).toBe(`vector(time()) > ${notAfter - 90 * 86400}`);
    expect(rules[1].expr).toContain(
      'certmanager_certificate_expiration_timestamp_seconds{namespace="linkerd",name="linkerd-identity-issuer"}',
    );
    expect(rule.dependsOn).toContain('full-kube-prometheus-stack');
    expect(recorded.some((r) => r.name === 'gkegw-linkerd-certificate-alerts')).toBe(false);
  });

  test('the Linkerd CRDs are applied without a Helm release, and without the Gateway API CRDs', () => {
    expect(recorded.some((r) => r.type === RELEASE && r.name === 'full-linkerd-crds')).toBe(false);
    const file = named(recorded, 'full-crds-linkerd-crds', CONFIG_FILE).inputs.file as string;
    expect(file).toMatch(/addons\/crds\/linkerd-crds-\d+\.\d+\.\d+\.yaml$/);
    expect(readFileSync(file, 'utf8')).not.toMatch(/^ {2}group: gateway\.networking\.k8s\.io$/m);
  });
});

describe('dependency order', () => {
  test('the Linkerd CRDs wait for the Gateway API CRDs', () => {
    expect(named(recorded, 'full-crds-linkerd-crds', CONFIG_FILE).dependsOn).toContain('full-gateway-api');
  });

  test('the Linkerd CRDs do not wait for cert-manager (meshed apps need their scope early, pulumi-kubernetes#3176)', () => {
    const crds = named(recorded, 'full-crds-linkerd-crds', CONFIG_FILE).dependsOn;
    expect(crds).not.toContain('full-clusterissuer-platform-gateway');
    expect(crds).not.toContain('full-kube-prometheus-stack');
    expect(named(recorded, 'full-linkerd-identity-issuer-certificate').dependsOn).toContain(
      'full-clusterissuer-platform-gateway',
    );
  });

  test('the control plane waits for the Linkerd CRDs', () => {
    expect(release('full-linkerd-control-plane').dependsOn).toContain('full-crds-linkerd-crds');
  });

  test.each([
    ['full-contour', 'contour'],
    ['full-kube-prometheus-stack', 'kube-prometheus-stack'],
    ['full-vertical-pod-autoscaler', 'vertical-pod-autoscaler'],
    ['full-keda', 'keda'],
  ])('%s waits for its CRDs, applied as their own resources, and Helm skips them', (name, chart) => {
    expect(release(name).inputs.skipCrds).toBe(true);
    expect(release(name).dependsOn).toContain(`full-crds-${chart}`);
    expect(named(recorded, `full-crds-${chart}`, CONFIG_FILE).inputs.file).toMatch(
      new RegExp(`addons/crds/${chart}-[\\d.]+\\.yaml$`),
    );
  });

  test.each(['full-crds-kube-prometheus-stack', 'full-crds-linkerd-crds', 'full-gateway-api'])(
    '%s is kept in the cluster when it leaves the program, and so is every CRD in it',
    (name) => {
      const group = named(recorded, name, CONFIG_FILE);
      expect(group.retainOnDelete).toBe(true);
      expect(group.transforms).toBe(1);
    },
  );

  test("every CRD of a kept group is retained and applied by the cluster's provider, not the default one", async () => {
    const [transform] = keptCrdOptions({ provider }).transforms ?? [];
    const child = await transform({
      type: 'kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition',
      name: 'servicemonitors.monitoring.coreos.com',
      custom: true,
      props: {},
      opts: {},
    });
    expect(child?.opts).toMatchObject({ retainOnDelete: true, provider });
    expect(child?.opts.protect).toBeUndefined();
  });

  test('KEDA leaves its CRDs to the platform and installs in its restricted namespace', () => {
    expect(release('full-keda').inputs).toMatchObject({
      chart: 'keda',
      version: KEDA_CHART.version,
      namespace: 'keda',
      values: { crds: { install: false } },
    });
    expect(named(recorded, 'full-ns-keda').inputs.metadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'restricted',
    });
  });

  test('Contour leaves its CRDs to the platform', () => {
    expect(release('full-contour').inputs.values.contour.manageCRDs).toBe(false);
  });

  test('a release whose chart has no CRDs applies none', () => {
    expect(release('full-ingress-nginx').inputs.skipCrds).toBe(false);
    expect(recorded.some((r) => r.name === 'full-crds-ingress-nginx')).toBe(false);
  });

  test('linkerd-viz waits for the control plane and Prometheus', () => {
    expect(release('full-linkerd-viz').dependsOn).toEqual(
      expect.arrayContaining(['full-linkerd-control-plane', 'full-kube-prometheus-stack']),
    );
  });

  test('prometheus-adapter waits for kube-prometheus-stack', () => {
    expect(release('full-prometheus-adapter').dependsOn).toContain('full-kube-prometheus-stack');
  });

  test('charts with ServiceMonitors wait for the Prometheus Operator CRDs', () => {
    expect(release('full-ingress-nginx').dependsOn).toContain('full-kube-prometheus-stack');
    expect(release('full-contour').dependsOn).toContain('full-kube-prometheus-stack');
  });

  test('VPA waits for metrics-server, whose metrics its recommender reads', () => {
    expect(release('full-vertical-pod-autoscaler').dependsOn).toContain('full-metrics-server');
  });

  test('the log shipper waits for Loki', () => {
    expect(release('full-alloy').dependsOn).toContain('full-loki');
  });

  test('the installation order puts dependencies first', () => {
    const order = full.installed;
    expect(order.indexOf('gateway-api')).toBeLessThan(order.indexOf('linkerd'));
    expect(order.indexOf('prometheus')).toBeLessThan(order.indexOf('prometheus-adapter'));
  });
});

describe('the platform Gateway', () => {
  const GATEWAY = 'kubernetes:gateway.networking.k8s.io/v1:Gateway';
  const GATEWAY_CLASS = 'kubernetes:gateway.networking.k8s.io/v1:GatewayClass';

  test('with Contour and the Gateway API CRDs, Contour serves a Gateway "platform" in projectcontour', () => {
    const gateway = named(recorded, 'full-gateway', GATEWAY).inputs;
    expect(gateway.metadata).toEqual({ name: 'platform', namespace: 'projectcontour' });
    expect(gateway.spec.gatewayClassName).toBe('contour');
    expect(named(recorded, 'full-gatewayclass', GATEWAY_CLASS).inputs.spec.controllerName).toBe(
      'projectcontour.io/gateway-controller',
    );
  });

  test('Contour is statically provisioned for that Gateway and ignores experimental kinds', () => {
    const values = release('full-contour').inputs.values;
    expect(values.configInline.gateway.gatewayRef).toEqual({ name: 'platform', namespace: 'projectcontour' });
    expect(values.contour.extraArgs).toEqual(['--disable-feature=tlsroutes', '--disable-feature=tcproutes']);
  });

  test('the Gateway waits for the CRDs and Contour', () => {
    expect(named(recorded, 'full-gateway', GATEWAY).dependsOn).toEqual(
      expect.arrayContaining(['full-gateway-api', 'full-contour', 'full-gatewayclass']),
    );
  });

  test('apps using the Gateway API wait for the Gateway itself', () => {
    expect(full.ready['gateway-api']).toBe(full.platformGateway);
  });

  test('when the cluster provides the CRDs they are not applied again, but the Gateway still is', () => {
    expect(recorded.some((r) => r.name === 'gkegw-gateway-api')).toBe(false);
    expect(named(recorded, 'gkegw-gateway', GATEWAY).dependsOn).toContain('gkegw-contour');
    expect(gkeGateway.ready['gateway-api']).toBe(gkeGateway.platformGateway);
  });

  test('Linkerd does not wait for CRDs the cluster provides', () => {
    expect(named(recorded, 'gkegw-crds-linkerd-crds', CONFIG_FILE).dependsOn).not.toContain('gkegw-gateway-api');
  });

  test('provided CRDs without Contour leave nothing to install or wait for', () => {
    expect(gkeCrdsOnly.builtIn).toEqual(['gateway-api']);
    expect(gkeCrdsOnly.ready['gateway-api']).toBeUndefined();
  });

  test('without the Gateway API, Contour is not bound to a Gateway', () => {
    expect(release('gke-contour').inputs.values.configInline).toBeUndefined();
    expect(onGke.platformGateway).toBeUndefined();
  });
});

describe('ingress addresses', () => {
  test('load-balancer addresses are read from the controllers’ Services after the releases', async () => {
    const reads = ofType(recorded, 'kubernetes:core/v1:Service').filter((r) => r.name.startsWith('full-'));
    expect(reads.every((r) => r.read)).toBe(true);
    expect(named(recorded, 'full-contour-lb').dependsOn).toContain('full-contour');
    expect(Object.keys(await valueOf(full.ingressAddresses)).sort()).toEqual(['contour', 'ingress-nginx']);
  });

  test('NodePort controllers report their node ports instead of an address', async () => {
    expect(await valueOf(nodePorts.ingressAddresses)).toEqual({ contour: 'node ports 30080, 30443' });
    expect(release('np-contour').inputs.values.envoy.service.type).toBe('NodePort');
  });
});

describe('the add-ons CRD files', () => {
  test('no CRD is in two files: each has one owner, so server-side apply never sees two managers', () => {
    const owners = new Map<string, string[]>();
    for (const f of readdirSync(ADDON_CRDS_DIR)) {
      for (const doc of parseAllDocuments(readFileSync(join(ADDON_CRDS_DIR, f), 'utf8'))) {
        const name = (doc.toJS() as { metadata: { name: string } }).metadata.name;
        owners.set(name, [...(owners.get(name) ?? []), f]);
      }
    }
    expect(owners.size).toBeGreaterThanOrEqual(readdirSync(ADDON_CRDS_DIR).length);
    expect([...owners].filter(([, files]) => files.length > 1)).toEqual([]);
  });

  test('every applied CRD is kept by Helm and taken over from a release that installed it before', () => {
    const crd = annotateCrd({
      type: 'kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition',
      name: 'x',
      props: { metadata: { name: 'servers.policy.linkerd.io', annotations: { a: 'b' } } },
      opts: {},
    } as unknown as pulumi.ResourceTransformArgs);
    expect(crd?.props.metadata.annotations).toEqual({
      a: 'b',
      'helm.sh/resource-policy': 'keep',
      'pulumi.com/patchForce': 'true',
    });
  });
});
