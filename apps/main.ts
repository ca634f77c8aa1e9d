/**
 * The cdk8s app: synthesizes every reference app into `charts-out/<app>.k8s.yaml` and writes
 * `charts-out/index.json` (see `platform/contract.ts`).
 *
 * Usage: `npm run synth [-- --out <dir>] [-- --context key=value ...]` (settings: see `apps/settings.ts`).
 */
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { App, YamlOutputType } from 'cdk8s';
import type { ChartsIndex } from '../platform/contract';
import { CHARTS_INDEX_VERSION, manifestDigest } from '../platform/contract';
import type { AppBuilder } from './index';
import { REFERENCE_APPS } from './index';
import { contextFromArgs } from './settings';

/** Extension of every manifest file. */
export const MANIFEST_EXTENSION = '.k8s.yaml';

/**
 * Synthesizes `apps` into `outdir`, removes manifests of apps that no longer exist, and writes `index.json`.
 * @returns the index written
 */
export function synthesize(
  outdir: string,
  apps: Readonly<Record<string, AppBuilder>> = REFERENCE_APPS,
  context: Readonly<Record<string, string>> = {},
): ChartsIndex {
  const app = new App({
    outdir,
    outputFileExtension: MANIFEST_EXTENSION,
    yamlOutputType: YamlOutputType.FILE_PER_CHART,
  });
  for (const [key, value] of Object.entries(context)) app.node.setContext(key, value);
  const charts = Object.values(apps).map((build) => build(app));
  app.synth();
  const files = new Set(charts.map((c) => c.node.id + MANIFEST_EXTENSION));
  for (const stale of readdirSync(outdir).filter((f) => f.endsWith(MANIFEST_EXTENSION) && !files.has(f))) {
    rmSync(join(outdir, stale));
  }
  const index: ChartsIndex = {
    version: CHARTS_INDEX_VERSION,
    apps: charts.map((chart) => {
      const file = chart.node.id + MANIFEST_EXTENSION;
      return chart.indexEntry(file, manifestDigest(readFileSync(join(outdir, file))));
    }),
  };
  writeFileSync(join(outdir, 'index.json'), JSON.stringify(index, null, 2) + '\n');
  return index;
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const outFlag = args.indexOf('--out');
  const outdir = resolve(outFlag >= 0 && args[outFlag + 1] ? args[outFlag + 1] : join(__dirname, '..', 'charts-out'));
  const index = synthesize(outdir, REFERENCE_APPS, contextFromArgs(args));
  console.log(`synthesized ${index.apps.map((a) => a.name).join(', ')} into ${outdir}`);
}
