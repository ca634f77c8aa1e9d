import * as k8s from '@pulumi/kubernetes';
import { CLUSTER_ISSUERS } from '../../platform/contract';
import { installMocks, named, ofType, settle, unsecret } from './harness';
import type { Recorded } from './harness';
import { addonSecretsState } from './fixtures';

const recorded = installMocks(addonSecretsState);

import { PlatformAddons } from '../../platform/cloud/platform-addons';
import { CERT_MANAGER_CHART, LINKERD_CNI_CHART } from '../../platform/cloud/versions';

const provider = new k8s.Provider('test-k8s', {});
new PlatformAddons('tls', {
  provider,
  addons: ['cert-manager', 'gateway-api', 'contour', 'ingress-nginx', 'linkerd', 'prometheus'],
  tls: { mode: 'acme-http01', email: 'ops@example.com' },
  gatewayHosts: [{ host: 'chat.example.com', namespace: 'chat' }],
});
new PlatformAddons('local', { provider, addons: ['cert-manager', 'contour'] });
new PlatformAddons('plain', { provider, addons: ['contour', 'ingress-nginx'] });

beforeAll(() => settle(recorded));

const RELEASE = 'kubernetes:helm.sh/v3:Release';
const ISSUER = 'kubernetes:cert-manager.io/v1:ClusterIssuer';
const release = (name: string): Recorded => named(recorded, name, RELEASE);
const issuers = (prefix: string) =>
  ofType(recorded, ISSUER)
    .filter((r) => r.name.startsWith(`${prefix}-`))
    .map((r) => r.inputs.metadata.name)
    .sort();

describe('the cert-manager add-on', () => {
  test('installs the pinned chart, its CRDs applied by the platform before it', () => {
    expect(release('tls-cert-manager').inputs.skipCrds).toBe(true);
    expect(release('tls-cert-manager').dependsOn).toContain('tls-crds-cert-manager');
    expect(release('tls-cert-manager').inputs).toMatchObject({
      chart: CERT_MANAGER_CHART.chart,
      version: CERT_MANAGER_CHART.version,
      namespace: 'cert-manager',
      values: { crds: { enabled: false } },
    });
  });

  test('watches Gateways when the Gateway API is installed', () => {
    expect(release('tls-cert-manager').inputs.values.config).toMatchObject({ enableGatewayAPI: true });
  });

  test('creates the three platform ClusterIssuers of the configured mode, after the chart', () => {
    expect(issuers('tls')).toEqual(Object.values(CLUSTER_ISSUERS).sort());
    const first = ofType(recorded, ISSUER).find((r) => r.name.startsWith('tls-'));
    expect(first?.dependsOn).toContain('tls-cert-manager');
    expect(first?.inputs.spec.acme.email).toBe('ops@example.com');
  });

  test('without tls config, a local CA signs for the three issuers', () => {
    expect(issuers('local')).toEqual([...Object.values(CLUSTER_ISSUERS), 'platform-selfsigned'].sort());
    expect(named(recorded, 'local-certificate-platform-local-ca').inputs.spec.isCA).toBe(true);
  });
});

describe('the platform Gateway over HTTPS', () => {
  const gateway = () => named(recorded, 'tls-gateway').inputs;

  test('has an HTTPS listener per recorded host, with the certificate Secret cert-manager fills', () => {
    const https = gateway().spec.listeners.filter((l: { protocol: string }) => l.protocol === 'HTTPS');
    expect(https.map((l: { name: string }) => l.name)).toEqual(['https-chat.example.com']);
    expect(https[0].tls.certificateRefs).toEqual([{ kind: 'Secret', name: 'tls-chat-example-com' }]);
  });

  test('is annotated for cert-manager’s gateway-shim with the gateway issuer', () => {
    expect(gateway().metadata.annotations).toEqual({ 'cert-manager.io/cluster-issuer': CLUSTER_ISSUERS.gateway });
  });

  test('the platform redirects plain HTTP for the recorded hosts, after the Gateway exists', () => {
    const redirect = named(recorded, 'tls-https-redirect-chat.example.com');
    expect(redirect.inputs).toMatchObject({
      kind: 'HTTPRoute',
      metadata: { namespace: 'projectcontour' },
      spec: {
        parentRefs: [{ name: 'platform', sectionName: 'http-chat.example.com' }],
        hostnames: ['chat.example.com'],
      },
    });
    expect(redirect.dependsOn).toContain('tls-gateway');
    expect(recorded.some((r) => r.name.startsWith('local-https-redirect'))).toBe(false);
  });
});

describe('the Linkerd CNI plugin', () => {
  test('is installed from the pinned linkerd2-cni chart, before the control plane', () => {
    const cni = release('tls-linkerd2-cni');
    expect(cni.inputs).toMatchObject({
      chart: 'linkerd2-cni',
      version: LINKERD_CNI_CHART.version,
      namespace: 'linkerd-cni',
    });
    expect(release('tls-linkerd-control-plane').dependsOn).toContain('tls-linkerd2-cni');
  });

  test('lets the control plane inject pods without the NET_ADMIN init container', () => {
    expect(unsecret(release('tls-linkerd-control-plane').inputs.values)).toMatchObject({ cniEnabled: true });
  });
});

describe('meshed ingress proxies', () => {
  test('with Linkerd, ingress-nginx and Envoy are meshed, so meshed apps can authorize them by identity', () => {
    expect(release('tls-ingress-nginx').inputs.values.controller.podAnnotations).toEqual({
      'linkerd.io/inject': 'enabled',
    });
    expect(release('tls-contour').inputs.values.envoy.podAnnotations).toEqual({ 'linkerd.io/inject': 'enabled' });
  });

  test('without Linkerd they are left alone', () => {
    expect(release('plain-ingress-nginx').inputs.values.controller.podAnnotations).toBeUndefined();
    expect(release('plain-contour').inputs.values.envoy.podAnnotations).toBeUndefined();
  });
});
