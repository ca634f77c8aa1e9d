/**
 * The cdk8s app of the reference apps (`app` in `cdk8s.yaml`): synthesizes every one into `charts-out/` with the
 * library's {@link synthesize} (manifests and `index.json`, see `platform/contract.ts`).
 *
 * Usage: `npm run synth [-- --out <dir>] [-- --context key=value ...]` (settings: see `apps/settings.ts`), or
 * `npx cdk8s synth`, which passes the folder as `CDK8S_OUTDIR`.
 */
import { join, resolve } from 'node:path';
import { App } from 'cdk8s';
import type { ChartsIndex } from '../platform';
import { synthesize } from '../platform';
import type { AppBuilder } from './index';
import { REFERENCE_APPS } from './index';
import { contextFromArgs } from './settings';

/** Builds `apps` in one cdk8s app with `context` set, and synthesizes them into `outdir`. */
export function synthesizeApps(
  outdir: string,
  apps: Readonly<Record<string, AppBuilder>> = REFERENCE_APPS,
  context: Readonly<Record<string, string>> = {},
): ChartsIndex {
  const app = new App();
  for (const [key, value] of Object.entries(context)) app.node.setContext(key, value);
  for (const build of Object.values(apps)) build(app);
  return synthesize(app, outdir);
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const outFlag = args.indexOf('--out');
  const defaultDir = process.env.CDK8S_OUTDIR ?? join(__dirname, '..', 'charts-out');
  const outdir = resolve(outFlag >= 0 && args[outFlag + 1] ? args[outFlag + 1] : defaultDir);
  const index = synthesizeApps(outdir, REFERENCE_APPS, contextFromArgs(args));
  console.log(`synthesized ${index.apps.map((a) => a.name).join(', ')} into ${outdir}`);
}
