/**
 * The writer of the `charts-out/` contract: one `<chart>.k8s.yaml` per {@link PlatformChart} of a cdk8s app and the
 * `index.json` that the Pulumi program reads (see `./contract`). A consumer's own app calls it the same way as
 * the reference apps (`apps/main.ts`).
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { App, Chart } from 'cdk8s';
import { PlatformChart } from './chart';
import type { ChartsIndex } from './contract';
import { CHARTS_INDEX_VERSION, INDEX_FILE, MANIFEST_EXTENSION, manifestDigest } from './contract';
import { PlatformValidationError } from './core/errors';
import { ManifestYamlWriter } from './core/yaml';

/** Where {@link synthesize} writes when no folder is given: the cdk8s CLI's `CDK8S_OUTDIR`, else `charts-out`. */
export function defaultOutdir(): string {
  return process.env.CDK8S_OUTDIR ?? 'charts-out';
}

/**
 * Synthesizes every chart of `app` (each must be a {@link PlatformChart}) into `outdir`, removes the manifests of
 * charts that no longer exist, and writes `index.json`. The bytes are the same as cdk8s's `app.synth()` would
 * write, on every run.
 * @param app the cdk8s app holding the charts, in the order they were created
 * @param outdir folder to write; default {@link defaultOutdir}
 * @returns the index written
 * @throws PlatformValidationError when a chart of the app is not a `PlatformChart` (it would have no index entry)
 */
export function synthesize(app: App, outdir: string = defaultOutdir()): ChartsIndex {
  const charts = app.charts.map((chart: Chart): PlatformChart => {
    // Not `instanceof`: cdk8s's Chart answers it for every chart (`Symbol.hasInstance`), so ask the prototype chain.
    if (Object.prototype.isPrototypeOf.call(PlatformChart.prototype, chart)) return chart as PlatformChart;
    throw new PlatformValidationError(
      chart.node.path,
      'chart',
      `is a ${chart.constructor.name}, not a PlatformChart`,
      'create every chart of the app as a PlatformChart (index.json needs its namespace, Secrets and add-ons)',
    );
  });
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
  writeFileSync(join(outdir, INDEX_FILE), JSON.stringify(index, null, 2) + '\n');
  return index;
}
