import * as pulumi from '@pulumi/pulumi';
import { installMocks, settle, valueOf } from '../cloud/harness';
import { CHAT_SMTP, writeChartsOut } from '../cloud/fixtures';
import type * as EntryPoint from '../../stacks/index';

const recorded = installMocks();

/** Loads the Pulumi entry point fresh, with the given stack config. */
function loadProgram(config: Record<string, string>): typeof EntryPoint {
  pulumi.runtime.setAllConfig(
    config,
    Object.keys(config).filter((k) => k.endsWith(':secrets')),
  );
  let program: typeof EntryPoint | undefined;
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the entry point runs on import
    program = require('../../stacks/index');
  });
  return program!;
}

const { dir } = writeChartsOut();
process.env.K8S_PLATFORM_CHARTS_DIR = dir;

describe('the Pulumi entry point', () => {
  test('runs the program with the stack config and exports the outputs', async () => {
    const program = loadProgram({
      'k8s-platform:apps': '["chat"]',
      'k8s-platform:secrets': JSON.stringify(CHAT_SMTP),
    });
    await settle(recorded);
    expect(program.cloud).toBe('existing');
    expect(program.apps).toEqual(['chat']);
    expect(program.addons).toEqual(expect.arrayContaining(['prometheus', 'linkerd']));
    expect(await valueOf(program.grafanaUrl!)).toContain('port-forward');
    expect(await pulumi.isSecret(program.grafanaAdminPassword!)).toBe(true);
  });

  test('bad config stops the program with the key, the value and what is allowed', () => {
    expect(() => loadProgram({ 'k8s-platform:cloud': 'azure' })).toThrow(
      'k8s-platform:cloud is "azure"; allowed: gke, eks, existing',
    );
  });
});
