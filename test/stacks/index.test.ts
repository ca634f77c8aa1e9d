/**
 * The entry point of this repository's stacks and the consumer's one-line program, run as the engine runs them:
 * the stack config decides the kind of stack, settings are read under `k8s-platform:` in a project of any name, and
 * a `k8s-platform:*` key the stack does not read stops it.
 */
import * as pulumi from '@pulumi/pulumi';
import { installMocks, settle, valueOf } from '../cloud/harness';
import { CHAT_SMTP, writeChartsOut } from '../cloud/fixtures';
import type { AppOutputs, PlatformOutputs } from '../../platform/cloud/stack';

// A consumer's project: its name is not the config namespace.
const recorded = installMocks(
  (args) =>
    args.type === 'pulumi:pulumi:StackReference'
      ? {
          outputs: {
            platform: {
              version: 1,
              cloud: 'existing',
              addons: { 'ingress-nginx': '4.15.1', prometheus: '88.2.0', linkerd: '2026.8.3' },
              issuers: {},
              ingressAddresses: {},
              identities: {},
            },
          },
          secretOutputNames: [],
        }
      : undefined,
  {},
  'my-app',
);

/** The SDK's resource-references flag of the module registry the last {@link loadProgram} ran in. */
let sdkFlags: { disableResourceReferences?: unknown } = {};

/** Loads the entry point fresh with the given stack config; returns what it exports. */
function loadProgram(config: Record<string, string>): PlatformOutputs | Promise<AppOutputs> {
  pulumi.runtime.setAllConfig(
    config,
    Object.keys(config).filter((k) => k.endsWith(':secrets')),
  );
  let program: PlatformOutputs | Promise<AppOutputs> | undefined;
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the entry point runs on import
    program = require('../../stacks/index');
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the SDK instance the program ran with
    sdkFlags = (require('@pulumi/pulumi') as typeof pulumi).utils as typeof sdkFlags;
  });
  return program!;
}

const { dir } = writeChartsOut();
process.env.K8S_PLATFORM_CHARTS_DIR = dir;
// The programs' own choice of resource references is under test, not the environment's.
delete process.env.PULUMI_DISABLE_RESOURCE_REFERENCES;

describe('the Pulumi entry point', () => {
  test('a platform stack: the cluster and add-ons, and the platform output, in a project of any name', async () => {
    const program = loadProgram({ 'k8s-platform:apps': '["chat"]', 'k8s-platform:existing': '{"context":"kind"}' });
    await settle(recorded);
    const outputs = program as PlatformOutputs;
    expect(outputs.cloud).toBe('existing');
    expect(outputs.apps).toEqual(['chat']);
    expect(outputs.addons).toEqual(expect.arrayContaining(['prometheus', 'linkerd']));
    expect((await valueOf(outputs.platform)).kubeContext).toBe('kind');
    expect(await valueOf(outputs.grafanaUrl!)).toContain('port-forward');
    expect(await pulumi.isSecret(outputs.grafanaAdminPassword!)).toBe(true);
    expect(sdkFlags.disableResourceReferences).toBe(true);
  });

  test('an app stack: the stack that names its platform stack deploys one app', async () => {
    const outputs = await (loadProgram({
      'k8s-platform:platformStack': 'organization/k8s-platform/local',
      'k8s-platform:app': 'chat',
      'k8s-platform:secrets': JSON.stringify(CHAT_SMTP),
    }) as Promise<AppOutputs>);
    await settle(recorded);
    expect(outputs).toEqual({
      app: 'chat',
      namespace: 'chat',
      hosts: ['chat.example.com'],
      platformStack: 'organization/k8s-platform/local',
    });
    expect(recorded.some((r) => r.name === 'my-app-local-chat' && r.type === 'platform:cloud:AppDeployment')).toBe(
      true,
    );
    expect(sdkFlags.disableResourceReferences).toBe(true);
  });

  test('bad config stops the program with the key, the value and what is allowed', () => {
    expect(() => loadProgram({ 'k8s-platform:cloud': 'azure' })).toThrow(
      'k8s-platform:cloud is "azure"; allowed: gke, eks, existing',
    );
  });

  test('an unknown k8s-platform key is an error naming the nearest known key; other namespaces are left alone', () => {
    expect(() => loadProgram({ 'k8s-platform:clod': 'gke', 'my-app:anything': 'x' })).toThrow(
      'k8s-platform:clod is set; unknown setting; did you mean k8s-platform:cloud?',
    );
  });

  test('a key of the other kind of stack says where it belongs', () => {
    expect(() => loadProgram({ 'k8s-platform:secrets': JSON.stringify(CHAT_SMTP) })).toThrow(
      'k8s-platform:secrets is set; belongs to an app stack',
    );
    expect(() =>
      loadProgram({
        'k8s-platform:platformStack': 'organization/k8s-platform/local',
        'k8s-platform:app': 'chat',
        'k8s-platform:addons': '["loki"]',
      }),
    ).toThrow('k8s-platform:addons is set; belongs to the platform stack, not to an app stack');
  });
});
