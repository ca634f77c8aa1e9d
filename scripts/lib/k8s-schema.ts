/**
 * Validation of built-in Kubernetes objects against the Kubernetes 1.33 OpenAPI schemas compiled into
 * `kubernetes-models`, plus the checks those schemas cannot express (names, label syntax, port ranges).
 *
 * `kubernetes-models` has one module per group/version/kind (`kubernetes-models/apps/v1/Deployment`); loading only
 * the kinds present keeps start-up far below the 0.7 s that its index costs.
 */
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ErrorObject } from 'ajv';
import { DNS_LABEL, DNS_SUBDOMAIN } from '../../platform/contract';
import { describeAjvErrors } from './crds';
import type { SchemaError } from './crds';
import { isRecord, splitApiVersion } from './manifests';
import type { KubeObject } from './manifests';
import { containersOf, podTemplateOf } from './pods';

const loadModule = createRequire(__filename);

interface ModelClass {
  readonly apiVersion?: string;
  readonly kind?: string;
  new (data: unknown): { validate(): void };
}

let builtinGroups: ReadonlySet<string> | undefined;
const models = new Map<string, ModelClass | undefined>();

function modelsRoot(): string {
  return dirname(loadModule.resolve('kubernetes-models/package.json'));
}

/** API groups `kubernetes-models` has schemas for (`''` is the core group). */
export function builtinApiGroups(): ReadonlySet<string> {
  if (!builtinGroups) {
    const dirs = readdirSync(modelsRoot(), { withFileTypes: true })
      .filter((d) => d.isDirectory() && !d.name.startsWith('_') && d.name !== 'v1')
      .map((d) => d.name);
    builtinGroups = new Set(['', ...dirs]);
  }
  return builtinGroups;
}

/** Whether an apiVersion belongs to a built-in Kubernetes API group (as opposed to a custom resource). */
export function isBuiltinApiVersion(apiVersion: string): boolean {
  return builtinApiGroups().has(splitApiVersion(apiVersion).group);
}

function modelFor(apiVersion: string, kind: string): ModelClass | undefined {
  const key = `${apiVersion}/${kind}`;
  if (models.has(key)) return models.get(key);
  const { group, version } = splitApiVersion(apiVersion);
  const rel = join(group, version, kind);
  let model: ModelClass | undefined;
  if (/^[A-Za-z0-9]+$/.test(kind) && existsSync(join(modelsRoot(), `${rel}.js`))) {
    const mod: unknown = loadModule(`kubernetes-models/${group ? `${group}/` : ''}${version}/${kind}`);
    const candidate = isRecord(mod) ? mod[kind] : undefined;
    // Sub-types (DeploymentSpec, ...) have modules too, but only top-level kinds carry apiVersion and kind.
    if (typeof candidate === 'function') {
      const cls = candidate as ModelClass;
      if (cls.apiVersion === apiVersion && cls.kind === kind) model = cls;
    }
  }
  models.set(key, model);
  return model;
}

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
/** Kinds whose names must be DNS-1123 labels (they become DNS names or hostnames). */
const LABEL_NAMED_KINDS = new Set(['Namespace', 'Service']);

function qualifiedKeyError(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) {
    return 'has a prefix that is not a DNS-1123 subdomain';
  }
  if (name.length > 63 || !QUALIFIED_NAME.test(name)) {
    return 'must be at most 63 characters of alphanumerics, "-", "_" or "." (with an optional DNS prefix and "/")';
  }
  return undefined;
}

function portError(value: unknown): boolean {
  return typeof value === 'number' && (!Number.isInteger(value) || value < 1 || value > 65535);
}

/** Checks the Kubernetes API server applies but the OpenAPI schemas do not express. */
export function extraSchemaChecks(object: KubeObject): SchemaError[] {
  const errors: SchemaError[] = [];
  const name = object.metadata.name ?? '';
  if (LABEL_NAMED_KINDS.has(object.kind)) {
    if (name.length > 63 || !DNS_LABEL.test(name)) {
      errors.push({
        path: 'metadata.name',
        message: `"${name}" is not a DNS-1123 label (lowercase a-z, 0-9, "-", at most 63)`,
      });
    }
  } else if (name.length > 253 || !DNS_SUBDOMAIN.test(name)) {
    errors.push({
      path: 'metadata.name',
      message: `"${name}" is not a DNS-1123 subdomain (lowercase a-z, 0-9, "-", ".")`,
    });
  }
  const ns = object.metadata.namespace;
  if (ns !== undefined && (ns.length > 63 || !DNS_LABEL.test(ns))) {
    errors.push({ path: 'metadata.namespace', message: `"${ns}" is not a DNS-1123 label` });
  }
  const labelSets: [string, unknown][] = [['metadata.labels', object.metadata.labels]];
  const template = podTemplateOf({ file: '', index: 0, object });
  if (template && template.specPath !== 'spec') {
    labelSets.push([`${template.specPath.replace(/\.spec$/, '')}.metadata.labels`, template.metadata.labels]);
  }
  for (const [path, labels] of labelSets) {
    if (!isRecord(labels)) continue;
    for (const [key, value] of Object.entries(labels)) {
      const keyError = qualifiedKeyError(key);
      if (keyError) errors.push({ path: `${path}.${key}`, message: `label key ${keyError}` });
      if (typeof value === 'string' && (value.length > 63 || !LABEL_VALUE.test(value))) {
        errors.push({
          path: `${path}.${key}`,
          message: `label value "${value}" is not valid (at most 63 alphanumerics, "-", "_", ".")`,
        });
      }
    }
  }
  for (const key of Object.keys(object.metadata.annotations ?? {})) {
    const keyError = qualifiedKeyError(key);
    if (keyError) errors.push({ path: `metadata.annotations.${key}`, message: `annotation key ${keyError}` });
  }
  if (template) {
    for (const ref of containersOf(template.spec)) {
      (ref.container.ports ?? []).forEach((p, i) => {
        const at = `${template.specPath}.${ref.list}[${ref.position}].ports[${i}]`;
        if (portError(p.containerPort)) errors.push({ path: `${at}.containerPort`, message: 'must be 1-65535' });
        if (portError(p.hostPort)) errors.push({ path: `${at}.hostPort`, message: 'must be 1-65535' });
      });
    }
  }
  if (object.kind === 'Service' && isRecord(object.spec) && Array.isArray(object.spec.ports)) {
    object.spec.ports.filter(isRecord).forEach((p, i) => {
      if (portError(p.port)) errors.push({ path: `spec.ports[${i}].port`, message: 'must be 1-65535' });
      if (portError(p.targetPort)) errors.push({ path: `spec.ports[${i}].targetPort`, message: 'must be 1-65535' });
    });
  }
  return errors;
}

/**
 * Validates a built-in object.
 * @returns the errors, or `undefined` when `kubernetes-models` has no such apiVersion/kind
 */
export function validateBuiltin(object: KubeObject): SchemaError[] | undefined {
  const Model = modelFor(object.apiVersion, object.kind);
  if (!Model) return undefined;
  const errors: SchemaError[] = [];
  try {
    new Model(object).validate();
  } catch (error) {
    const ajvErrors: unknown = isRecord(error) ? error.errors : undefined;
    if (Array.isArray(ajvErrors)) errors.push(...describeAjvErrors(ajvErrors as ErrorObject[]));
    else errors.push({ path: '', message: error instanceof Error ? error.message : String(error) });
  }
  return [...errors, ...extraSchemaChecks(object)];
}
