/**
 * Manifest YAML, byte for byte what cdk8s writes (`Yaml.stringify`), several times faster.
 *
 * cdk8s builds a full `yaml` document tree for every object and re-checks every string against the YAML 1.1
 * schema each time it appears; for a big app that is most of the synth time. Manifests are plain JSON trees whose
 * scalars repeat a lot (labels, names, ports), so this writer lays out the block structure itself and asks cdk8s's
 * own `Yaml.stringify` how to write each distinct scalar and key, once. Whatever it cannot lay out the same way
 * (objects referenced twice, which `yaml` writes as aliases; keys with line breaks, document markers or over 1024
 * characters; objects of other classes; undefined values) sends the whole object to `Yaml.stringify` unchanged.
 */
import { Yaml } from 'cdk8s';

/**
 * Strings `yaml` writes plain, as they are: a letter, then printable ASCII (no tab, line break or control
 * character), with none of what would end or change a plain scalar: `: ` (a key), ` #` (a comment), or a
 * trailing space or colon. Starting with a letter rules out indicators and the YAML 1.1 numbers, dates and
 * nulls, but for exponent-only floats (`e9`, which {@link PLAIN_BREAKERS} catches) and the words of
 * {@link YAML_11_WORDS}.
 */
const PLAIN_SAFE = /^[A-Za-z][\x20-\x7e]*$/;
/** What a {@link PLAIN_SAFE} string must not contain to stay a plain string. */
const PLAIN_BREAKERS = /: | #|[ :]$|^[eE][-+]?[0-9]+$/;
/** YAML 1.1 booleans and null spelled with letters only (`yaml` checks each casing it accepts). */
const YAML_11_WORDS = new Set(['y', 'n', 'yes', 'no', 'true', 'false', 'on', 'off', 'null']);
/** Keys whose rendering depends on their depth: line breaks and document markers. */
const POSITIONAL_KEY = /\n|^(%|---|\.\.\.)/;
/** Longest key `yaml` writes as an implicit `key:` (longer ones become explicit `? key` entries). */
const MAX_IMPLICIT_KEY = 1024;
/** One indentation step of `yaml`'s block style. */
const STEP = '  ';
/** The start of a continuation line of a scalar learnt at one {@link STEP} (blank lines have no indentation). */
const CONTINUATION = /\n {2}/g;

/** Thrown (and caught) when an object leaves the subset this writer lays out itself. */
class Unsupported extends Error {}

/** Writes manifests; caches how each distinct scalar and key is written, so reuse one per synth. */
export class ManifestYamlWriter {
  private readonly scalars = new Map<unknown, string>();
  private readonly keys = new Map<string, string>();
  private seen = new Set<object>();
  private out: string[] = [];

  /** The objects as one multi-document YAML string, exactly as cdk8s's `Yaml.stringify(...objects)`. */
  stringify(objects: readonly unknown[]): string {
    return objects.map((o) => this.document(o)).join('---\n');
  }

  private document(object: unknown): string {
    if (object === undefined) return '\n';
    this.seen = new Set();
    this.out = [];
    try {
      if (!isPlainObject(object) || Object.keys(object).length === 0) throw new Unsupported();
      this.map(object, '', false);
      return this.out.join('');
    } catch (error) {
      if (!(error instanceof Unsupported)) throw error;
      return Yaml.stringify(object);
    }
  }

  /** Block mapping; the first pair continues the current line when `inline` (after a sequence dash). */
  private map(object: Record<string, unknown>, indent: string, inline: boolean): void {
    this.visit(object);
    let first = true;
    for (const key of Object.keys(object)) {
      this.out.push(first && inline ? '' : indent, this.key(key), ':');
      first = false;
      this.node(object[key], indent + STEP, false);
    }
  }

