import * as pulumi from '@pulumi/pulumi';
import { installMocks, named, ofType, settle, valueOf } from '../cloud/harness';
import { writeChartsOut } from '../cloud/fixtures';
import { CONTOUR_CHART, LINKERD_CONTROL_PLANE_CHART } from '../../platform/cloud/versions';
import { GATEWAY_HTTPS_HOSTS_MAX } from '../../platform/contract';

// An existing-cluster stack must never load the cloud SDKs (about a second each): loading one fails the test.
jest.mock('@pulumi/aws', () => {
  throw new Error('@pulumi/aws was loaded by an existing-cluster stack');
});
jest.mock('@pulumi/gcp', () => {
  throw new Error('@pulumi/gcp was loaded by an existing-cluster stack');
});

const recorded = installMocks((args) =>
  args.type === 'kubernetes:core/v1:Service'
    ? { status: { loadBalancer: { ingress: [{ hostname: 'lb.example.net' }] } } }
    : undefined,
);

import { parseStackConfig, readRawConfig } from '../../platform/cloud/stack/config';
import { deployPlatform, requiredAddons } from '../../platform/cloud/stack/platform-program';

const { dir, index } = writeChartsOut();
const config = parseStackConfig({
  cloud: 'existing',
  existing: { context: 'kind-dev', metricsServer: 'install-insecure-kubelet-tls' },
  gatewayHttpsHosts: [{ host: 'shop.example.com', namespace: 'shop' }],
});
const platform = deployPlatform(config, { chartsDir: dir, name: 'local' });

beforeAll(() => settle(recorded));

describe('deploying to an existing cluster', () => {
  test('the provider uses the configured context', () => {
    expect(named(recorded, 'local-k8s').inputs.context).toBe('kind-dev');
  });

  test('every app in charts-out is served by default', () => {
    expect(platform.apps).toEqual(['chat', 'web']);
  });

  test('the platform stack registers no app: each app is its own stack', () => {
    expect(ofType(recorded, 'platform:cloud:AppDeployment')).toEqual([]);
    expect(ofType(recorded, 'kubernetes:yaml/v2:ConfigGroup').map((g) => g.name)).not.toContain('local-chat');
  });

  test('app stacks get the add-ons with their versions, the issuers, the Gateway and the context', async () => {
    const exports = await valueOf(platform.exports);
    expect(exports).toMatchObject({
      version: 1,
      cloud: 'existing',
      kubeContext: 'kind-dev',
      addons: { linkerd: LINKERD_CONTROL_PLANE_CHART.version, contour: CONTOUR_CHART.version },
      ingressAddresses: { contour: 'lb.example.net', 'ingress-nginx': 'lb.example.net' },
      identities: {},
    });
    expect(Object.keys(exports.addons).sort()).toEqual([...platform.installedAddons].sort());
  });

  test('the add-ons are those the apps need, plus Linkerd for the meshed app and cert-manager for its issuer', () => {
    expect([...platform.installedAddons].sort()).toEqual(
      ['cert-manager', 'contour', 'gateway-api', 'ingress-nginx', 'linkerd', 'prometheus'].sort(),
    );
  });

  test('metrics-server is installed with insecure kubelet TLS when asked', () => {
    expect(named(recorded, 'local-addons-metrics-server').inputs.values.args).toEqual(['--kubelet-insecure-tls']);
  });

  test('ingress addresses are exported per controller', async () => {
    expect(await valueOf(platform.ingressAddresses)).toEqual({
      contour: 'lb.example.net',
      'ingress-nginx': 'lb.example.net',
    });
  });

  test('the Grafana URL explains the port-forward when no domain is set', async () => {
    expect(await valueOf(platform.grafanaUrl!)).toContain(
      'kubectl -n monitoring port-forward svc/kube-prometheus-stack-grafana',
    );
  });

  test('an existing cluster without kubeconfig exports none', () => {
    expect(platform.kubeconfig).toBeUndefined();
  });
});

describe('refusals before anything is created', () => {
  test('more hosts (apps and gatewayHttpsHosts) than the Gateway has listeners for are refused', () => {
    const hosts = Array.from({ length: GATEWAY_HTTPS_HOSTS_MAX + 1 }, (_, i) => `h${i}.example.com`);
    const crowded = writeChartsOut({ chat: { gatewayHttpsHosts: hosts, addons: ['gateway-api'] } });
    expect(() => deployPlatform(config, { chartsDir: crowded.dir, name: 'crowded' })).toThrow(
      'gateway routes: the hosts of apps in chat, shop need 66 listeners on the platform Gateway (two per HTTPS ' +
        'host, one per plain-HTTP host), which has room for 63 (the Gateway API allows 64 per Gateway); serve some ' +
        'of them via "contour" or "nginx"',
    );
    expect(recorded.some((r) => r.name.startsWith('crowded'))).toBe(false);
    const full = writeChartsOut({ chat: { gatewayHttpsHosts: hosts.slice(2), addons: ['gateway-api'] } });
    expect(() => deployPlatform(config, { chartsDir: full.dir, name: 'full' })).not.toThrow();
  });

  test('selecting an app that is not in charts-out is refused', () => {
    const unknown = parseStackConfig({ apps: ['meetings'] });
    expect(() => deployPlatform(unknown, { chartsDir: dir, name: 'unknown' })).toThrow(/"meetings" not found/);
  });
});

describe('choosing add-ons', () => {
  test('apps attaching routes to the platform Gateway bring Contour, which serves it', () => {
    const app = { ...index.apps[1], addons: ['gateway-api' as const] };
    expect(requiredAddons(parseStackConfig({}), [app])).toEqual(['gateway-api', 'contour']);
  });

  test('a meshed app brings Linkerd even if it does not list it', () => {
    const app = { ...index.apps[1], addons: [], meshed: true };
    expect(requiredAddons(parseStackConfig({ addons: ['vpa'] }), [app])).toEqual(['vpa', 'linkerd']);
  });
});

describe('reading the stack config', () => {
  test('config keys are read from the k8s-platform namespace and validated', () => {
    pulumi.runtime.setAllConfig({
      'k8s-platform:cloud': 'eks',
      'k8s-platform:region': 'eu-west-1',
      'k8s-platform:zones': '["eu-west-1a","eu-west-1b"]',
      'k8s-platform:nodes': '{"min":2,"max":4}',
      'k8s-platform:eks': '{"publicAccessCidrs":["203.0.113.7/32"]}',
      'aws:region': 'eu-west-1',
    });
    const raw = readRawConfig(new pulumi.Config('k8s-platform'), new pulumi.Config('aws'), new pulumi.Config('gcp'));
    expect(parseStackConfig(raw)).toMatchObject({
      cloud: 'eks',
      zones: ['eu-west-1a', 'eu-west-1b'],
      nodes: { min: 2, max: 4 },
    });
  });
});
