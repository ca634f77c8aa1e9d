/**
 * The CustomResourceDefinitions of `../shared/crds/` (or `$SHARED_DIR/crds/`): which group/version/kind each file
 * defines, whether a version is deprecated or served, and a compiled JSON-schema validator per version.
 *
 * Parsing all the CRD YAML takes about a second, so the catalog only indexes the files by a cheap text scan and
 * parses (and compiles) a definition the first time an object needs it, caching the parse on disk by content hash.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Ajv from 'ajv';
import standaloneCode from 'ajv/dist/standalone';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { RegExpEngine, RegExpLike } from 'ajv/dist/types';
import { parse } from 'yaml';
import { isRecord } from './manifests';

/** One version of a CRD. */
export interface CrdVersion {
  readonly name: string;
  readonly served: boolean;
  /** Whether this is the version the API server stores (the one to write). */
  readonly storage: boolean;
  readonly deprecated: boolean;
  readonly deprecationWarning?: string;
  readonly schema?: Record<string, unknown>;
}

/** A CRD reduced to what validation needs. */
export interface CrdDefinition {
  readonly group: string;
  readonly kind: string;
  readonly scope: string;
  readonly file: string;
  readonly versions: readonly CrdVersion[];
}

/** One schema error of a custom resource. */
export interface SchemaError {
  /** Dotted path of the offending field (`spec.endpoints[0].interval`), empty for the root. */
  readonly path: string;
  readonly message: string;
}

/** The folder holding `crds/`: `$SHARED_DIR` if set, else `../shared` relative to the repo root. */
export function sharedDir(repoRoot: string = process.cwd()): string {
  return process.env.SHARED_DIR ? resolve(process.env.SHARED_DIR) : resolve(repoRoot, '..', 'shared');
}

/**
 * The CRD folder the validator uses: `$SHARED_DIR/crds` if set; else the copy packed with the library
 * (`dist/crds`, written by `npm run build`), so that a consumer's repository needs no `shared/` checkout; else
 * `../shared/crds` of the repo root.
 */
export function defaultCrdDir(repoRoot: string = process.cwd()): string {
  const packed = resolve(__dirname, '..', '..', 'crds');
  if (!process.env.SHARED_DIR && existsSync(packed)) return packed;
  return join(sharedDir(repoRoot), 'crds');
}

interface IndexEntry {
  readonly file: string;
  readonly docIndex: number;
  readonly text: string;
}

/** Converts an ajv instance path (`/spec/endpoints/0/interval`) to `spec.endpoints[0].interval`. */
export function jsonPointerToPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, part) => (/^\d+$/.test(part) ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part), '');
}

/** Turns ajv errors into readable, de-duplicated messages. */
export function describeAjvErrors(errors: readonly ErrorObject[]): SchemaError[] {
  const seen = new Set<string>();
  const out: SchemaError[] = [];
  for (const e of errors) {
    // anyOf/oneOf report their branches' errors too; the summary line is enough.
    if (e.keyword === 'if') continue;
    let message = e.message ?? 'is invalid';
    if (e.keyword === 'additionalProperties' && isRecord(e.params)) {
      message = `unknown field "${String(e.params.additionalProperty)}"`;
    } else if (e.keyword === 'required' && isRecord(e.params)) {
      message = `missing required field "${String(e.params.missingProperty)}"`;
    } else if (e.keyword === 'enum' && isRecord(e.params) && Array.isArray(e.params.allowedValues)) {
      message = `must be one of ${e.params.allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
    }
    const path = jsonPointerToPath(e.instancePath);
    const key = `${path}: ${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ path, message });
  }
  return out;
}

/**
 * Translates a Go (RE2) regular expression, as CRD `pattern`s are written, to a JavaScript one: leading inline
 * flags such as `(?i)` become JavaScript flags, `(?P<name>` becomes `(?<name>`, `\\z` becomes `$`.
 * @returns the RegExp, or undefined when JavaScript cannot express the pattern
 */
