/**
 * Loading synthesized manifests: multi-document YAML files into plain objects, each remembering the file it came
 * from, plus the identity (apiVersion, kind, namespace, name) that the tools use to name and match objects.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { INDEX_FILE, MANIFEST_EXTENSION } from '../../platform/contract';

/** Metadata fields the tools read; everything else is kept but not typed. */
export interface KubeMetadata {
  name?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [key: string]: unknown;
}

/** A Kubernetes object as parsed from YAML: only `apiVersion`, `kind` and `metadata` are known to exist. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: KubeMetadata;
  [key: string]: unknown;
}

/** An object and where it came from. */
export interface ManifestObject {
  /** File name as shown in findings (relative to the manifests folder, e.g. `chat.k8s.yaml`). */
  readonly file: string;
  /** 0-based position of the YAML document in the file. */
  readonly index: number;
  readonly object: KubeObject;
}

/** A document that could not be read as a Kubernetes object. */
export interface ParseProblem {
  readonly file: string;
  readonly index: number;
  readonly message: string;
}

/** Result of parsing one or more manifest files. */
export interface ParsedManifests {
  readonly objects: ManifestObject[];
  readonly problems: ParseProblem[];
}

/** A folder of manifests in memory: file name → text (`*.k8s.yaml` and `index.json`). */
export type ManifestTexts = ReadonlyMap<string, string>;

export { INDEX_FILE, MANIFEST_EXTENSION };

/** Whether a value is a plain (non-array, non-null) object. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Parses a multi-document YAML text into Kubernetes objects. Empty documents are skipped; documents that are not
 * YAML, or not objects with `apiVersion`, `kind` and `metadata.name`, become problems instead of objects.
 */
export function parseManifests(text: string, file: string): ParsedManifests {
  const objects: ManifestObject[] = [];
  const problems: ParseProblem[] = [];
  parseAllDocuments(text).forEach((doc, index) => {
    if (doc.errors.length > 0) {
      problems.push({ file, index, message: `document ${index} is not valid YAML: ${doc.errors[0].message}` });
      return;
    }
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) return;
    if (
      !isRecord(value) ||
      typeof value.apiVersion !== 'string' ||
      typeof value.kind !== 'string' ||
      !isRecord(value.metadata) ||
      typeof value.metadata.name !== 'string'
    ) {
      problems.push({
        file,
        index,
        message: `document ${index} is not a Kubernetes object (apiVersion, kind and metadata.name are required)`,
      });
      return;
    }
    objects.push({ file, index, object: value as KubeObject });
  });
  return { objects, problems };
}

/** The manifest files (`*.k8s.yaml`) of a folder, sorted by name. */
export function listManifestFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(MANIFEST_EXTENSION))
    .sort();
}

/** Parses every `*.k8s.yaml` file of a folder. */
export function loadManifestDir(dir: string): ParsedManifests {
  const objects: ManifestObject[] = [];
  const problems: ParseProblem[] = [];
  for (const file of listManifestFiles(dir)) {
    const parsed = parseManifests(readFileSync(join(dir, file), 'utf8'), file);
    objects.push(...parsed.objects);
    problems.push(...parsed.problems);
  }
  return { objects, problems };
}

/** Splits an apiVersion into its group (`''` for the core group) and version. */
export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** The identity by which objects are matched across two syntheses: apiVersion, kind, namespace, name. */
export function objectKey(object: KubeObject): string {
  return [object.apiVersion, object.kind, object.metadata.namespace ?? '', object.metadata.name ?? ''].join('|');
}

/** How findings and diffs name an object: `Kind/namespace/name`, or `Kind/name` for cluster-scoped objects. */
export function objectRef(object: KubeObject): string {
  const ns = object.metadata.namespace;
  return ns ? `${object.kind}/${ns}/${object.metadata.name}` : `${object.kind}/${object.metadata.name}`;
}

/** The namespace an object lives in, with the API server's default for namespaced objects without one. */
export function namespaceOf(object: KubeObject): string {
  return object.metadata.namespace ?? 'default';
}
