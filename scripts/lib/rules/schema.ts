/** Schema rules: built-in objects against the Kubernetes schemas, custom resources against their CRDs. */
import { isBuiltinApiVersion, validateBuiltin } from '../k8s-schema';
import { splitApiVersion } from '../manifests';
import type { Rule, Violation } from './types';

function at(path: string): string {
  return path ? `${path}: ` : '';
}

/** `schema`: every built-in object validates against the Kubernetes 1.33 schema. */
export const schemaRule: Rule = {
  id: 'schema',
  summary: 'Built-in objects match the Kubernetes 1.33 OpenAPI schema (types, required fields, names, ports).',
  why: 'The API server rejects an invalid object at apply time, after review; catching it here keeps main deployable.',
  fix: 'Correct the field named in the message in the construct that renders it.',
  waivable: false,
  check({ objects }) {
    const out: Violation[] = [];
    for (const target of objects) {
      const { apiVersion, kind } = target.object;
      if (!isBuiltinApiVersion(apiVersion)) continue;
      const errors = validateBuiltin(target.object);
      if (errors === undefined) {
        out.push({
          target,
          message: `kind ${kind} does not exist in ${apiVersion} (Kubernetes 1.33); check the apiVersion and kind`,
        });
        continue;
      }
      for (const e of errors) out.push({ target, message: `${at(e.path)}${e.message}` });
    }
    return out;
  },
};

/** `crd-schema`: every custom resource validates against the schema of its CRD version in `../shared/crds`. */
export const crdSchemaRule: Rule = {
  id: 'crd-schema',
  summary: 'Custom resources match the openAPIV3Schema of their CRD version in ../shared/crds.',
  why: 'An invalid custom resource is rejected at apply time, or worse, accepted and ignored by its controller.',
  fix: 'Correct the field named in the message; for an unknown kind, add its CRD to ../shared/crds or fix the apiVersion.',
  waivable: false,
  check({ objects, crds }) {
    const out: Violation[] = [];
    for (const target of objects) {
      const { apiVersion, kind } = target.object;
      if (isBuiltinApiVersion(apiVersion)) continue;
      const { group, version } = splitApiVersion(apiVersion);
      const def = crds.definition(group, kind);
      if (!def) {
        out.push({
          target,
          message: `no CRD for ${kind} in group ${group} under ${crds.crdDir}; add the CRD there or fix the apiVersion`,
        });
        continue;
      }
      const errors = crds.validate(group, kind, version, target.object);
      if (errors === undefined) {
        const versions = def.versions.map((v) => v.name).join(', ');
        out.push({ target, message: `CRD ${def.file} has no version ${version} for ${kind} (has: ${versions})` });
        continue;
      }
      for (const e of errors) out.push({ target, message: `${at(e.path)}${e.message}` });
    }
    return out;
  },
};
