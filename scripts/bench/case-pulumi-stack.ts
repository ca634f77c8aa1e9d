/**
 * Bench case: the Pulumi programs building the whole platform under mocks: the EKS platform stack of the committed
 * `eks-dev` stack file with every add-on, and every app of `charts-out/` as its app stack would (one process here),
 * until every resource is registered.
 *
 * Usage: `ts-node --swc scripts/bench/case-pulumi-stack.ts`
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { parse } from 'yaml';
import { ADDONS } from '../../platform/contract';
import type * as ConfigModule from '../../platform/cloud/stack/config';
import type * as ProgramModule from '../../platform/cloud/stack/platform-program';
import type * as AppDeploymentModule from '../../platform/cloud/app-deployment';
import type * as ChartsIndexModule from '../../platform/cloud/charts-index';
import { report, sinceStart } from './case-output';

const ROOT = join(__dirname, '..', '..');
const CHARTS_DIR = join(ROOT, 'charts-out');
const STACK_FILE = join(ROOT, 'stacks', 'Pulumi.eks-dev.yaml');
const PROJECT = 'k8s-platform';

let registered = 0;
pulumi.runtime.setMocks(
  {
    newResource: (args) => {
      registered++;
      // What the cloud would return: the EKS cluster's endpoint and OIDC issuer, ARNs and names; what the tls
      // provider would: a certificate's end of validity (its creation time plus its validity period).
      const state =
        args.type === 'aws:eks/cluster:Cluster'
          ? {
              endpoint: 'https://bench.eks.amazonaws.com',
              certificateAuthority: { data: 'Q0E=' },
              identities: [{ oidcs: [{ issuer: 'https://oidc.eks.eu-west-1.amazonaws.com/id/BENCH' }] }],
            }
          : args.type === 'tls:index/selfSignedCert:SelfSignedCert'
            ? {
                validityEndTime: new Date(
                  Date.now() + Number(args.inputs.validityPeriodHours) * 3600_000,
                ).toISOString(),
              }
            : { arn: `arn:aws:mock:::${args.name}`, name: args.inputs.name ?? args.name };
      return { id: `${args.name}-id`, state: { ...args.inputs, ...state } };
    },
    call: () => ({}),
  },
  PROJECT,
  'eks-dev',
  false,
);
// The mock monitor serves no callbacks: accept resource transforms (the app ConfigGroups register one) unserved.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- internal module, no public accessor
const store = require('@pulumi/pulumi/runtime/state').getStore();
store.supportsTransforms = true;
store.callbacks = {
  awaitStackRegistrations: async () => undefined,
  shutdown: () => undefined,
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- internal module, no public accessor
  registerTransform: async () => new (require('@pulumi/pulumi/proto/callback_pb').Callback)(),
};

// Loaded after the mocks are set, as the Pulumi engine would run the program.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parseStackConfig } = require('../../platform/cloud/stack/config') as typeof ConfigModule;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { deployPlatform } = require('../../platform/cloud/stack/platform-program') as typeof ProgramModule;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { AppDeployment } = require('../../platform/cloud/app-deployment') as typeof AppDeploymentModule;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { readChartsIndex } = require('../../platform/cloud/charts-index') as typeof ChartsIndexModule;
const loaded = sinceStart();

const stack = (parse(readFileSync(STACK_FILE, 'utf8')) as { config: Record<string, unknown> }).config;
const raw = Object.fromEntries(
  Object.entries(stack)
    .filter(([key]) => key.startsWith(`${PROJECT}:`))
    .map(([key, value]) => [key.slice(PROJECT.length + 1), value]),
);
const index = readChartsIndex(CHARTS_DIR);
// Values for the Secrets a user supplies through stack config (generated ones come from @pulumi/random).
const secrets = Object.fromEntries(
  index.apps.flatMap((app) =>
    app.secrets
      .filter((s) => !s.generate)
      .flatMap((s) => s.keys.map((key) => [`${app.name}/${s.name}/${key}`, `bench-${key}`])),
  ),
);
// The stack file leaves the API endpoint's CIDRs to each developer (the stack refuses to run without them): a
// documentation address stands in.
const eks = { publicAccessCidrs: ['203.0.113.7/32'], ...(raw.eks as Record<string, unknown> | undefined) };
const config = parseStackConfig({ ...raw, eks, awsRegion: stack['aws:region'], addons: [...ADDONS] });
const platform = deployPlatform(config, { chartsDir: CHARTS_DIR, name: 'bench' });
for (const app of index.apps) {
  new AppDeployment(`bench-${app.name}`, {
    provider: platform.cluster.provider,
    chartsDir: CHARTS_DIR,
    index,
    app: app.name,
    secretValues: Object.fromEntries(Object.entries(secrets).filter(([key]) => key.startsWith(`${app.name}/`))),
    addons: {},
    builtInAddons: [...ADDONS],
  });
}
const built = sinceStart();

pulumi.runtime.disconnect().then(() => {
  report({ phases: { load: loaded, build: built, registered: sinceStart() }, objects: registered });
});
