/**
 * Helm charts as tests see them: a chart archive's default values (with its subcharts' under their names) and
 * values schema, the values keys a release passes that the chart does not define, and `helm template`.
 *
 * Helm ignores keys a chart does not read, so a misspelt or moved value is silently dropped: comparing the leaf
 * paths of the passed values with the chart's own `values.yaml` (and `values.schema.json`) catches that.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { isRecord } from './manifests';

/**
 * What a chart defines: its defaults (subcharts' under their name or alias), its JSON schema if any, and the values
 * its templates read (`.Values.a.b`), some of them as whole maps (`toYaml .Values.a.b`: any key under it is used).
 */
export interface ChartDefinition {
  readonly defaults: Record<string, unknown>;
  readonly schema?: Record<string, unknown>;
  /** Dotted paths the templates read. */
  readonly reads: ReadonlySet<string>;
  /** Dotted paths the templates copy whole into a manifest or config (`toYaml`). */
  readonly maps: ReadonlySet<string>;
}

const VALUES_READ = /\.Values\.([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)/g;
const VALUES_MAP = [
  /toYaml\s+\(?\s*\.Values\.([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)/g,
  /\.Values\.([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)\s*\|\s*toYaml/g,
];

function templateTexts(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const entry of readdirSync(d)) {
      const path = join(d, entry);
      if (statSync(path).isDirectory()) walk(path);
      else out.push(readFileSync(path, 'utf8'));
    }
  };
  if (existsSync(join(dir, 'templates'))) walk(join(dir, 'templates'));
  // Some charts (Loki) template their config inside values.yaml.
  if (existsSync(join(dir, 'values.yaml'))) out.push(readFileSync(join(dir, 'values.yaml'), 'utf8'));
  return out;
}

/** A values path the chart leaves free-form (its own keys are not the chart's), with the reason. */
export interface FreeFormPath {
  /** Dotted path, e.g. `configInline`. */
  readonly path: string;
  /** Why the chart does not define the keys under it. */
  readonly reason: string;
}

/** Where the project's prebuilt tools are (`scripts/cluster/build-tools.sh`): `$K8S_PLATFORM_CACHE/bin`. */
export function toolPath(name: string): string {
  const cache =
    process.env.K8S_PLATFORM_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'k8s-platform');
  return join(cache, 'bin', name);
}

function readYamlRecord(file: string): Record<string, unknown> {
  const parsed: unknown = existsSync(file) ? parse(readFileSync(file, 'utf8')) : {};
  return isRecord(parsed) ? parsed : {};
}

function untar(archive: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'chart-'));
  const result = spawnSync('tar', ['xzf', archive, '-C', dir], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`cannot unpack ${archive}: ${result.stderr}`);
  return dir;
}

/** Reads the chart rooted at `dir`, merging each subchart's defaults under its name or alias. */
function readChartDir(dir: string): ChartDefinition {
  const defaults = readYamlRecord(join(dir, 'values.yaml'));
  const meta = readYamlRecord(join(dir, 'Chart.yaml'));
  const aliases = new Map<string, string>();
  for (const dep of Array.isArray(meta.dependencies) ? meta.dependencies : []) {
    if (isRecord(dep) && typeof dep.name === 'string') aliases.set(dep.name, String(dep.alias ?? dep.name));
  }
  const reads = new Set<string>();
  const maps = new Set<string>();
  for (const text of templateTexts(dir)) {
    for (const m of text.matchAll(VALUES_READ)) reads.add(m[1]);
    for (const pattern of VALUES_MAP) for (const m of text.matchAll(pattern)) maps.add(m[1]);
  }
  const subcharts = join(dir, 'charts');
  if (existsSync(subcharts)) {
    for (const entry of readdirSync(subcharts)) {
      const path = join(subcharts, entry);
      const sub = statSync(path).isDirectory() ? readChartDir(path) : readChartArchive(path);
      const name = String(readYamlRecord(join(path, 'Chart.yaml')).name ?? entry.replace(/-[0-9][^-]*\.tgz$/, ''));
      const key = aliases.get(name) ?? name;
      const own = isRecord(defaults[key]) ? (defaults[key] as Record<string, unknown>) : {};
      defaults[key] = deepMerge(sub.defaults, own);
      sub.reads.forEach((r) => reads.add(`${key}.${r}`));
      sub.maps.forEach((m) => maps.add(`${key}.${m}`));
    }
  }
  const schemaFile = join(dir, 'values.schema.json');
  const schema = existsSync(schemaFile)
    ? (JSON.parse(readFileSync(schemaFile, 'utf8')) as Record<string, unknown>)
    : undefined;
  return { defaults, schema, reads, maps };
}

