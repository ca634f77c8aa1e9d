/**
 * `npm run crds:addons [-- --check]`: renders the CRDs of every pinned chart from ../shared/charts with helm and
 * writes them, their schemas without descriptions, to platform/cloud/addons/crds/<chart>-<version>.yaml (only
 * charts that have CRDs get a file).
 * With --check, writes nothing and exits 1 when a committed file differs or is missing or stale.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { parseAllDocuments, stringify } from 'yaml';
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
  spec?: { group?: string; versions?: { schema?: { openAPIV3Schema?: unknown } }[] };
}

/** Keywords of a JSON schema whose value is a map of field names to schemas. */
const SCHEMA_MAPS = ['properties', 'patternProperties', 'definitions', 'dependencies'];
/** Keywords whose value is a schema or a list of schemas. */
const SCHEMA_VALUES = ['items', 'additionalProperties', 'not', 'allOf', 'anyOf', 'oneOf', 'additionalItems'];

/**
 * A CRD schema without its `description` keywords (a field *named* `description` stays). Why: the platform stack
 * keeps every CRD it applies in its state three times (inputs, the provider's copy of them, the live object); the
 * descriptions were 73 % of that state, which every app stack's `StackReference` reads and decrypts on every
 * update. The cost: `kubectl explain` shows these kinds' fields without their documentation (the upstream
 * reference has it). The Prometheus Operator publishes such stripped CRDs for the same reason.
 */
export function stripSchemaDescriptions(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(stripSchemaDescriptions);
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'description') continue;
    if (SCHEMA_MAPS.includes(key) && typeof value === 'object' && value !== null && !Array.isArray(value)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, stripSchemaDescriptions(v)]));
    } else if (SCHEMA_VALUES.includes(key)) {
      out[key] = stripSchemaDescriptions(value);
    } else {
      out[key] = value;
    }
  }
  return out;
}

/** A CRD with {@link stripSchemaDescriptions} applied to the schema of each version. */
export function withoutDescriptions(crd: Crd): Crd {
  const versions = crd.spec?.versions?.map((v) =>
    v.schema?.openAPIV3Schema === undefined
      ? v
      : { ...v, schema: { ...v.schema, openAPIV3Schema: stripSchemaDescriptions(v.schema.openAPIV3Schema) } },
  );
  return versions === undefined ? crd : { ...crd, spec: { ...crd.spec, versions } };
}

/**
 * The CRDs of a chart archive (less those of groups another chart owns: {@link CRD_OWNERS}), sorted by name, as one
 * YAML stream: those of its (and its subcharts') `crds/` folders, plus the templated ones of {@link TEMPLATED_CRDS};
 * their schemas without descriptions ({@link stripSchemaDescriptions}).
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
    // YAML 1.1, as the Kubernetes tools read it (an unquoted `Off` is false there).
    .map((text) => ({ text, value: parseAllDocuments(text, { version: '1.1' })[0]?.toJS() as Crd | null }))
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
  const yaml = docs.map((d) => yaml11(withoutDescriptions(d.value)));
  return yaml.length === 0 ? '' : `${yaml.join('\n---\n')}\n`;
}

/**
 * A CRD as YAML that reads the same in YAML 1.1 (Go's YAML library, used by the provider and kubectl) and 1.2:
 * strings such as `Off` or `yes` are quoted. Throws if a value would still read differently.
 */
export function yaml11(crd: Crd): string {
  const text = stringify(crd, { version: '1.1', lineWidth: 0 }).trimEnd();
  for (const version of ['1.1', '1.2'] as const) {
    if (!isDeepStrictEqual(parseAllDocuments(text, { version })[0]?.toJS(), crd)) {
      throw new Error(`CRD ${crd.metadata?.name}: its YAML reads differently in YAML ${version}`);
    }
  }
  return text;
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
