/**
 * The folder table's import rules (`eslint.config.mjs`, the README's design notes) fail a wrong-way import: each
 * case plants one line in a file of that folder and lints it with the project's own configuration.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

const FORBIDDEN: Array<[string, string]> = [
  ['platform/core/planted.ts', "import type { ServiceProps } from '../workloads/service';"],
  ['platform/core/planted.ts', "import type { RATE_WINDOW } from '../observability/signals';"],
  ['platform/contract.ts', "import type { GraphNode } from './core/graph';"],
  ['platform/observability/planted.ts', "import type { EgressRule } from '../networking/egress';"],
  ['platform/mesh/planted.ts', "import type { PlatformChart } from '../chart';"],
  ['platform/chart.ts', "import type { Service } from './workloads/service';"],
  ['platform/workloads/planted.ts', "import type { AppDeployment } from '../cloud/app-deployment';"],
  ['platform/cloud/planted.ts', "import type { LABEL } from '../core/names';"],
  ['platform/cloud/addons/planted.ts', "import type { GraphNode } from '../../core/graph';"],
  ['platform/cloud/planted.ts', "import { Chart } from 'cdk8s';"],
  ['platform/cloud/planted.ts', "import type { StackConfig } from './stack/config-types';"],
  ['platform/cloud/addons/planted.ts', "import { deployPlatform } from '../stack/platform-program';"],
  ['platform/cloud/stack/planted.ts', "import { Chart } from 'cdk8s';"],
  ['platform/cloud/stack/planted.ts', "import type { LABEL } from '../../core/names';"],
  ['stacks/planted.ts', "import type { Service } from '../platform/workloads/service';"],
  ['stacks/planted.ts', "import type { AppDeployment } from '../platform/cloud/app-deployment';"],
  ['stacks/planted.ts', "import type { Addon } from '../platform/contract';"],
  ['apps/planted.ts', "import { Service } from '../platform/workloads/service';"],
];
const ALLOWED: Array<[string, string]> = [
  ['platform/core/planted.ts', "import type { Addon } from '../contract';"],
  ['platform/workloads/planted.ts', "import type { GraphNode } from '../core/graph';"],
  ['platform/networking/routes.ts', "import type { PlatformChart } from '../chart';"],
  ['platform/cloud/addons/planted.ts', "import type { ChartRef } from '../versions';"],
  ['stacks/planted.ts', "import { stackProgram } from '../platform/cloud/stack';"],
  ['platform/cloud/stack/planted.ts', "import type { AppEntry } from '../../contract';"],
  ['platform/cloud/stack/planted.ts', "import { AppDeployment } from '../app-deployment';"],
  ['apps/planted.ts', "import { Service } from '../platform';"],
];

/**
 * The import-rule messages ESLint gives each planted line, as if it were the file named beside it. ESLint loads
 * its configuration with a dynamic import, which Jest's module sandbox refuses: it runs in a Node process of its own.
 */
function layerErrors(cases: ReadonlyArray<[string, string]>): string[][] {
  const script = `
    const { ESLint } = require('eslint');
    const cases = JSON.parse(process.argv[1]);
    (async () => {
      const eslint = new ESLint({ cwd: process.cwd() });
      const out = [];
      for (const [path, line] of cases) {
        const [r] = await eslint.lintText(line + '\\nexport const planted = 1;\\n', { filePath: path });
        out.push(r.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message));
      }
      process.stdout.write(JSON.stringify(out));
    })();`;
  const r = spawnSync(process.execPath, ['-e', script, JSON.stringify(cases)], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`eslint failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as string[][];
}

test('every wrong-way import is refused, naming the folder table', () => {
  const errors = layerErrors(FORBIDDEN);
  expect(FORBIDDEN.map(([path, line], i) => [path, line, errors[i]])).toEqual(
    FORBIDDEN.map(([path, line]) => [
      path,
      line,
      [expect.stringContaining("the folder table in the README's design notes")],
    ]),
  );
});

test("another package's internals are refused everywhere: its index exports what the platform uses", () => {
  const cases: Array<[string, string]> = [
    ['platform/core/planted.ts', "import { Quantity } from 'cdk8s-plus-27/lib/imports/k8s';"],
    ['platform/workloads/planted.ts', "import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';"],
    ['test/planted.test.ts', "import { Size } from 'cdk8s/lib/size';"],
  ];
  expect(layerErrors(cases)).toEqual(cases.map(() => [expect.stringContaining("Import from the package's index")]));
  expect(layerErrors([['platform/core/planted.ts', "import { k8s } from 'cdk8s-plus-27';"]])).toEqual([[]]);
});

test('the imports the table allows pass', () => {
  const errors = layerErrors(ALLOWED);
  expect(ALLOWED.map(([path, line], i) => [path, line, errors[i]])).toEqual(
    ALLOWED.map(([path, line]) => [path, line, []]),
  );
});
