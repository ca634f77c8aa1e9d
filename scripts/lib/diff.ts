/**
 * Object-by-object comparison of two sets of manifests. Objects are matched by apiVersion, kind, namespace and
 * name; a changed object is described field by field (`spec.template.spec.containers[0].image: "a" → "b"`), list
 * entries matched by identity (see `diffValues`), and a NetworkPolicy's added or removed rules also in words
 * (`+ allow orders → cache:6379`).
 */
import { stringify } from 'yaml';
import { INDEX_FILE, isRecord, MANIFEST_EXTENSION, objectKey, objectRef, parseManifests } from './manifests';
import type { KubeObject, ManifestObject, ManifestTexts, ParseProblem } from './manifests';
import { canonicalJson, networkPolicyRuleChanges } from './policy-rules';

/** One field-level difference. */
export interface FieldChange {
  /** `+` added, `-` removed, `~` changed. */
  readonly op: '+' | '-' | '~';
  /** Dotted path (`spec.template.spec.containers[0].image`, `metadata.labels["app.kubernetes.io/name"]`). */
  readonly path: string;
  readonly before?: unknown;
  readonly after?: unknown;
}

/** One object that differs between the two sets. */
export interface ObjectChange {
  readonly status: 'added' | 'removed' | 'changed';
  /** `Kind/namespace/name`. */
  readonly ref: string;
  readonly apiVersion: string;
  /** File the object is in (the new file for added/changed objects, the old one for removed objects). */
  readonly file: string;
  readonly before?: KubeObject;
  readonly after?: KubeObject;
  /** Field-level changes (changed objects only). */
  readonly fields: readonly FieldChange[];
  /** NetworkPolicy rules added or removed, in words: `+ allow orders → cache:6379` (changed objects only). */
  readonly rules?: readonly string[];
}

/** Everything that differs between two sets of manifests. */
export interface ManifestsDiff {
  readonly objects: readonly ObjectChange[];
  /** Field changes of `index.json` (empty when equal or absent on both sides). */
  readonly index: readonly FieldChange[];
  /** Files whose bytes differ while every object in them is equal (formatting or order only). */
  readonly reformatted: readonly string[];
  /** Documents that could not be parsed, on either side. */
  readonly problems: readonly ParseProblem[];
  /** Objects that appear twice on one side (same apiVersion, kind, namespace and name). */
  readonly duplicates: readonly string[];
  readonly unchanged: number;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

function childPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  if (IDENTIFIER.test(key)) return path ? `${path}.${key}` : key;
  return `${path}[${JSON.stringify(key)}]`;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isRecord(a) && isRecord(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && deepEqual(a[k], b[k]));
  }
  return false;
}

/** Leaf paths of a value, for added or removed subtrees. */
function leaves(value: unknown, path: string, op: '+' | '-'): FieldChange[] {
  const entries: [string | number, unknown][] = Array.isArray(value)
    ? value.map((v, i) => [i, v])
    : isRecord(value)
      ? Object.entries(value)
      : [];
  if (entries.length === 0) return [op === '+' ? { op, path, after: value } : { op, path, before: value }];
  return entries.flatMap(([k, v]) => leaves(v, childPath(path, k), op));
}

function namesOf(items: readonly unknown[]): string[] | undefined {
  const names = items.map((i) => (isRecord(i) && typeof i.name === 'string' ? i.name : undefined));
  if (names.some((n) => n === undefined) || new Set(names).size !== names.length) return undefined;
  return names as string[];
}

