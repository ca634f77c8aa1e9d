/**
 * The cdk8s app: synthesizes every reference app into `charts-out/<app>.k8s.yaml` and writes
 * `charts-out/index.json` (see `platform/contract.ts`).
 *
 * Usage: `npm run synth [-- --out <dir>] [-- --context key=value ...]` (settings: see `apps/settings.ts`).
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { App } from 'cdk8s';
import type { ChartsIndex } from '../platform/contract';
import { CHARTS_INDEX_VERSION, manifestDigest } from '../platform/contract';
import { ManifestYamlWriter } from '../platform/core/yaml';
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
  const app = new App();
  for (const [key, value] of Object.entries(context)) app.node.setContext(key, value);
  const charts = Object.values(apps).map((build) => build(app));
  // The files `app.synth()` would write (one per chart), with a YAML writer that produces the same bytes faster.
  mkdirSync(outdir, { recursive: true });
  const writer = new ManifestYamlWriter();
  const manifests = charts.map((chart) => {
    const file = chart.node.id + MANIFEST_EXTENSION;
    const yaml = writer.stringify(chart.toJson());
    writeFileSync(join(outdir, file), yaml);
    return { chart, file, digest: manifestDigest(yaml) };
  });
  const files = new Set(manifests.map((m) => m.file));
  for (const stale of readdirSync(outdir).filter((f) => f.endsWith(MANIFEST_EXTENSION) && !files.has(f))) {
    rmSync(join(outdir, stale));
  }
  const index: ChartsIndex = {
    version: CHARTS_INDEX_VERSION,
    apps: manifests.map(({ chart, file, digest }) => chart.indexEntry(file, digest)),
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
