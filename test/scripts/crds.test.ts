import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { CrdCatalog, goRegExp, jsonPointerToPath, normalizeSchema, sharedDir } from '../../scripts/lib/crds';
import { testCatalog } from './fixtures';

const crds = testCatalog();

describe('goRegExp', () => {
  it('turns leading inline flags into JavaScript flags, after the ^ anchor too', () => {
    const rx = goRegExp('^(?i)(abort|warn)?$', 'u');
    expect([rx?.test('WARN'), rx?.test('abort'), rx?.test('bogus')]).toEqual([true, true, false]);
  });

  it('translates named groups and \\z', () => {
    expect(goRegExp('^(?P<n>[a-z]+)\\z')?.test('abc')).toBe(true);
  });
});

describe('normalizeSchema', () => {
  it('rewrites draft-4 boolean exclusiveMaximum into the numeric form', () => {
    expect(normalizeSchema({ type: 'integer', maximum: 65536, exclusiveMaximum: true, minimum: 0 })).toEqual({
      type: 'integer',
      exclusiveMaximum: 65536,
      minimum: 0,
    });
  });

  it('drops a false exclusive bound', () => {
    expect(normalizeSchema({ type: 'integer', minimum: 1, exclusiveMinimum: false })).toEqual({
      type: 'integer',
      minimum: 1,
    });
  });

  it('closes objects that list their properties, except where unknown fields are preserved or in junctors', () => {
    const schema = {
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          properties: { a: { type: 'string' } },
          anyOf: [{ properties: { a: { properties: { x: {} } } } }],
        },
        raw: { type: 'object', properties: { b: {} }, 'x-kubernetes-preserve-unknown-fields': true },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
      },
    };
    expect(normalizeSchema(schema)).toEqual({
      type: 'object',
      additionalProperties: false,
      properties: {
        spec: {
          type: 'object',
          properties: { a: { type: 'string' } },
          anyOf: [{ properties: { a: { properties: { x: {} } } } }],
          additionalProperties: false,
        },
        raw: { type: 'object', properties: { b: {} }, 'x-kubernetes-preserve-unknown-fields': true },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
      },
    });
  });
});

describe('CrdCatalog', () => {
  it('validates Contour HTTPProxy, whose schema uses draft-4 exclusive bounds', () => {
    const proxy = (port: number): unknown => ({
      apiVersion: 'projectcontour.io/v1',
      kind: 'HTTPProxy',
      metadata: { name: 'p', namespace: 'shop' },
      spec: { virtualhost: { fqdn: 'shop.example.com' }, routes: [{ services: [{ name: 'web', port }] }] },
    });
    expect(crds.validate('projectcontour.io', 'HTTPProxy', 'v1', proxy(80))).toEqual([]);
    expect(crds.validate('projectcontour.io', 'HTTPProxy', 'v1', proxy(70000))).toEqual([
      { path: 'spec.routes[0].services[0].port', message: 'must be < 65536' },
    ]);
  });

  it('enforces Prometheus Operator patterns written with Go inline flags', () => {
    const rule = (strategy: string): unknown => ({
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: { name: 'r' },
      spec: { groups: [{ name: 'g', partial_response_strategy: strategy, rules: [] }] },
    });
    expect(crds.validate('monitoring.coreos.com', 'PrometheusRule', 'v1', rule('warn'))).toEqual([]);
    expect(crds.validate('monitoring.coreos.com', 'PrometheusRule', 'v1', rule('bogus'))).toHaveLength(1);
  });

  it('reports unknown fields where the CRD closes its objects', () => {
    const errors = crds.validate('policy.linkerd.io', 'Server', 'v1beta3', {
      apiVersion: 'policy.linkerd.io/v1beta3',
      kind: 'Server',
      metadata: { name: 's' },
      spec: { podSelector: { matchLabels: { a: 'b' } }, port: 'http', proxyProtocl: 'HTTP/1' },
    });
    expect(errors).toEqual([{ path: 'spec', message: 'unknown field "proxyProtocl"' }]);
  });

  it('returns undefined for a version the CRD does not define', () => {
    expect(crds.validate('monitoring.coreos.com', 'ServiceMonitor', 'v9', {})).toBeUndefined();
  });
});

describe('jsonPointerToPath', () => {
  it('renders array indexes in brackets and unescapes ~1', () => {
    expect(jsonPointerToPath('/metadata/annotations/a~1b/0/c')).toBe('metadata.annotations.a/b[0].c');
  });
});

describe('the platform custom resources (test/scripts/custom-resources.yaml)', () => {
  const docs = parseAllDocuments(readFileSync(join(__dirname, 'custom-resources.yaml'), 'utf8')).map(
    (d) => d.toJS() as { apiVersion: string; kind: string },
  );

  it.each(docs.map((d) => [`${d.apiVersion} ${d.kind}`, d]))('%s validates against its CRD', (_, doc) => {
    const [group, version] = doc.apiVersion.split('/');
    expect(crds.validate(group, doc.kind, version, doc)).toEqual([]);
  });
});

describe('the on-disk cache', () => {
  it('gives the same verdicts from cached validator code as from a fresh compile', () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'crd-cache-'));
    try {
      const rule = (strategy: string): unknown => ({
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'PrometheusRule',
        metadata: { name: 'r' },
        spec: { groups: [{ name: 'g', partial_response_strategy: strategy, rules: [], extra: 1 }] },
      });
      const first = new CrdCatalog(join(sharedDir(), 'crds'), cacheDir);
      const fresh = first.validate('monitoring.coreos.com', 'PrometheusRule', 'v1', rule('bogus'));
      expect(readdirSync(cacheDir).filter((f) => f.endsWith('.validator.js'))).toHaveLength(1);
      const second = new CrdCatalog(join(sharedDir(), 'crds'), cacheDir);
      expect(second.validate('monitoring.coreos.com', 'PrometheusRule', 'v1', rule('bogus'))).toEqual(fresh);
      expect(fresh).toHaveLength(2);
      expect(second.validate('monitoring.coreos.com', 'PrometheusRule', 'v1', rule('warn'))).toHaveLength(1);
    } finally {
      rmSync(cacheDir, { recursive: true, force: true });
    }
  });
});
