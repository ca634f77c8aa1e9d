/**
 * Issue 26, item 7: `diff` matches list entries by identity, so adding `orders.connectTo(cache)` reads as the
 * insertion it is ("+ allow orders → cache:6379"), not as the Prometheus rule "changed into" a Redis rule.
 */
import { Testing } from 'cdk8s';
import { Database, PlatformChart, Service } from '../../platform';
import { diffManifests, diffValues, formatDiff, formatFieldChange } from '../../scripts/lib/diff';
import { ManifestYamlWriter } from '../../platform/core/yaml';

/** The `shop` app's manifests, with or without the orders → cache edge. */
function shop(connectCache: boolean): Map<string, string> {
  const chart = new PlatformChart(Testing.app(), 'shop');
  const orders = new Service(chart, 'orders', { image: 'ghcr.io/stefanprodan/podinfo:6.7.1', port: 9898 });
  const db = new Database(chart, 'db', { engine: 'postgres' });
  const cache = new Database(chart, 'cache', { engine: 'redis' });
  orders.connectTo(db);
  if (connectCache) orders.connectTo(cache);
  return new Map([['shop.k8s.yaml', new ManifestYamlWriter().stringify(chart.toJson())]]);
}

const text = formatDiff(diffManifests(shop(false), shop(true)), { showAdded: false });
const block = (ref: string): string[] => {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`~ ${ref} `));
  if (start < 0) throw new Error(`${ref} did not change:\n${text}`);
  const end = lines.findIndex((l, i) => i > start && !l.startsWith('    '));
  return lines.slice(start + 1, end < 0 ? undefined : end).map((l) => l.trim());
};

test('the new rule is named in words on both policies', () => {
  expect(block('NetworkPolicy/shop/orders')).toContain('+ allow orders → cache:6379');
  expect(block('NetworkPolicy/shop/cache')).toContain('+ allow orders → cache:6379');
});

test("the cache's ingress rules read as one insertion: nothing changed in place, nothing removed", () => {
  const lines = block('NetworkPolicy/shop/cache');
  expect(lines.filter((l) => l.startsWith('~ ') || l.startsWith('- '))).toEqual([]);
  // ingress[0] is the cache's backup job's (declared with the cache), the new rule comes next.
  expect(lines.filter((l) => l.startsWith('+ spec.ingress[1]')).length).toBeGreaterThan(0);
  expect(lines.some((l) => l.includes('prometheus'))).toBe(false);
});

test('the env of the orders container gains CACHE_* variables, matched by name', () => {
  const lines = block('Deployment/shop/orders');
  expect(lines.filter((l) => l.startsWith('~ ') || l.startsWith('- '))).toEqual([]);
  expect(lines.some((l) => /^\+ spec\.template\.spec\.containers\[0\]\.env\[\d+\]\.name: "CACHE_HOST"$/.test(l))).toBe(
    true,
  );
});

test('an entry changed in place, with nothing inserted, still reads field by field', () => {
  const rule = (port: number) => ({ from: [{ podSelector: { matchLabels: { app: 'a' } } }], ports: [{ port }] });
  const before = { spec: { ingress: [rule(80), rule(6379)] } };
  const after = { spec: { ingress: [rule(80), rule(6380)] } };
  expect(diffValues(before, after).map(formatFieldChange)).toEqual(['~ spec.ingress[1].ports[0].port: 6379 → 6380']);
});
