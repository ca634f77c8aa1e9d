/**
 * NetworkPolicy rules in words, for reviews: `allow orders → cache:6379`. A rule is identified by its peers and
 * ports (the whole rule), so a rule inserted before others reads as one insertion, not as every later rule changed.
 */
import { LABEL, NAMESPACE_NAME_LABEL } from '../../platform/contract';
import { isRecord } from './manifests';
import type { KubeObject } from './manifests';

/** A value as JSON with object keys sorted, so equal values give equal text whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isRecord(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Who a label selector picks: its workload name label, else its labels, else everything. */
function selected(selector: unknown, everything: string): string {
  const labels = isRecord(selector) && isRecord(selector.matchLabels) ? selector.matchLabels : {};
  const name = labels[LABEL.name];
  if (typeof name === 'string') return name;
  const pairs = Object.entries(labels).map(([k, v]) => `${k}=${String(v)}`);
  if (isRecord(selector) && Array.isArray(selector.matchExpressions) && selector.matchExpressions.length)
    pairs.push(`${selector.matchExpressions.length} expressions`);
  return pairs.length ? `{${pairs.join(', ')}}` : everything;
}

/** One peer of a rule: `cache`, `monitoring/prometheus`, `namespace ingress-nginx`, `0.0.0.0/0 except ...`. */
function peer(p: unknown): string {
  if (!isRecord(p)) return String(p);
  if (isRecord(p.ipBlock)) {
    const except = Array.isArray(p.ipBlock.except) ? p.ipBlock.except : [];
    return `${String(p.ipBlock.cidr)}${except.length ? ` except ${except.length} ranges` : ''}`;
  }
  const pods = p.podSelector === undefined ? undefined : selected(p.podSelector, 'all pods');
  if (p.namespaceSelector === undefined) return pods ?? 'anything';
  const byName = isRecord(p.namespaceSelector) && isRecord(p.namespaceSelector.matchLabels);
  const name = byName
    ? (p.namespaceSelector as { matchLabels: Record<string, unknown> }).matchLabels[NAMESPACE_NAME_LABEL]
    : undefined;
  const namespace = typeof name === 'string' ? name : selected(p.namespaceSelector, 'all namespaces');
  return pods === undefined ? `namespace ${namespace}` : `${namespace}/${pods}`;
}

function ports(rule: Record<string, unknown>): string {
  if (!Array.isArray(rule.ports) || rule.ports.length === 0) return '';
  const list = rule.ports.map((p) =>
    isRecord(p) ? `${String(p.port ?? '*')}${p.protocol && p.protocol !== 'TCP' ? `/${String(p.protocol)}` : ''}` : '',
  );
  return `:${list.join(',')}`;
}

/** A rule in words, always from caller to callee: `allow orders → cache:6379` is orders' egress or cache's ingress. */
export function describeRule(policy: KubeObject, direction: 'ingress' | 'egress', rule: unknown): string {
  const spec = isRecord(policy.spec) ? policy.spec : {};
  const subject = selected(spec.podSelector, 'all pods');
  const r = isRecord(rule) ? rule : {};
  const peers = r[direction === 'ingress' ? 'from' : 'to'];
  const others = Array.isArray(peers) && peers.length ? peers.map(peer).join(' | ') : 'anything';
  return direction === 'ingress'
    ? `allow ${others} → ${subject}${ports(r)}`
    : `allow ${subject} → ${others}${ports(r)}`;
}

/**
 * The rules added to and removed from a NetworkPolicy, in words (`+ allow orders → cache:6379`), matched by
 * identity (peers and ports); empty for other kinds.
 */
export function networkPolicyRuleChanges(before: KubeObject, after: KubeObject): string[] {
  if (after.kind !== 'NetworkPolicy' || before.kind !== 'NetworkPolicy') return [];
  const rulesOf = (o: KubeObject, direction: 'ingress' | 'egress'): unknown[] => {
    const list = isRecord(o.spec) ? o.spec[direction] : undefined;
    return Array.isArray(list) ? list : [];
  };
  const out: string[] = [];
  for (const direction of ['ingress', 'egress'] as const) {
    const old = new Set(rulesOf(before, direction).map(canonicalJson));
    const now = new Set(rulesOf(after, direction).map(canonicalJson));
    for (const r of rulesOf(before, direction))
      if (!now.has(canonicalJson(r))) out.push(`- ${describeRule(before, direction, r)}`);
    for (const r of rulesOf(after, direction))
      if (!old.has(canonicalJson(r))) out.push(`+ ${describeRule(after, direction, r)}`);
  }
  return out;
}