export function goRegExp(pattern: string, unicode = ''): RegExp | undefined {
  let source = pattern;
  let flags = unicode;
  // Inline flags at the start, possibly after the `^` anchor: `(?i)abc`, `^(?i)(abort|warn)?$`.
  const inline = /^(\^?)\(\?([imsU]+)\)/.exec(source);
  if (inline) {
    source = inline[1] + source.slice(inline[0].length);
    flags += [...new Set(inline[2].replace('U', ''))].join('');
  }
  source = source.replace(/\(\?P</g, '(?<').replace(/\\z/g, '$');
  for (const f of [flags, flags.replace('u', '')]) {
    try {
      return new RegExp(source, f);
    } catch {
      // Retry without the unicode flag, which rejects some escapes RE2 accepts.
    }
  }
  return undefined;
}

const loadModule = createRequire(__filename);
const AJV_VERSION = String((loadModule('ajv/package.json') as { version: string }).version);
/** Name under which cached validator code calls the regular-expression engine. */
const STANDALONE_REGEXP = 'crdRegExp';

/**
 * Evaluates cached ajv standalone code (a CommonJS module body) into a validate function. Its `require`s (ajv
 * runtime helpers) resolve from this package, and its patterns are built by `regExp`.
 */
function evaluateStandalone(code: string, regExp: RegExpEngine): ValidateFunction {
  const module: { exports: unknown } = { exports: {} };
  const factory = new Function('module', 'exports', 'require', STANDALONE_REGEXP, code) as (
    m: typeof module,
    e: unknown,
    r: NodeRequire,
    x: RegExpEngine,
  ) => void;
  factory(module, module.exports, loadModule, regExp);
  if (typeof module.exports !== 'function') throw new Error('cached validator is not a function');
  return module.exports as ValidateFunction;
}

/** Fields of every Kubernetes object, allowed at the root of every custom resource. */
const ROOT_FIELDS: Readonly<Record<string, unknown>> = {
  apiVersion: { type: 'string' },
  kind: { type: 'string' },
  metadata: { type: 'object' },
};

const JUNCTORS = new Set(['allOf', 'anyOf', 'oneOf', 'not']);

/**
 * Prepares a CRD's OpenAPI v3.0 schema for ajv (draft-07):
 * - boolean `exclusiveMaximum`/`exclusiveMinimum` beside `maximum`/`minimum` (draft-4 style) become the numeric form;
 * - objects that list `properties` are closed (`additionalProperties: false`) unless they say
 *   `x-kubernetes-preserve-unknown-fields: true` or set `additionalProperties` themselves. The API server prunes
 *   unknown fields of custom resources and `kubectl apply` rejects them (strict field validation), so a misspelt
 *   field is an error here too. Schemas inside `allOf`/`anyOf`/`oneOf`/`not` (at any depth) are left open:
 *   structural schemas declare every property in the parent, and the branches only add constraints.
 */
export function normalizeSchema(schema: unknown, inJunctor = false): unknown {
  if (Array.isArray(schema)) return schema.map((s) => normalizeSchema(s, inJunctor));
  if (!isRecord(schema)) return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'properties' && isRecord(value)) {
      // A map of schemas by property name: names are never keywords.
      out[key] = Object.fromEntries(
        Object.entries(value).map(([name, sub]) => [name, normalizeSchema(sub, inJunctor)]),
      );
    } else if (key === 'enum' || key === 'default' || key === 'example' || key === 'required') {
      out[key] = value;
    } else {
      out[key] = normalizeSchema(value, inJunctor || JUNCTORS.has(key));
    }
  }
  for (const [exclusive, bound] of [
    ['exclusiveMaximum', 'maximum'],
    ['exclusiveMinimum', 'minimum'],
  ] as const) {
    if (typeof out[exclusive] === 'boolean') {
      if (out[exclusive] === true && typeof out[bound] === 'number') {
        out[exclusive] = out[bound];
        delete out[bound];
      } else {
        delete out[exclusive];
      }
    }
  }
  if (
    !inJunctor &&
    isRecord(out.properties) &&
    out.additionalProperties === undefined &&
    out['x-kubernetes-preserve-unknown-fields'] !== true
  ) {
    out.additionalProperties = false;
  }
  return out;
}

