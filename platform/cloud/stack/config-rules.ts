/**
 * Rules of the stack config that need more than a type check, kept out of `config.ts` (which reads and shapes the
 * config): API-endpoint CIDRs, the GCP project id, and the `tls.dns01` solver checked against cert-manager's own
 * schema. Each rule returns a problem (what is wrong and the fix) or undefined; the caller throws the stack config
 * error with the key and the value, before any resource is registered.
 */
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { addonCrdFile } from '../addons/crds';
import type { EksAccessEntry } from '../eks-hardening';
import { CERT_MANAGER_CHART } from '../versions';

/**
 * The widest API-endpoint CIDR accepted without opt-in: a /24 (256 addresses, an office or a VPN egress range).
 * Wider ranges need `allowWideEndpointCidrs: true` in the cloud's section; `/0` is refused even then.
 */
export const ENDPOINT_CIDR_MIN_PREFIX = 24;

/** The config key (in `gke` or `eks`) that accepts endpoint CIDRs wider than {@link ENDPOINT_CIDR_MIN_PREFIX}. */
export const WIDE_CIDR_OPT_IN = 'allowWideEndpointCidrs';

const IPV4_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** The canonical form of an IPv4 CIDR: its network address (host bits cleared) and prefix. */
function canonical(octets: number[], prefix: number): string {
  const address = octets.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - prefix);
  const network = Math.floor(address / size) * size;
  const out = [24, 16, 8, 0].map((shift) => Math.floor(network / 2 ** shift) % 256);
  return `${out.join('.')}/${prefix}`;
}

/**
 * What is wrong with one API-endpoint CIDR, or undefined. Refused: anything but a dotted-quad IPv4 CIDR with
 * octets 0-255 without leading zeros and a prefix 0-32 (`999.999.999.999/32`); a CIDR with host bits set
 * (`10.1.2.3/8`, which means `10.0.0.0/8` and most likely is a typo); any `/0` (the whole internet); and, unless
 * `wideAllowed`, a prefix shorter than {@link ENDPOINT_CIDR_MIN_PREFIX}.
 */
export function endpointCidrProblem(cidr: string, optInKey: string, wideAllowed: boolean): string | undefined {
  const match = IPV4_CIDR.exec(cidr);
  const parts = match?.slice(1, 5) ?? [];
  const octets = parts.map(Number);
  const prefix = Number(match?.[5]);
  if (!match || parts.some((p) => p.length > 1 && p.startsWith('0')) || octets.some((o) => o > 255) || prefix > 32) {
    return 'is not an IPv4 CIDR (four numbers 0-255, a prefix 0-32), e.g. 203.0.113.7/32';
  }
  if (match[5].length > 1 && match[5].startsWith('0')) return `is not canonical; write ${canonical(octets, prefix)}`;
  if (prefix === 0) {
    return 'opens the API endpoint to the whole internet, which this platform never does; allow your own address (x.y.z.w/32)';
  }
  const network = canonical(octets, prefix);
  if (network !== cidr) {
    return `has host bits set (it means ${network}); write ${network}, or x.y.z.w/32 for a single address`;
  }
  if (prefix < ENDPOINT_CIDR_MIN_PREFIX && !wideAllowed) {
    return (
      `is wider than /${ENDPOINT_CIDR_MIN_PREFIX} (${2 ** (32 - prefix)} addresses); narrow it, or set ` +
      `${optInKey} to true if that range really is yours`
    );
  }
  return undefined;
}

const GCP_PROJECT_ID = /^[a-z][-a-z0-9]{4,28}[a-z0-9]$/;

/** What is wrong with a GCP project id (6-30 lowercase letters, digits and hyphens, starting with a letter). */
export function gcpProjectProblem(project: string): string | undefined {
  if (GCP_PROJECT_ID.test(project)) return undefined;
  return (
    'is not a GCP project id (6-30 lowercase letters, digits and hyphens, starting with a letter, not ending with ' +
    'a hyphen; the id, not the display name or number): see `gcloud projects list`'
  );
}

/** The part of an OpenAPI v3 schema of a CRD that the dns01 check reads. */
interface Schema {
  readonly type?: string;
  readonly properties?: Readonly<Record<string, Schema>>;
  readonly required?: readonly string[];
  readonly items?: Schema;
  readonly enum?: readonly unknown[];
  readonly additionalProperties?: Schema | boolean;
  readonly 'x-kubernetes-preserve-unknown-fields'?: boolean;
  readonly 'x-kubernetes-int-or-string'?: boolean;
}