function readChartArchive(archive: string): ChartDefinition {
  const dir = untar(archive);
  try {
    const [root] = readdirSync(dir);
    return readChartDir(join(dir, root));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The defaults and schema of a chart archive (`.tgz`). */
export function readChart(archive: string): ChartDefinition {
  return readChartArchive(archive);
}

function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    out[k] = isRecord(v) && isRecord(out[k]) ? deepMerge(out[k] as Record<string, unknown>, v) : v;
  }
  return out;
}

/** Leaf paths of a values object: scalars and lists are leaves; `{}` is a leaf too (an explicitly empty map). */
export function leafPaths(values: Record<string, unknown>, prefix: readonly string[] = []): string[][] {
  return Object.entries(values).flatMap(([key, value]) =>
    isRecord(value) && Object.keys(value).length > 0 ? leafPaths(value, [...prefix, key]) : [[...prefix, key]],
  );
}

function schemaHas(schema: Record<string, unknown> | undefined, path: readonly string[]): boolean {
  let node: unknown = schema;
  for (const key of path) {
    const props = isRecord(node) ? node.properties : undefined;
    if (!isRecord(props) || !(key in props)) return false;
    node = props[key];
  }
  return true;
}

/**
 * The leaf paths of `values` the chart does not define: not in its defaults, its schema or its templates' reads,
 * and not under a map the templates copy whole or one of `freeForm`. Returned dotted, sorted.
 */
export function unknownValueKeys(
  values: Record<string, unknown>,
  chart: ChartDefinition,
  freeForm: readonly FreeFormPath[] = [],
): string[] {
  const open = freeForm.map((f) => f.path.split('.'));
  const isOpen = (path: readonly string[]): boolean =>
    open.some((o) => o.length <= path.length && o.every((seg, i) => seg === path[i]));
  const inDefaults = (path: readonly string[]): boolean => {
    let node: unknown = chart.defaults;
    for (const key of path) {
      if (!isRecord(node) || !(key in node)) return false;
      node = node[key];
    }
    return true;
  };
  const underMap = (path: readonly string[]): boolean =>
    path.some((_, i) => i < path.length - 1 && chart.maps.has(path.slice(0, i + 1).join('.')));
  return leafPaths(values)
    .filter(
      (path) =>
        !isOpen(path) &&
        !inDefaults(path) &&
        !schemaHas(chart.schema, path) &&
        !chart.reads.has(path.join('.')) &&
        !underMap(path),
    )
    .map((path) => path.join('.'))
    .sort();
}

/** Result of `helm template`. */
export interface RenderResult {
  readonly ok: boolean;
  /** Rendered manifests (stdout). */
  readonly manifests: string;
  /** Helm's error output. */
  readonly errors: string;
}

/** Renders a chart archive with `values` as `helm template <release> <archive> -n <namespace> -f <values>`. */
export function helmTemplate(
  helm: string,
  release: string,
  archive: string,
  namespace: string,
  values: Record<string, unknown>,
): RenderResult {
  const dir = mkdtempSync(join(tmpdir(), 'values-'));
  try {
    const file = join(dir, 'values.json');
    writeFileSync(file, JSON.stringify(values));
    const result = spawnSync(helm, ['template', release, archive, '--namespace', namespace, '--values', file], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    return {
      ok: result.status === 0,
      manifests: result.stdout ?? '',
      errors: result.stderr || String(result.error ?? ''),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