/**
 * Index and cache of the shared CRDs. Create one per process (or per test file) and reuse it: compiled validators
 * are cached on the instance.
 */
export class CrdCatalog {
  private readonly index = new Map<string, IndexEntry>();
  private readonly definitions = new Map<string, CrdDefinition | undefined>();
  private readonly validators = new Map<string, ValidateFunction>();
  /** CRD `pattern`s JavaScript cannot express; they are not enforced. */
  readonly unsupportedPatterns = new Set<string>();

  /**
   * @param crdDir folder of CRD YAML files (usually `<shared>/crds`); a missing folder gives an empty catalog
   * @param cacheDir where parsed CRDs are cached as JSON; `false` disables the disk cache
   */
  constructor(
    readonly crdDir: string,
    private readonly cacheDir: string | false = join(tmpdir(), 'platform-validate-crd-cache'),
  ) {
    if (!existsSync(crdDir)) return;
    for (const file of readdirSync(crdDir)
      .filter((f) => /\.ya?ml$/.test(f))
      .sort()) {
      const docs = readFileSync(join(crdDir, file), 'utf8').split(/^---\s*$/m);
      docs.forEach((text, docIndex) => {
        // Upstream CRD files are generated with a fixed layout: `spec.group` at two spaces, `spec.names.kind` at four.
        const group = /^ {2}group:\s*["']?([^\s"']+)/m.exec(text)?.[1];
        const kind = /^ {4}kind:\s*["']?([^\s"']+)/m.exec(text)?.[1];
        if (group && kind && /^kind:\s*CustomResourceDefinition\s*$/m.test(text)) {
          this.index.set(`${group}/${kind}`, { file, docIndex, text });
        }
      });
    }
  }

  /** Whether the catalog knows any CRD of a group. */
  hasGroup(group: string): boolean {
    for (const key of this.index.keys()) if (key.startsWith(`${group}/`)) return true;
    return false;
  }

  /** The group/kind pairs the catalog knows, sorted. */
  kinds(): string[] {
    return [...this.index.keys()].sort();
  }

  /** The CRD defining `kind` in `group`, parsed on first use. */
  definition(group: string, kind: string): CrdDefinition | undefined {
    const key = `${group}/${kind}`;
    if (this.definitions.has(key)) return this.definitions.get(key);
    const entry = this.index.get(key);
    const def = entry ? this.parseEntry(entry) : undefined;
    this.definitions.set(key, def);
    return def;
  }

  /** One version of a CRD. */
  version(group: string, kind: string, version: string): CrdVersion | undefined {
    return this.definition(group, kind)?.versions.find((v) => v.name === version);
  }

  /**
   * Validates a custom resource against its CRD version schema.
   * @returns the errors, or `undefined` when the catalog has no such group/kind/version
   */
  validate(group: string, kind: string, version: string, object: unknown): SchemaError[] | undefined {
    const crdVersion = this.version(group, kind, version);
    if (!crdVersion) return undefined;
    if (!crdVersion.schema) return [];
    const key = `${group}/${version}/${kind}`;
    let validate = this.validators.get(key);
    if (!validate) {
      try {
        validate = this.compile(crdVersion.schema);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        return [{ path: '', message: `the schema of ${group}/${version} ${kind} cannot be compiled: ${reason}` }];
      }
      this.validators.set(key, validate);
    }
    return validate(object) ? [] : describeAjvErrors(validate.errors ?? []);
  }

  /**
   * Compiles a CRD version schema. Compiling the large CRDs (Contour, Gateway API) takes 50-150 ms each, so the
   * generated validator code (ajv "standalone" code) is cached on disk, keyed by the normalized schema and the ajv
   * version, and later runs only evaluate it.
   */
  private compile(crdSchema: Record<string, unknown>): ValidateFunction {
    const schema = normalizeSchema(crdSchema) as Record<string, unknown>;
    if (isRecord(schema.properties)) {
      // Every object has these, whether or not the CRD's schema lists them (Linkerd's do not).
      schema.properties = { ...ROOT_FIELDS, ...schema.properties };
    }
    const regExp = this.regExpEngine();
    const path = this.cacheDir
      ? join(
          this.cacheDir,
          `${createHash('sha256')
            .update(`${AJV_VERSION}\n${JSON.stringify(schema)}`)
            .digest('hex')
            .slice(0, 32)}.validator.js`,
        )
      : undefined;
    if (path && existsSync(path)) {
      try {
        return evaluateStandalone(readFileSync(path, 'utf8'), regExp);
      } catch {
        // A corrupt or incompatible cache entry is recompiled and overwritten below.
      }
    }
    const ajv = new Ajv({
      strict: false,
      allErrors: true,
      validateFormats: false,
      logger: false,
      code: { regExp, source: path !== undefined },
    });
    const validate = ajv.compile(schema);
    if (path && this.cacheDir) {
      try {
        mkdirSync(this.cacheDir, { recursive: true });
        const partial = `${path}.${process.pid}.tmp`;
        writeFileSync(partial, standaloneCode(ajv, validate));
        renameSync(partial, path);
      } catch {
        // The cache is an optimisation only.
      }
    }
    return validate;
  }

  private regExpEngine(): RegExpEngine {
    const engine = (pattern: string, unicode: string): RegExpLike => {
      const rx = goRegExp(pattern, unicode);
      if (rx) return rx;
      this.unsupportedPatterns.add(pattern);
      return { test: () => true };
    };
    // In cached standalone code, patterns are built by calling the engine under this name (see evaluateStandalone).
    return Object.assign(engine, { code: STANDALONE_REGEXP });
  }

  private parseEntry(entry: IndexEntry): CrdDefinition | undefined {
    const raw = this.readCached(entry.text);
    if (!isRecord(raw) || !isRecord(raw.spec) || !isRecord(raw.spec.names)) return undefined;
    const spec = raw.spec;
    const names = spec.names as Record<string, unknown>;
    const versions: CrdVersion[] = (Array.isArray(spec.versions) ? spec.versions : []).filter(isRecord).map((v) => {
      const schema = isRecord(v.schema) && isRecord(v.schema.openAPIV3Schema) ? v.schema.openAPIV3Schema : undefined;
      return {
        name: String(v.name),
        served: v.served !== false,
        storage: v.storage === true,
        deprecated: v.deprecated === true,
        ...(typeof v.deprecationWarning === 'string' ? { deprecationWarning: v.deprecationWarning } : {}),
        ...(schema ? { schema } : {}),
      };
    });
    return {
      group: String(spec.group),
      kind: String(names.kind),
      scope: String(spec.scope ?? 'Namespaced'),
      file: entry.file,
      versions,
    };
  }

  private readCached(text: string): unknown {
    if (this.cacheDir === false) return parse(text);
    const hash = createHash('sha256').update(text).digest('hex').slice(0, 32);
    const path = join(this.cacheDir, `${hash}.json`);
    try {
      if (existsSync(path)) return JSON.parse(readFileSync(path, 'utf8'));
    } catch {
      // A corrupt cache entry is re-parsed and overwritten below.
    }
    const value: unknown = parse(text);
    try {
      mkdirSync(this.cacheDir, { recursive: true });
      // Write then rename, so that parallel test workers never read a half-written file.
      const partial = `${path}.${process.pid}.tmp`;
      writeFileSync(partial, JSON.stringify(value));
      renameSync(partial, path);
    } catch {
      // The cache is an optimisation; a read-only temp folder only costs time.
    }
    return value;
  }
}
