import * as pulumi from '@pulumi/pulumi';
import { installMocks, named, ofType, settle, valueOf } from '../cloud/harness';
import { CHAT_SMTP, writeChartsOut } from '../cloud/fixtures';
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

import { parseStackConfig, readRawConfig } from '../../stacks/config';
import { deployPlatform, requiredAddons } from '../../stacks/program';

const { dir } = writeChartsOut();
const config = parseStackConfig({
  cloud: 'existing',
  existing: { context: 'kind-dev', metricsServer: 'install-insecure-kubelet-tls' },
  secrets: CHAT_SMTP,
});
const platform = deployPlatform(config, { chartsDir: dir, name: 'local' });

beforeAll(() => settle(recorded));

describe('deploying to an existing cluster', () => {
  test('the provider uses the configured context', () => {
    expect(named(recorded, 'local-k8s').inputs.context).toBe('kind-dev');
  });

  test('every app in charts-out is deployed by default', () => {
    expect(platform.apps).toEqual(['chat', 'web']);
  });

  test('each app is reported with its namespace and hosts', () => {
    expect(platform.appEndpoints.web).toEqual({ namespace: 'web', hosts: ['web.example.com'] });
  });

  test('the add-ons are those the apps need, plus Linkerd for the meshed app and cert-manager for its issuer', () => {
    expect([...platform.installedAddons].sort()).toEqual(
      ['cert-manager', 'contour', 'gateway-api', 'ingress-nginx', 'linkerd', 'prometheus'].sort(),
    );
  });

  test('metrics-server is installed with insecure kubelet TLS when asked', () => {
    expect(named(recorded, 'local-addons-metrics-server').inputs.values.args).toEqual(['--kubelet-insecure-tls']);
  });

  test('apps wait for the add-on releases they use', () => {
    expect(named(recorded, 'local-chat', 'kubernetes:yaml/v2:ConfigGroup').dependsOn).toEqual(
      expect.arrayContaining([
        'local-addons-ingress-nginx',
        'local-addons-kube-prometheus-stack',
        'local-addons-linkerd-control-plane',
      ]),
    );
  });

  test('config secret values reach the app Secret as secrets', async () => {
    const secret = platform.deployments[0].secrets.smtp;
    expect(await pulumi.isSecret(secret.stringData)).toBe(true);
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

  test('every app ConfigGroup is parented to its AppDeployment', () => {
    ofType(recorded, 'kubernetes:yaml/v2:ConfigGroup').forEach((g) => expect(g.parent).toMatch(/^local-(chat|web)$/));
  });
});

describe('refusals before anything is created', () => {
  test('stale charts-out is refused with npm run synth', () => {
    const stale = writeChartsOut({ tamper: true });
    expect(() => deployPlatform(config, { chartsDir: stale.dir, name: 'stale' })).toThrow(/is stale.*npm run synth/);
    expect(recorded.some((r) => r.name.startsWith('stale'))).toBe(false);
  });

  test('a missing config secret is refused with the command to set it', () => {
    const noSecrets = parseStackConfig({});
    expect(() => deployPlatform(noSecrets, { chartsDir: dir, name: 'nosecret' })).toThrow(
      `pulumi config set --secret --path 'secrets["chat/smtp/user"]' <value>`,
    );
    expect(recorded.some((r) => r.name.startsWith('nosecret'))).toBe(false);
  });

  test('a config secret matching no app Secret is refused as a likely typo', () => {
    const typo = parseStackConfig({ secrets: { ...CHAT_SMTP, 'chat/smpt/user': 'x' } });
    expect(() => deployPlatform(typo, { chartsDir: dir, name: 'typo' })).toThrow(
      'k8s-platform:secrets has values no app in charts-out/index.json expects: chat/smpt/user',
    );
  });

  test('more HTTPS hosts than the platform Gateway has listeners for are refused, naming the way out', () => {
    const hosts = Array.from({ length: GATEWAY_HTTPS_HOSTS_MAX + 1 }, (_, i) => `h${i}.example.com`);
    const crowded = writeChartsOut({ chat: { gatewayHttpsHosts: hosts, addons: ['gateway-api'] } });
    expect(() => deployPlatform(config, { chartsDir: crowded.dir, name: 'crowded' })).toThrow(
      'gateway routes: 63 HTTPS hosts (apps in chat) need a listener each on the platform Gateway, which has room ' +
        'for 62 (the Gateway API allows 64 listeners per Gateway); serve some of them via "contour" or "nginx"',
    );
    expect(recorded.some((r) => r.name.startsWith('crowded'))).toBe(false);
    const full = writeChartsOut({ chat: { gatewayHttpsHosts: hosts.slice(1), addons: ['gateway-api'] } });
    expect(() => deployPlatform(config, { chartsDir: full.dir, name: 'full' })).not.toThrow();
  });

  test('selecting an app that is not in charts-out is refused', () => {
    const unknown = parseStackConfig({ apps: ['meetings'] });
    expect(() => deployPlatform(unknown, { chartsDir: dir, name: 'unknown' })).toThrow(/"meetings" not found/);
  });
});

describe('choosing add-ons', () => {
  test('apps attaching routes to the platform Gateway bring Contour, which serves it', () => {
    const app = { ...platform.deployments[1].app, addons: ['gateway-api' as const] };
    expect(requiredAddons(parseStackConfig({}), [app])).toEqual(['gateway-api', 'contour']);
  });

  test('a meshed app brings Linkerd even if it does not list it', () => {
    const app = { ...platform.deployments[1].app, addons: [], meshed: true };
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
