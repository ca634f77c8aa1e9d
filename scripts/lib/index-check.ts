/**
 * Checks `charts-out/index.json` against the manifests it describes (see `platform/contract.ts`): Pulumi deploys
 * from the index alone (secrets to create, add-ons to install, objects to protect), so an index that disagrees
 * with the YAML breaks the deploy even when every object is valid.
 */
import {
  appAddons,
  CHARTS_INDEX_VERSION,
  checkChartsIndex,
  gatewayHttpListener,
  gatewayHttpsListener,
  LINKERD_INJECT_ANNOTATION,
  manifestDigest,
} from '../../platform/contract';
import type { AppEntry } from '../../platform/contract';
import { INDEX_FILE, isRecord, MANIFEST_EXTENSION, objectRef, splitApiVersion } from './manifests';
import type { KubeObject, ManifestObject } from './manifests';
import { containersOf, podTemplates, stringMap } from './pods';
import { exposedHosts } from './report';
import type { Finding } from './validate';

/** Rule id of index findings. */
export const INDEX_RULE = 'index';

/** Add-on each custom resource group needs. */
const GROUP_ADDONS: Readonly<Record<string, string>> = {
  'monitoring.coreos.com': 'prometheus',
  'projectcontour.io': 'contour',
  'gateway.networking.k8s.io': 'gateway-api',
  'policy.linkerd.io': 'linkerd',
  'linkerd.io': 'linkerd',
  'autoscaling.k8s.io': 'vpa',
  'cert-manager.io': 'cert-manager',
  'keda.sh': 'keda',
};

/** Secret names (and keys, when a reference names one) that the pods of some objects read. */
export function referencedSecrets(objects: readonly ManifestObject[]): Map<string, Set<string>> {
  const refs = new Map<string, Set<string>>();
  const add = (name: unknown, key?: unknown): void => {
    if (typeof name !== 'string') return;
    const keys = refs.get(name) ?? new Set<string>();
    if (typeof key === 'string') keys.add(key);
    refs.set(name, keys);
  };
  for (const t of podTemplates(objects)) {
    for (const ref of containersOf(t.spec)) {
      for (const env of ref.container.env ?? []) {
        const s = env.valueFrom?.secretKeyRef;
        if (s && s.optional !== true) add(s.name, s.key);
      }
      for (const from of ref.container.envFrom ?? []) {
        if (from.secretRef && from.secretRef.optional !== true) add(from.secretRef.name);
      }
    }
    for (const v of t.spec.volumes ?? []) {
      if (v.secret && v.secret.optional !== true) add(v.secret.secretName);
      for (const source of v.projected?.sources ?? []) {
        if (source.secret && source.secret.optional !== true) add(source.secret.name);
      }
    }
    for (const pull of t.spec.imagePullSecrets ?? []) add(pull.name);
  }
  return refs;
}

/** The hosts of an HTTPRoute or GRPCRoute that attaches to their (HTTPS or plain-HTTP) listeners of the Gateway. */
function gatewayHostsOf(object: KubeObject, listener: (host: string) => string): string[] {
  if (object.kind !== 'HTTPRoute' && object.kind !== 'GRPCRoute') return [];
  const spec = isRecord(object.spec) ? object.spec : {};
  const sections = new Set(
    (Array.isArray(spec.parentRefs) ? spec.parentRefs : []).filter(isRecord).map((r) => String(r.sectionName ?? '')),
  );
  return (Array.isArray(spec.hostnames) ? spec.hostnames.map(String) : []).filter((h) => sections.has(listener(h)));
}

function addonsNeeded(objects: readonly ManifestObject[], meshed: boolean): Set<string> {
  const needed = new Set<string>(appAddons({ addons: [], meshed }));
  for (const { object } of objects) {
    const addon = GROUP_ADDONS[splitApiVersion(object.apiVersion).group];
    if (addon) needed.add(addon);
    if (object.kind === 'Ingress' && isRecord(object.spec) && object.spec.ingressClassName === 'nginx') {
      needed.add('ingress-nginx');
    }
  }
  return needed;
}