function parseJsonDocument(text: string): unknown {
  if (!/^\s*[[{]/.test(text)) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** One step of aligning two sequences: an item kept (`=`), removed (`-`, index in `x`) or inserted (`+`, in `y`). */
type Step = { op: '=' | '-' | '+'; i: number; j: number };

/**
 * Aligns two sequences by their longest common subsequence of equal keys; `undefined` when too big for the
 * quadratic table.
 */
function align(x: readonly string[], y: readonly string[]): Step[] | undefined {
  const n = x.length;
  const m = y.length;
  if (n * m > 4_000_000) return undefined;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i][j] = x[i] === y[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  const steps: Step[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && x[i] === y[j]) steps.push({ op: '=', i: i++, j: j++ });
    else if (i < n && (j >= m || lcs[i + 1][j] >= lcs[i][j + 1])) steps.push({ op: '-', i: i++, j });
    else steps.push({ op: '+', i, j: j++ });
  }
  return steps;
}

/** Line-level diff of two texts (longest common subsequence), as `+`/`-` changes on `path` with line numbers. */
function diffLines(a: string, b: string, path: string): FieldChange[] {
  const x = a.split('\n');
  const y = b.split('\n');
  const steps = align(x, y);
  // Too big for a quadratic line diff; say how big the change is instead.
  if (!steps) return [{ op: '~', path, before: `(${x.length} lines)`, after: `(${y.length} lines)` }];
  return steps.flatMap((s): FieldChange[] => {
    if (s.op === '-') return [{ op: '-', path: `${path} line ${s.i + 1}`, before: x[s.i] }];
    if (s.op === '+') return [{ op: '+', path: `${path} line ${s.j + 1}`, after: y[s.j] }];
    return [];
  });
}

/**
 * Differences between two lists of unnamed items (NetworkPolicy rules and their peers and ports, ...), each item
 * identified by its whole value: equal items are matched wherever they moved, so an inserted rule reads as one
 * insertion. Between two matched items, removed and inserted items pair up in order as items changed in place
 * (compared field by field, as a moved dashboard panel is); the unpaired rest are removals or insertions.
 */
function diffUnnamed(before: readonly unknown[], after: readonly unknown[], path: string): FieldChange[] {
  const steps = align(before.map(canonicalJson), after.map(canonicalJson));
  if (!steps) return diffByPosition(before, after, path);
  const out: FieldChange[] = [];
  let removed: number[] = [];
  let inserted: number[] = [];
  const flush = () => {
    const paired = Math.min(removed.length, inserted.length);
    for (let k = 0; k < paired; k++)
      out.push(...diffValues(before[removed[k]], after[inserted[k]], childPath(path, inserted[k])));
    removed.slice(paired).forEach((i) => out.push(...leaves(before[i], childPath(path, i), '-')));
    inserted.slice(paired).forEach((j) => out.push(...leaves(after[j], childPath(path, j), '+')));
    removed = [];
    inserted = [];
  };
  for (const s of steps) {
    if (s.op === '-') removed.push(s.i);
    else if (s.op === '+') inserted.push(s.j);
    else flush();
  }
  flush();
  return out;
}

function diffByPosition(before: readonly unknown[], after: readonly unknown[], path: string): FieldChange[] {
  const out: FieldChange[] = [];
  for (let i = 0; i < Math.max(before.length, after.length); i++) {
    const p = childPath(path, i);
    if (i >= after.length) out.push(...leaves(before[i], p, '-'));
    else if (i >= before.length) out.push(...leaves(after[i], p, '+'));
    else out.push(...diffValues(before[i], after[i], p));
  }
  return out;
}

/**
 * Field-level differences between two values. Arrays whose items all have unique `name`s (containers, env, ports,
 * volumes) are matched by name, so inserting one item does not show every later item as changed; other arrays
 * (NetworkPolicy rules, peers and ports) are matched by identity, each item's whole value (see `diffUnnamed`). Strings holding JSON documents (dashboards) are compared as JSON, other multi-line strings
 * line by line.
 */
export function diffValues(before: unknown, after: unknown, path = ''): FieldChange[] {
  if (deepEqual(before, after)) return [];
  if (isRecord(before) && isRecord(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    return keys.flatMap((k) => {
      const p = childPath(path, k);
      if (!(k in after)) return leaves(before[k], p, '-');
      if (!(k in before)) return leaves(after[k], p, '+');
      return diffValues(before[k], after[k], p);
    });
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const nb = namesOf(before);
    const na = namesOf(after);
    if (nb && na) {
      const out: FieldChange[] = [];
      nb.forEach((name, i) => {
        if (!na.includes(name)) out.push(...leaves(before[i], childPath(path, i), '-'));
      });
      na.forEach((name, i) => {
        const old = nb.indexOf(name);
        out.push(
          ...(old < 0
            ? leaves(after[i], childPath(path, i), '+')
            : diffValues(before[old], after[i], childPath(path, i))),
        );
      });
      return out;
    }
    return diffUnnamed(before, after, path);
  }
  if (typeof before === 'string' && typeof after === 'string') {
    const jb = parseJsonDocument(before);
    const ja = parseJsonDocument(after);
    if (jb !== undefined && ja !== undefined) return diffValues(jb, ja, path);
    if (before.includes('\n') || after.includes('\n')) return diffLines(before, after, path);
  }
  return [{ op: '~', path, before, after }];
}

function indexObjects(objects: readonly ManifestObject[], duplicates: string[]): Map<string, ManifestObject> {
  const map = new Map<string, ManifestObject>();
  for (const o of objects) {
    const key = objectKey(o.object);
    if (map.has(key)) duplicates.push(`${o.file}: ${objectRef(o.object)} (${o.object.apiVersion}) appears twice`);
    map.set(key, o);
  }
  return map;
}

/** Object-level comparison of two lists of objects (before → after). */
export function diffObjects(
  before: readonly ManifestObject[],
  after: readonly ManifestObject[],
): { changes: ObjectChange[]; unchanged: number; duplicates: string[] } {
  const duplicates: string[] = [];
  const a = indexObjects(before, duplicates);
  const b = indexObjects(after, duplicates);
  const changes: ObjectChange[] = [];
  let unchanged = 0;
  for (const [key, old] of a) {
    if (!b.has(key)) {
      changes.push({
        status: 'removed',
        ref: objectRef(old.object),
        apiVersion: old.object.apiVersion,
        file: old.file,
        before: old.object,
        fields: [],
      });
    }
  }
  for (const [key, now] of b) {
    const old = a.get(key);
    const base = { ref: objectRef(now.object), apiVersion: now.object.apiVersion, file: now.file, after: now.object };
    if (!old) {
      changes.push({ status: 'added', ...base, fields: [] });
      continue;
    }
    const fields = diffValues(old.object, now.object);
    if (fields.length === 0) unchanged++;
    else
      changes.push({
        status: 'changed',
        ...base,
        before: old.object,
        fields,
        rules: networkPolicyRuleChanges(old.object, now.object),
      });
  }
  return { changes, unchanged, duplicates };
}

/** Compares two sets of manifest files: objects, `index.json`, and bytes. */
export function diffManifests(before: ManifestTexts, after: ManifestTexts): ManifestsDiff {
  const problems: ParseProblem[] = [];
  const parseSide = (texts: ManifestTexts): ManifestObject[] =>
    [...texts.entries()]
      .filter(([file]) => file.endsWith(MANIFEST_EXTENSION))
      .sort(([x], [y]) => x.localeCompare(y))
      .flatMap(([file, text]) => {
        const parsed = parseManifests(text, file);
        problems.push(...parsed.problems);
        return parsed.objects;
      });
  const { changes, unchanged, duplicates } = diffObjects(parseSide(before), parseSide(after));
  const changedFiles = new Set(changes.flatMap((c) => [c.file]));
  const reformatted = [...after.keys()]
    .filter(
      (f) => f.endsWith(MANIFEST_EXTENSION) && before.has(f) && before.get(f) !== after.get(f) && !changedFiles.has(f),
    )
    .sort();
  const readIndex = (texts: ManifestTexts): unknown => parseJsonDocument(texts.get(INDEX_FILE) ?? '') ?? null;
  const beforeIndex = readIndex(before);
  const afterIndex = readIndex(after);
  // Digests change with every file change already listed; only the other index fields are news.
  const index = diffValues(beforeIndex, afterIndex).filter((f) => !/\.digest$/.test(f.path));
  return { objects: changes, index, reformatted, problems, duplicates, unchanged };
}

/** Whether the two sides differ in any way the diff reports. */
export function hasDifferences(d: ManifestsDiff): boolean {
  return (
    d.objects.length > 0 ||
    d.index.length > 0 ||
    d.reformatted.length > 0 ||
    d.problems.length > 0 ||
    d.duplicates.length > 0
  );
}

function show(value: unknown): string {
  if (value === undefined) return '(none)';
  const text = JSON.stringify(value);
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}

/** One field change as a line: `spec.replicas: 2 → 3`, `+ metadata.labels.tier: "web"`, `- spec.paused: true`. */
export function formatFieldChange(f: FieldChange): string {
  if (f.op === '~') return `~ ${f.path}: ${show(f.before)} → ${show(f.after)}`;
  return f.op === '+' ? `+ ${f.path}: ${show(f.after)}` : `- ${f.path}: ${show(f.before)}`;
}

/** Options of {@link formatDiff}. */
export interface FormatOptions {
  /** Print added objects in full as YAML (default true). */
  readonly showAdded?: boolean;
  /** At most this many field lines per object (default 200). */
  readonly maxFieldsPerObject?: number;
}

/** Renders a diff as plain text (one block per object), ending with a summary line. */
export function formatDiff(d: ManifestsDiff, options: FormatOptions = {}): string {
  const max = options.maxFieldsPerObject ?? 200;
  const lines: string[] = [];
  const symbol = { added: '+', removed: '-', changed: '~' } as const;
  const order = { removed: 0, changed: 1, added: 2 } as const;
  const sorted = [...d.objects].sort(
    (x, y) => x.file.localeCompare(y.file) || order[x.status] - order[y.status] || x.ref.localeCompare(y.ref),
  );
  for (const c of sorted) {
    lines.push(`${symbol[c.status]} ${c.ref} (${c.apiVersion}, ${c.file}) ${c.status}`);
    if (c.status === 'changed') {
      (c.rules ?? []).forEach((r) => lines.push(`    ${r}`));
      c.fields.slice(0, max).forEach((f) => lines.push(`    ${formatFieldChange(f)}`));
      if (c.fields.length > max) lines.push(`    ... ${c.fields.length - max} more field changes`);
    } else if (c.status === 'added' && options.showAdded !== false && c.after) {
      const yaml = stringify(c.after).trimEnd().split('\n');
      yaml.slice(0, max).forEach((l) => lines.push(`    + ${l}`));
      if (yaml.length > max) lines.push(`    + ... ${yaml.length - max} more lines`);
    }
  }
  if (d.index.length > 0) {
    lines.push('~ index.json changed');
    d.index.slice(0, max).forEach((f) => lines.push(`    ${formatFieldChange(f)}`));
  }
  for (const f of d.reformatted)
    lines.push(`~ ${f}: same objects, different bytes (formatting or order); re-synthesize`);
  for (const p of d.problems) lines.push(`! ${p.file}: ${p.message}`);
  for (const dup of d.duplicates) lines.push(`! ${dup}`);
  const count = (s: ObjectChange['status']): number => d.objects.filter((c) => c.status === s).length;
  lines.push(
    `diff: ${count('added')} added, ${count('removed')} removed, ${count('changed')} changed, ${d.unchanged} unchanged objects` +
      (d.index.length > 0 ? '; index.json changed' : '') +
      (d.reformatted.length > 0 ? `; ${d.reformatted.length} files differ in bytes only` : ''),
  );
  return lines.join('\n');
}
