/**
 * An app stack under mocks: the platform stack is read through a StackReference (the mock answers with its
 * outputs), an app it cannot serve is refused before anything of the app is registered, and an app it can serve
 * gets its namespace, Secrets and manifests on the platform's cluster.
 */
import * as pulumi from '@pulumi/pulumi';
import { installMocks, named, ofType, settle, unsecret } from '../cloud/harness';
import { CHAT_SMTP, writeChartsOut } from '../cloud/fixtures';
import type { PlatformExports } from '../../platform/cloud/stack/platform-exports';

/** The outputs of the platform stacks the tests refer to, by stack reference name. */
const PLATFORMS: Record<string, { platform?: Partial<PlatformExports>; kubeconfig?: string }> = {
  'organization/k8s-platform/local': {
    platform: {
      version: 1,
      cloud: 'existing',
      kubeContext: 'kind-dev',
      addons: { 'ingress-nginx': '4.15.1', prometheus: '88.2.0', linkerd: 'built-in', contour: '0.7.0' },
      issuers: {},
      ingressAddresses: {},
      identities: {},
    },
    kubeconfig: 'apiVersion: v1\nkind: Config\n',
  },
  'organization/k8s-platform/bare': {
    platform: { version: 1, cloud: 'existing', addons: { contour: '0.7.0' }, issuers: {}, ingressAddresses: {} },
  },
  'organization/k8s-platform/old': { platform: { version: 0 as 1 } },
  'organization/k8s-platform/empty': {},
};

const recorded = installMocks((args) => {
  if (args.type !== 'pulumi:pulumi:StackReference') return undefined;
  const outputs = PLATFORMS[args.inputs.name as string] ?? {};
  return { outputs, secretOutputNames: outputs.kubeconfig ? ['kubeconfig'] : [] };
});

import { deployApp } from '../../platform/cloud/stack/app-program';
import { parseAppStackConfig } from '../../platform/cloud/stack/app-config';

const { dir } = writeChartsOut();
const config = (platformStack: string, app = 'chat', secrets: Record<string, string> = CHAT_SMTP) =>
  parseAppStackConfig({ platformStack, app, secrets });
const deployed = deployApp(config('organization/k8s-platform/local'), dir);

beforeAll(async () => {
  await deployed;
  await settle(recorded);
});

/** Everything registered whose name starts with a prefix, apart from stack references (reads, not changes). */
const registeredUnder = (prefix: string) =>
  recorded.filter((r) => r.name.startsWith(prefix) && r.type !== 'pulumi:pulumi:StackReference');

describe('an app stack the platform can serve', () => {
  test('its provider is the platform cluster’s: the exported kubeconfig (secret) and context', () => {
    const provider = named(recorded, 'k8s-platform-local-k8s', 'pulumi:providers:kubernetes');
    expect(provider.inputs.context).toBe('kind-dev');
    expect(unsecret(provider.inputs.kubeconfig)).toBe('apiVersion: v1\nkind: Config\n');
  });

  test('the app is named as in the one-stack layout, so that a state move keeps its URNs', async () => {
    const { deployment } = await deployed;
    expect(named(recorded, 'k8s-platform-local-chat', 'platform:cloud:AppDeployment')).toBeDefined();
    expect(named(recorded, 'k8s-platform-local-chat-ns').inputs.metadata.name).toBe('chat');
    expect(deployment.app.name).toBe('chat');
  });

  test('config secret values reach the app Secret as secrets; generated ones are protected', async () => {
    const { deployment } = await deployed;
    expect(await pulumi.isSecret(deployment.secrets.smtp.stringData)).toBe(true);
    expect(named(recorded, 'k8s-platform-local-chat-postgres-credentials-password').protect).toBe(true);
  });

  test('the manifests wait for nothing of the platform: it finished before it exported', () => {
    const group = named(recorded, 'k8s-platform-local-chat', 'kubernetes:yaml/v2:ConfigGroup');
    expect(group.dependsOn.every((d) => d.startsWith('k8s-platform-local-chat-'))).toBe(true);
  });

  test('the objects owning data are protected', () => {
    expect(named(recorded, 'k8s-platform-local-chat-stateful', 'kubernetes:yaml/v2:ConfigGroup').protect).toBe(true);
  });

  test('only this app is deployed', () => {
    expect(ofType(recorded, 'platform:cloud:AppDeployment').map((d) => d.name)).toEqual(['k8s-platform-local-chat']);
  });
});

describe('refusals before anything of the app is registered', () => {
  test('an add-on the platform does not install: named, with the platform key that adds it', async () => {
    await expect(deployApp(config('organization/k8s-platform/bare'), dir)).rejects.toThrow(
      'app "chat" needs the add-ons "ingress-nginx", "prometheus", "linkerd" (charts-out/index.json), which ' +
        "platform stack organization/k8s-platform/bare does not install. Add them to the platform stack's " +
        "k8s-platform:addons and update it: pulumi config set --path 'k8s-platform:addons[<next index>]' " +
        'ingress-nginx --stack organization/k8s-platform/bare',
    );
    await settle(recorded);
    expect(registeredUnder('k8s-platform-bare')).toEqual([]);
  });

  test('a platform stack without the platform output, or of another version', async () => {
    await expect(deployApp(config('organization/k8s-platform/empty'), dir)).rejects.toThrow(
      'platform stack organization/k8s-platform/empty has no output "platform"',
    );
    await expect(deployApp(config('organization/k8s-platform/old'), dir)).rejects.toThrow(
      'exports "platform" version 0; this app stack reads version 1',
    );
  });

  test('stale manifests, before even the platform is read', async () => {
    const before = ofType(recorded, 'pulumi:pulumi:StackReference').length;
    const stale = writeChartsOut({ tamper: true });
    await expect(deployApp(config('organization/k8s-platform/local'), stale.dir)).rejects.toThrow(/is stale/);
    await settle(recorded);
    expect(ofType(recorded, 'pulumi:pulumi:StackReference').length).toBe(before);
  });

  test('a missing secret value, with the command to set it', async () => {
    await expect(deployApp(config('organization/k8s-platform/local', 'chat', {}), dir)).rejects.toThrow(
      `pulumi config set --secret --path 'secrets["chat/smtp/user"]' <value>`,
    );
  });

  test('a secret value no Secret of the app expects (a typo)', async () => {
    const typo = config('organization/k8s-platform/local', 'chat', { ...CHAT_SMTP, 'chat/smpt/user': 'x' });
    await expect(deployApp(typo, dir)).rejects.toThrow(
      'k8s-platform:secrets has values app "chat" does not expect: chat/smpt/user',
    );
  });

  test('an app that is not in charts-out', async () => {
    await expect(deployApp(config('organization/k8s-platform/local', 'meetings', {}), dir)).rejects.toThrow(
      /"meetings" not found in charts-out\/index.json; available: chat, web/,
    );
  });
});