function checkEntry(entry: AppEntry, text: string, objects: readonly ManifestObject[]): string[] {
  const problems: string[] = [];
  if (entry.digest !== manifestDigest(text)) {
    problems.push(`digest of ${entry.file} does not match the file; re-run npm run synth and commit both`);
  }
  for (const { object } of objects) {
    const ns = object.metadata.namespace;
    if (ns !== undefined && ns !== entry.namespace) {
      problems.push(`${objectRef(object)} is in namespace ${ns}, not the app namespace ${entry.namespace}`);
    }
  }
  const declared = new Map(entry.secrets.map((s) => [s.name, new Set(s.keys)]));
  for (const [name, keys] of referencedSecrets(objects)) {
    const have = declared.get(name);
    if (!have) {
      problems.push(`Secret ${name} is read by the pods but not declared in secrets; declare it with requireSecret()`);
      continue;
    }
    const missing = [...keys].filter((k) => !have.has(k));
    if (missing.length > 0) problems.push(`Secret ${name} lacks keys ${missing.join(', ')} that the pods read`);
  }
  const hosts = [...new Set(objects.flatMap((o) => exposedHosts(o.object)))].sort();
  if (JSON.stringify(hosts) !== JSON.stringify([...entry.hosts].sort())) {
    problems.push(
      `hosts ${JSON.stringify(entry.hosts)} differ from the hosts the routes expose ${JSON.stringify(hosts)}`,
    );
  }
  for (const [field, listener, over] of [
    ['gatewayHttpsHosts', gatewayHttpsListener, 'an HTTPS'],
    ['gatewayHttpHosts', gatewayHttpListener, 'a plain-HTTP'],
  ] as const) {
    const found = [...new Set(objects.flatMap((o) => gatewayHostsOf(o.object, listener)))].sort();
    const recorded = entry[field] ?? [];
    if (JSON.stringify(found) !== JSON.stringify([...recorded].sort())) {
      problems.push(
        `${field} ${JSON.stringify(recorded)} differ from the hosts whose routes attach to ${over} listener of the platform Gateway ${JSON.stringify(found)}; Pulumi would create the wrong listeners`,
      );
    }
  }
  const nsObject = objects.find((o) => o.object.kind === 'Namespace');
  const meshed = nsObject
    ? stringMap(nsObject.object.metadata.annotations)[LINKERD_INJECT_ANNOTATION] === 'enabled'
    : entry.meshed;
  if (meshed !== entry.meshed) {
    problems.push(
      `meshed is ${entry.meshed} but the Namespace is ${meshed ? '' : 'not '}annotated ${LINKERD_INJECT_ANNOTATION}: enabled`,
    );
  }
  const missingAddons = [...addonsNeeded(objects, entry.meshed)].filter(
    (a) => !(entry.addons as readonly string[]).includes(a),
  );
  if (missingAddons.length > 0) {
    problems.push(`addons lacks ${missingAddons.join(', ')}, which the manifests use; Pulumi would not install them`);
  }
  const stateful = new Set(entry.stateful.map((s) => `${s.kind}/${s.name}`));
  for (const { object } of objects) {
    const owns =
      object.kind === 'PersistentVolumeClaim' ||
      (object.kind === 'StatefulSet' &&
        isRecord(object.spec) &&
        Array.isArray(object.spec.volumeClaimTemplates) &&
        object.spec.volumeClaimTemplates.length > 0);
    if (owns && !stateful.has(`${object.kind}/${object.metadata.name}`)) {
      problems.push(
        `${object.kind}/${object.metadata.name} owns volumes but is not listed in stateful (no deletion protection)`,
      );
    }
  }
  return problems;
}

/**
 * Checks an index against the manifest files of the same folder.
 * @param index the parsed `index.json`, or undefined when absent
 * @param texts file name → contents of the `*.k8s.yaml` files
 * @param objects the objects parsed from those files
 */
export function checkIndex(
  index: unknown,
  texts: ReadonlyMap<string, string>,
  objects: readonly ManifestObject[],
): Finding[] {
  const finding = (object: string, message: string): Finding => ({
    file: INDEX_FILE,
    object,
    rule: INDEX_RULE,
    message,
  });
  if (index === undefined) return [finding('index', `${INDEX_FILE} is missing; run npm run synth`)];
  const out: Finding[] = [];
  // A version mismatch is reported, and the entries checked as if it were this version's.
  const version = isRecord(index) ? index.version : undefined;
  if (isRecord(index) && version !== CHARTS_INDEX_VERSION) {
    out.push(finding('index', `version ${version} is not ${CHARTS_INDEX_VERSION}; re-run npm run synth`));
  }
  const checked = checkChartsIndex(isRecord(index) ? { ...index, version: CHARTS_INDEX_VERSION } : index);
  if (!('index' in checked)) {
    const { path, problem } = checked.problem;
    return [...out, finding('index', `${INDEX_FILE} is not a charts index: ${path} ${problem}`)];
  }
  const idx = checked.index;
  const listed = new Set(idx.apps.map((a) => a.file));
  for (const file of texts.keys()) {
    if (file.endsWith(MANIFEST_EXTENSION) && !listed.has(file))
      out.push(finding('index', `${file} is not listed in apps`));
  }
  for (const entry of idx.apps) {
    const text = texts.get(entry.file);
    if (text === undefined) {
      out.push(finding(`app ${entry.name}`, `file ${entry.file} does not exist`));
      continue;
    }
    const own = objects.filter((o) => o.file === entry.file);
    for (const message of checkEntry(entry, text, own)) out.push(finding(`app ${entry.name}`, message));
  }
  return out;
}