  /** Block sequence; the first item continues the current line when `inline` (a sequence in a sequence). */
  private seq(items: readonly unknown[], indent: string, inline: boolean): void {
    this.visit(items);
    items.forEach((item, i) => {
      this.out.push(i === 0 && inline ? '-' : `${indent}-`);
      this.node(item, indent + STEP, true);
    });
  }

  /**
   * A pair's value (after `key:`) or a sequence item (after `-`), whose nested content is indented to `nested`:
   * collections start on the next line after a key, and on the same line after a dash.
   */
  private node(value: unknown, nested: string, afterDash: boolean): void {
    const collection = Array.isArray(value) ? value.length > 0 : isPlainObject(value) && Object.keys(value).length > 0;
    if (!collection) {
      this.out.push(' ', this.leaf(value, nested), '\n');
      return;
    }
    this.out.push(afterDash ? ' ' : '\n');
    if (Array.isArray(value)) this.seq(value, nested, afterDash);
    else this.map(value as Record<string, unknown>, nested, afterDash);
  }

  /** A scalar or an empty collection (written in flow style); multi-line scalars continue at `nested`. */
  private leaf(value: unknown, nested: string): string {
    if (Array.isArray(value) || isPlainObject(value)) {
      this.visit(value);
      return Array.isArray(value) ? '[]' : '{}';
    }
    if (typeof value === 'string') {
      if (isPlainSafe(value)) return value;
    } else if (!(typeof value === 'number' || typeof value === 'boolean' || value === null) || Object.is(value, -0)) {
      // undefined, objects of other classes, and -0 (which a Map would confuse with 0)
      throw new Unsupported();
    }
    let rendered = this.scalars.get(value);
    if (rendered === undefined) {
      rendered = learnScalar(value);
      this.scalars.set(value, rendered);
    }
    // Multi-line scalars (block scalars, long double-quoted strings) continue at their depth.
    return nested === STEP || !rendered.includes('\n') ? rendered : rendered.replace(CONTINUATION, `\n${nested}`);
  }

  private key(key: string): string {
    if (isPlainSafe(key) && key.length <= MAX_IMPLICIT_KEY) return key;
    if (POSITIONAL_KEY.test(key)) throw new Unsupported();
    let rendered = this.keys.get(key);
    if (rendered === undefined) {
      const line = Yaml.stringify({ [key]: 0 });
      if (!line.endsWith(': 0\n') || line.indexOf('\n') !== line.length - 1) throw new Unsupported();
      rendered = line.slice(0, -': 0\n'.length);
      this.keys.set(key, rendered);
    }
    return rendered;
  }

  /** `yaml` writes an object met twice as an alias: leave those to it. */
  private visit(object: object): void {
    if (this.seen.has(object)) throw new Unsupported();
    this.seen.add(object);
  }
}

/**
 * How cdk8s writes `value` as a pair's value at the top level, so indented by one {@link STEP} (after `k: `).
 * With lines never folded (cdk8s sets no line width), `yaml` writes a scalar the same way at any depth but for
 * the indentation of its continuation lines, each of which is blank or starts with the indentation; the tests
 * hold that against cdk8s's own output at several depths.
 */
function learnScalar(value: unknown): string {
  const rendered = after(Yaml.stringify({ k: value }), 'k: ');
  if (/\n(?!\n|$| {2})/.test(rendered)) throw new Unsupported();
  return rendered;
}

/** `text` after `prefix`, without its final line break. */
function after(text: string, prefix: string): string {
  if (!text.startsWith(prefix) || !text.endsWith('\n')) throw new Unsupported();
  return text.slice(prefix.length, -1);
}

function isPlainSafe(value: string): boolean {
  return PLAIN_SAFE.test(value) && !PLAIN_BREAKERS.test(value) && !YAML_11_WORDS.has(value.toLowerCase());
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Multi-document YAML of `objects`, identical to cdk8s's `Yaml.stringify(...objects)`. */
export function manifestYaml(objects: readonly unknown[]): string {
  return new ManifestYamlWriter().stringify(objects);
}
