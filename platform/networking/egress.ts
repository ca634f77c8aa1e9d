/**
 * Egress to destinations outside the app graph (a platform add-on in another namespace, a public API on the
 * Internet, a managed database's IP range): the workload's NetworkPolicy allows exactly these, besides its
 * declared dependencies and DNS.
 */
import type { PropValidator } from '../core/validate';

/** Pods in another namespace, optionally only those carrying `podLabels`. */
export interface NamespacePeer {
  /** The namespace (matched by its `kubernetes.io/metadata.name` label). */
  readonly namespace: string;
  /**
   * Labels the destination pods carry.
   * @default every pod of the namespace
   */
  readonly podLabels?: Readonly<Record<string, string>>;
}

/** An IP range, minus exceptions. */
export interface CidrPeer {
  /** The range: `203.0.113.0/24`, `2001:db8::/32`. */
  readonly cidr: string;
  /**
   * Sub-ranges of `cidr` that stay denied.
   * @default none
   */
  readonly except?: readonly string[];
}

/**
 * Where an egress rule allows connections to: `'internet'` (every public IPv4 and IPv6 address, see
 * {@link INTERNET_EXCEPT}), pods of another namespace, or an IP range.
 */
export type EgressPeer = 'internet' | NamespacePeer | CidrPeer;

/** Connections a workload may open to something outside its app. */
export interface EgressRule {
  /** The destination. */
  readonly to: EgressPeer;
  /** TCP ports of the destination (at least one). */
  readonly ports: readonly number[];
}

/**
 * Address ranges `'internet'` leaves out: private (RFC 1918, RFC 4193), shared (RFC 6598), loopback and
 * link-local ranges, so that an Internet rule never opens the cluster's own pods and nodes or the cloud metadata
 * endpoint (169.254.169.254).
 */
export const INTERNET_EXCEPT: Readonly<Record<'ipv4' | 'ipv6', readonly string[]>> = {
  ipv4: ['10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12', '192.168.0.0/16'],
  ipv6: ['::1/128', 'fc00::/7', 'fe80::/10'],
};

const IPV4_CIDR = /^((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\/(3[0-2]|[12]?\d)$/;
const IPV6_CIDR = /^[0-9a-fA-F:]*:[0-9a-fA-F:]*\/(12[0-8]|1[01]\d|[1-9]?\d)$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Validates an egress rule; `prop` names it in errors (`allowEgress`). */
export function validateEgressRule(v: PropValidator, prop: string, rule: EgressRule): EgressRule {
  if (rule.to !== 'internet') validatePeer(v, `${prop}.to`, rule.to);
  if (!rule.ports?.length) v.fail(`${prop}.ports`, 'is empty', 'give the TCP ports of the destination, e.g. [443]');
  rule.ports.forEach((p, i) => v.port(`${prop}.ports[${i}]`, p));
  v.unique(`${prop}.ports`, rule.ports);
  return rule;
}

function validatePeer(v: PropValidator, prop: string, to: NamespacePeer | CidrPeer): void {
  if (typeof to === 'object' && to !== null && 'namespace' in to) {
    v.dnsLabel(`${prop}.namespace`, to.namespace);
    for (const [key, value] of Object.entries(to.podLabels ?? {})) {
      if (!LABEL_VALUE.test(value) || value.length > 63) {
        v.fail(
          `${prop}.podLabels.${key}`,
          `${JSON.stringify(value)} is not a valid label value`,
          'use at most 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit',
        );
      }
    }
  } else if (typeof to === 'object' && to !== null && 'cidr' in to) {
    cidr(v, `${prop}.cidr`, to.cidr);
    (to.except ?? []).forEach((c, i) => cidr(v, `${prop}.except[${i}]`, c));
  } else {
    v.fail(
      prop,
      `${JSON.stringify(to)} is not a destination`,
      'use "internet", { namespace: "monitoring", podLabels: {...} } or { cidr: "203.0.113.0/24" }',
    );
  }
}

function cidr(v: PropValidator, prop: string, value: string): void {
  if (!IPV4_CIDR.test(value) && !IPV6_CIDR.test(value)) {
    v.fail(prop, `${JSON.stringify(value)} is not a CIDR range`, 'write it like "203.0.113.0/24" or "2001:db8::/32"');
  }
}
