/**
 * Local JSON schemas for kubeconform, which never downloads: the Kubernetes ones from PyPI's
 * `kubernetes-validate` (their `$ref`s made absolute, which kubeconform resolves as files), and the CRDs of
 * `../shared/crds` converted the way kubeconform's `openapi2jsonschema` does (strict objects, `nullable`,
 * int-or-string). Written once per input digest into the cache, outside the repository.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

type Schema = Record<string, unknown>;

/**
 * A CRD version's `openAPIV3Schema` as a strict JSON schema: objects that list their properties refuse others
 * (unless they preserve unknown fields), `nullable` admits `null`, and int-or-string fields take either.
 */
export function crdJsonSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(crdJsonSchema);
  if (typeof schema !== 'object' || schema === null) return schema;
  const source = schema as Schema;
  const out: Schema = {};
  for (const [key, value] of Object.entries(source)) {
    if (key === 'properties' || key === 'patternProperties' || key === 'definitions') {
      out[key] = Object.fromEntries(Object.entries(value as Schema).map(([k, v]) => [k, crdJsonSchema(v)]));
    } else if (key === 'nullable' || key === 'x-kubernetes-int-or-string') {
      continue;
    } else {
      out[key] = crdJsonSchema(value);
    }
  }
  if (source['x-kubernetes-int-or-string'] === true) {
    delete out.type;
    out.oneOf = [{ type: 'string' }, { type: 'integer' }];
  }
  if (source.nullable === true && typeof out.type === 'string') out.type = [out.type, 'null'];
  if (
    out.properties !== undefined &&
    out.additionalProperties === undefined &&
    source['x-kubernetes-preserve-unknown-fields'] !== true
  ) {
    out.additionalProperties = false;
  }
  return out;
}

/** A CRD version's root schema: {@link crdJsonSchema}, where `apiVersion`, `kind` and `metadata` are always allowed. */
export function crdRootSchema(schema: unknown): unknown {
  const root = crdJsonSchema(schema) as Schema;
  const implicit = { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' } };
  return { ...root, properties: { ...implicit, ...(root.properties as Schema | undefined) } };
}

/** Where {@link prepareKubeconformSchemas} put the schemas, as kubeconform `-schema-location` templates. */
export interface SchemaLocations {
  readonly kubernetes: string;
  readonly crds: string;
}

/**
 * Writes (once per digest of the inputs) the schemas kubeconform reads, and returns their location templates.
 * @param kubernetesSchemas a `kubernetes-validate` `<version>-local-strict` folder
 * @param crdDir folder of CRD YAML files
 * @param cacheDir parent folder of the prepared schema sets
 */
export function prepareKubeconformSchemas(
  kubernetesSchemas: string,
  crdDir: string,
  cacheDir: string,
): SchemaLocations {
  const crdFiles = readdirSync(crdDir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
  // This converter is an input too: a change to it writes a new set.
  const digest = createHash('sha256').update(kubernetesSchemas).update(readFileSync(__filename));
  for (const f of crdFiles) digest.update(f).update(readFileSync(join(crdDir, f)));
  const dir = join(cacheDir, `kubeconform-schemas-${digest.digest('hex').slice(0, 12)}`);
  const locations = {
    kubernetes: `${dir}/k8s/{{ .ResourceKind }}{{ .KindSuffix }}.json`,
    crds: `${dir}/crds/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json`,
  };
  if (existsSync(dir)) return locations;

  const staging = `${dir}.tmp-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(join(staging, 'k8s'), { recursive: true });
  // The refs point at "/api/_definitions.json", a URL path of upstream's server; here it is the file beside them.
  const definitions = `file://${dir}/k8s/_definitions.json#`;
  for (const f of readdirSync(kubernetesSchemas).filter((name) => name.endsWith('.json'))) {
    const text = readFileSync(join(kubernetesSchemas, f), 'utf8').replaceAll(
      '"/api/_definitions.json#',
      `"${definitions}`,
    );
    writeFileSync(join(staging, 'k8s', f), text);
  }
  for (const f of crdFiles) {
    for (const doc of parseAllDocuments(readFileSync(join(crdDir, f), 'utf8'))) {
      const crd = doc.toJS() as CrdDocument | null;
      if (crd?.kind !== 'CustomResourceDefinition') continue;
      const kind = crd.spec.names.kind.toLowerCase();
      for (const version of crd.spec.versions) {
        const schema = version.schema?.openAPIV3Schema;
        if (!schema) continue;
        mkdirSync(join(staging, 'crds', crd.spec.group), { recursive: true });
        writeFileSync(
          join(staging, 'crds', crd.spec.group, `${kind}_${version.name}.json`),
          JSON.stringify(crdRootSchema(schema)),
        );
      }
    }
  }
  renameSync(staging, dir);
  return locations;
}

interface CrdDocument {
  readonly kind: string;
  readonly spec: {
    readonly group: string;
    readonly names: { readonly kind: string };
    readonly versions: readonly { readonly name: string; readonly schema?: { readonly openAPIV3Schema?: unknown } }[];
  };
}