/** What is wrong with `value` against `schema`, as `path: problem`, or undefined. */
function schemaProblem(schema: Schema, value: unknown, path: string): string | undefined {
  if (schema['x-kubernetes-int-or-string']) {
    return typeof value === 'string' || Number.isInteger(value)
      ? undefined
      : `${path}: expected a string or an integer`;
  }
  if (schema.enum && !schema.enum.includes(value)) return `${path}: allowed: ${schema.enum.join(', ')}`;
  switch (schema.type) {
    case 'string':
      return typeof value === 'string' ? undefined : `${path}: expected a string`;
    case 'boolean':
      return typeof value === 'boolean' ? undefined : `${path}: expected true or false`;
    case 'integer':
      return Number.isInteger(value) ? undefined : `${path}: expected an integer`;
    case 'array': {
      if (!Array.isArray(value)) return `${path}: expected a list`;
      for (const [i, item] of value.entries()) {
        const problem = schema.items && schemaProblem(schema.items, item, `${path}[${i}]`);
        if (problem) return problem;
      }
      return undefined;
    }
    case 'object': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return `${path}: expected an object`;
      const record = value as Record<string, unknown>;
      const missing = (schema.required ?? []).find((k) => record[k] === undefined);
      if (missing) return `${path}.${missing}: required`;
      for (const [key, v] of Object.entries(record)) {
        const sub =
          schema.properties?.[key] ??
          (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined);
        if (sub === undefined) {
          if (schema['x-kubernetes-preserve-unknown-fields'] || schema.additionalProperties === true) continue;
          return `${path}.${key}: unknown field; known: ${Object.keys(schema.properties ?? {}).join(', ')}`;
        }
        const problem = schemaProblem(sub, v, `${path}.${key}`);
        if (problem) return problem;
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

let dns01Schema: Schema | undefined;

/** The `dns01` solver schema of the pinned cert-manager's ClusterIssuer CRD (read once). */
function clusterIssuerDns01Schema(): Schema {
  if (dns01Schema) return dns01Schema;
  const file = addonCrdFile(CERT_MANAGER_CHART);
  if (file === undefined) throw new Error(`the CRDs of cert-manager ${CERT_MANAGER_CHART.version} are not committed`);
  const crd = parseAllDocuments(readFileSync(file, 'utf8'))
    .map(
      (d) =>
        d.toJS() as { metadata?: { name?: string }; spec?: { versions?: { schema: { openAPIV3Schema: Schema } }[] } },
    )
    .find((d) => d?.metadata?.name === 'clusterissuers.cert-manager.io');
  const root = crd?.spec?.versions?.[0]?.schema.openAPIV3Schema;
  const schema = root?.properties?.spec?.properties?.acme?.properties?.solvers?.items?.properties?.dns01;
  if (!schema) throw new Error('clusterissuers.cert-manager.io has no spec.acme.solvers[].dns01 schema');
  dns01Schema = schema;
  return schema;
}

/** The DNS providers a cert-manager dns01 solver can name (the schema's properties besides its options). */
export function dns01Providers(): string[] {
  return Object.keys(clusterIssuerDns01Schema().properties ?? {}).filter((k) => k !== 'cnameStrategy');
}

/**
 * What is wrong with a `tls.dns01` solver, or undefined: it must name exactly one DNS provider of the pinned
 * cert-manager and match cert-manager's schema for it (required fields, known fields, types), so that a typo is
 * refused by `pulumi up` before any resource instead of by the API server after the add-ons are installed.
 */
export function dns01Problem(dns01: Readonly<Record<string, unknown>>): string | undefined {
  const providers = dns01Providers();
  const named = Object.keys(dns01).filter((k) => providers.includes(k));
  if (named.length !== 1) {
    return `must name exactly one DNS provider (${providers.join(', ')}), e.g. { cloudDNS: { project: "my-project" } }`;
  }
  const problem = schemaProblem(clusterIssuerDns01Schema(), dns01, 'dns01');
  return problem && `${problem} (cert-manager ${CERT_MANAGER_CHART.version} ClusterIssuer schema)`;
}

const IAM_PRINCIPAL_ARN = /^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/[\w+=,.@/-]+$/;

/**
 * `eks.accessEntries`: principals (IAM role or user ARNs) given `admin` or `view` access to the cluster besides its
 * creator. Returns the entries, or a problem naming the entry (`[i]`) and the fix.
 */
export function eksAccessEntries(value: unknown): { entries: EksAccessEntry[] } | { problem: string } {
  if (value === undefined) return { entries: [] };
  if (!Array.isArray(value)) return { problem: 'expected a list of { principalArn, access: admin | view }' };
  const entries: EksAccessEntry[] = [];
  for (const [i, entry] of value.entries()) {
    const record = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>;
    const unknownKey = Object.keys(record).find((k) => k !== 'principalArn' && k !== 'access');
    if (unknownKey) return { problem: `[${i}].${unknownKey} is not a setting; known: principalArn, access` };
    if (typeof record.principalArn !== 'string' || !IAM_PRINCIPAL_ARN.test(record.principalArn)) {
      return {
        problem: `[${i}].principalArn must be an IAM role or user ARN, e.g. arn:aws:iam::123456789012:role/admins`,
      };
    }
    if (record.access !== 'admin' && record.access !== 'view')
      return { problem: `[${i}].access must be admin or view` };
    entries.push({ principalArn: record.principalArn, access: record.access });
  }
  return { entries };
}
