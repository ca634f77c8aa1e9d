/**
 * `npm run crds:addons [-- --check]`: renders the CRDs of every pinned chart from ../shared/charts with helm and
 * writes them to platform/cloud/addons/crds/<chart>-<version>.yaml (only charts that have CRDs get a file).
 * With --check, writes nothing and exits 1 when a committed file differs or is missing or stale.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ADDON_CRDS_DIR, addonCrdFileName, CRD_OWNERS, TEMPLATED_CRDS } from '../platform/cloud/addons/crds';
import { chartArchiveName } from '../platform/cloud/addons/chart-source';
import * as versions from '../platform/cloud/versions';
import type { ChartRef } from '../platform/cloud/versions';
import { sharedDir } from './lib/crds';

/** Every pinned chart of versions.ts. */
export function pinnedCharts(): ChartRef[] {
  return Object.values(versions).filter(
    (v): v is ChartRef => typeof v === 'object' && v !== null && 'chart' in v && 'repo' in v,
  );
}

interface Crd {
  kind?: string;
  metadata?: { name?: string };
  spec?: { group?: string };
}

/**
 * The CRDs of a chart archive (less those of groups another chart owns: {@link CRD_OWNERS}), sorted by name, as one YAML stream: those of its (and its subcharts') `crds/`
 * folders, plus the templated ones of {@link TEMPLATED_CRDS}.
 */
export function renderChartCrds(archive: string, chart: string, helm = 'helm'): string {
  const run = (args: string[]): string => execFileSync(helm, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
  let out = run(['show', 'crds', archive]);
  const templated = TEMPLATED_CRDS[chart];
  if (templated) {
    const sets = Object.entries(templated.set).flatMap(([k, v]) => ['--set', `${k}=${v}`]);
    const only = (templated.templates ?? []).flatMap((t) => ['--show-only', t]);
    out += `\n---\n${run(['template', 'crds', archive, '--namespace', templated.namespace, ...sets, ...only])}`;
  }
  const docs = out
    .split(/^---\s*$/m)
    // `helm show crds` concatenates files as they are: one without a leading `---` runs into the one before.
    .flatMap((chunk) => chunk.split(/^(?=apiVersion: )/m))
    .map((d) => d.replace(/^# Source: .*$/gm, '').trim())
    .filter((d) => d.length > 0)
    .map((text) => ({ text, value: parseAllDocuments(text)[0]?.toJS() as Crd | null }))
    .filter((d): d is { text: string; value: Crd } => d.value?.kind === 'CustomResourceDefinition')
    .filter(
      (d) => (CRD_OWNERS[d.value.metadata?.name ?? ''] ?? CRD_OWNERS[d.value.spec?.group ?? ''] ?? chart) === chart,
    )
    // Subcharts may ship the same CRD, in an order helm does not fix: sort by name then text, keep one per name.
    .sort(
      (a, b) =>
        String(a.value.metadata?.name).localeCompare(String(b.value.metadata?.name)) || a.text.localeCompare(b.text),
    )
    .filter((d, i, all) => i === 0 || all[i - 1].value.metadata?.name !== d.value.metadata?.name);
  return docs.length === 0 ? '' : `${docs.map((d) => d.text).join('\n---\n')}\n`;
}

/** What the crds directory must hold: file name → content. */
export function expectedCrdFiles(chartsDir: string, helm = 'helm'): Map<string, string> {
  const files = new Map<string, string>();
  for (const chart of pinnedCharts()) {
    const archive = join(chartsDir, chartArchiveName(chart));
    if (!existsSync(archive)) throw new Error(`${archive} is missing: the pinned ${chart.chart} chart`);
    const text = renderChartCrds(archive, chart.chart, helm);
    if (text) files.set(addonCrdFileName(chart), text);
  }
  return files;
}

function main(): number {
  const check = process.argv.includes('--check');
  const expected = expectedCrdFiles(join(sharedDir(), 'charts'));
  const present = readdirSync(ADDON_CRDS_DIR).filter((f) => f.endsWith('.yaml'));
  const stale = [
    ...present.filter((f) => !expected.has(f)),
    ...[...expected]
      .filter(([f, text]) => !present.includes(f) || readFileSync(join(ADDON_CRDS_DIR, f), 'utf8') !== text)
      .map(([f]) => f),
  ];
  if (check) {
    if (stale.length > 0)
      process.stderr.write(`add-on CRDs out of date: ${stale.join(', ')}; run npm run crds:addons\n`);
    return stale.length > 0 ? 1 : 0;
  }
  for (const f of present.filter((f) => !expected.has(f))) rmSync(join(ADDON_CRDS_DIR, f));
  for (const [f, text] of expected) writeFileSync(join(ADDON_CRDS_DIR, f), text);
  process.stdout.write(`${expected.size} charts with CRDs: ${[...expected.keys()].join(', ')}\n`);
  return 0;
}

if (require.main === module) process.exitCode = main();
