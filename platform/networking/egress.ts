/**
 * Egress to destinations outside the app graph (a platform add-on in another namespace, a public API on the
 * Internet, a managed database's IP range): the workload's NetworkPolicy allows exactly these, besides its
 * declared dependencies and DNS.
 */
import type { PropKeys } from '../core/known-props';
import type { PropValidator } from '../core/validate';
import type { CidrPeer, EgressPeer, EgressRule, NamespacePeer } from '../core/graph';

export type { CidrPeer, EgressPeer, EgressRule, NamespacePeer };

/**
 * Address ranges `'internet'` leaves out: private (RFC 1918, RFC 4193), shared (RFC 6598), loopback and
 * link-local ranges, so that an Internet rule never opens the cluster's own pods and nodes or the cloud metadata
 * endpoint (169.254.169.254).
 */
export const INTERNET_EXCEPT: Readonly<Record<'ipv4' | 'ipv6', readonly string[]>> = {
  ipv4: ['10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12', '192.168.0.0/16'],
  ipv6: ['::1/128', 'fc00::/7', 'fe80::/10'],
};

/**
 * Ranges a CIDR rule may not reach unless its `except` leaves them out: loopback, link-local (the cloud metadata
 * endpoint 169.254.169.254 and its IPv6 twin) and IPv4-mapped IPv6, which `'internet'` excludes too.
 */
const FORBIDDEN_RANGES: readonly { cidr: string; what: string }[] = [
  { cidr: '127.0.0.0/8', what: 'loopback' },
  { cidr: '169.254.0.0/16', what: 'link-local (cloud metadata)' },
  { cidr: '::1/128', what: 'loopback' },
  { cidr: 'fe80::/10', what: 'link-local (cloud metadata)' },
  { cidr: '::ffff:0:0/96', what: 'IPv4-mapped link-local and loopback' },
];
/** The widest CIDR rule per family; anything wider is the Internet, which `'internet'` describes safely. */
const WIDEST_PREFIX = { 4: 8, 6: 16 } as const;
const INTERNET_FIX =
  'use to: "internet" (public addresses only: private, loopback and link-local ranges, cloud metadata included, stay denied), or a narrower range, or list the reserved range in except';

const IPV4_CIDR = /^((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\/(3[0-2]|[12]?\d)$/;
const IPV6_CIDR = /^[0-9a-fA-F:]*:[0-9a-fA-F:]*\/(12[0-8]|1[01]\d|[1-9]?\d)$/;

const EGRESS_RULE_KEYS: PropKeys<EgressRule> = { to: true, ports: true };
const PEER_KEYS: PropKeys<NamespacePeer | CidrPeer> = { namespace: true, podLabels: true, cidr: true, except: true };

/** Validates an egress rule; `prop` names it in errors (`allowEgress`). */
export function validateEgressRule(v: PropValidator, prop: string, rule: EgressRule): EgressRule {
  if (typeof rule !== 'object' || rule === null)
    v.fail(prop, `${JSON.stringify(rule)} is not an egress rule`, 'write it like { to: "internet", ports: [443] }');
  v.knownProps(prop, rule, EGRESS_RULE_KEYS, 'egress rule');
  v.knownProps(`${prop}.to`, rule.to, PEER_KEYS, 'egress peer');
  if (rule.to !== 'internet') validatePeer(v, `${prop}.to`, rule.to);
  if (!Array.isArray(rule.ports) || !rule.ports.length)
    v.fail(`${prop}.ports`, 'is empty', 'give the TCP ports of the destination, e.g. [443]');
  rule.ports.forEach((p, i) => v.port(`${prop}.ports[${i}]`, p));
  v.unique(`${prop}.ports`, rule.ports);
  return rule;
}

function validatePeer(v: PropValidator, prop: string, to: NamespacePeer | CidrPeer): void {
  if (typeof to === 'object' && to !== null && 'namespace' in to) {
    v.dnsLabel(`${prop}.namespace`, to.namespace);
    for (const [key, value] of Object.entries(to.podLabels ?? {})) {
      v.metadataKey(`${prop}.podLabels.${key}`, key, 'label');
      v.labelValue(`${prop}.podLabels.${key}`, value);
    }
  } else if (typeof to === 'object' && to !== null && 'cidr' in to) {
    const range = cidr(v, `${prop}.cidr`, to.cidr);
    const except = (to.except ?? []).map((c, i) => cidr(v, `${prop}.except[${i}]`, c));
    if (range.prefix < WIDEST_PREFIX[range.family]) {
      v.fail(`${prop}.cidr`, `${JSON.stringify(to.cidr)} is wider than /${WIDEST_PREFIX[range.family]}`, INTERNET_FIX);
    }
    for (const forbidden of FORBIDDEN_RANGES) {
      const reserved = parseCidr(forbidden.cidr) as Range;
      if (overlaps(range, reserved) && !except.some((e) => contains(e, reserved))) {
        v.fail(
          `${prop}.cidr`,
          `${JSON.stringify(to.cidr)} overlaps the ${forbidden.what} range ${forbidden.cidr}`,
          INTERNET_FIX,
        );
      }
    }
  } else {
    v.fail(
      prop,
      `${JSON.stringify(to)} is not a destination`,
      'use "internet", { namespace: "monitoring", podLabels: {...} } or { cidr: "203.0.113.0/24" }',
    );
  }
}

/** A parsed range: address family, network address as a number, prefix length. */
interface Range {
  readonly family: 4 | 6;
  readonly address: bigint;
  readonly prefix: number;
}

function cidr(v: PropValidator, prop: string, value: string): Range {
  const range =
    typeof value === 'string' && (IPV4_CIDR.test(value) || IPV6_CIDR.test(value)) ? parseCidr(value) : undefined;
  if (!range) {
    v.fail(prop, `${JSON.stringify(value)} is not a CIDR range`, 'write it like "203.0.113.0/24" or "2001:db8::/32"');
  }
  return range;
}

/** Parses `a.b.c.d/n` or an IPv6 range (with `::`); `undefined` when the address does not parse. */
function parseCidr(value: string): Range | undefined {
  const [ip, bits] = value.split('/');
  const prefix = Number(bits);
  if (ip.includes('.')) {
    const address = ip.split('.').reduce((n, octet) => (n << 8n) | BigInt(Number(octet)), 0n);
    return { family: 4, address, prefix };
  }
  const halves = ip.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  const missing = 8 - head.length - tail.length;
  if (
    (halves.length === 2 ? missing < 1 : missing !== 0) ||
    [...head, ...tail].some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))
  )
    return undefined;
  const all = [...head, ...Array<string>(missing).fill('0'), ...tail];
  return { family: 6, address: all.reduce((n, g) => (n << 16n) | BigInt(parseInt(g, 16)), 0n), prefix };
}

/** The first `bits` bits of a range's address. */
function head(range: Range, bits: number): bigint {
  return range.address >> BigInt((range.family === 4 ? 32 : 128) - bits);
}

function overlaps(a: Range, b: Range): boolean {
  if (a.family !== b.family) return false;
  const bits = Math.min(a.prefix, b.prefix);
  return head(a, bits) === head(b, bits);
}

/** Whether `outer` contains all of `inner`. */
function contains(outer: Range, inner: Range): boolean {
  return (
    outer.family === inner.family &&
    outer.prefix <= inner.prefix &&
    head(outer, outer.prefix) === head(inner, outer.prefix)
  );
}
