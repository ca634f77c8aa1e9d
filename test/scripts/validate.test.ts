import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RULES } from '../../scripts/lib/rules';
import { parseManifests } from '../../scripts/lib/manifests';
import { formatFinding, summarize, validateObjects } from '../../scripts/lib/validate';
import type { KubeObject } from '../../scripts/lib/manifests';
import { firstContainer, goodApp, manifests, testCatalog } from './fixtures';

const crds = testCatalog();

/** The compliant app, with the Deployment's probes removed and `annotate` applied to it. */
function appWithoutLiveness(annotate: (deployment: KubeObject) => void = () => undefined): KubeObject[] {
  const [deployment, ...rest] = goodApp();
  delete firstContainer(deployment).livenessProbe;
  annotate(deployment);
  return [deployment, ...rest];
}

function podTemplateMetadata(deployment: KubeObject): { annotations?: Record<string, string> } {
  return (deployment.spec as { template: { metadata: { annotations?: Record<string, string> } } }).template.metadata;
}

describe('findings', () => {
  it('name the file, the object and the rule, and say how to fix', () => {
    const { findings } = validateObjects(manifests(...appWithoutLiveness()), { crds });
    expect(findings.map(formatFinding)).toEqual([
      'test.k8s.yaml: Deployment/shop/web: [probes] spec.template.spec.containers[0] "web": add livenessProbe',
    ]);
  });

  it('are summarized with counts by rule', () => {
    const result = validateObjects(manifests(...appWithoutLiveness()), { crds });
    expect(summarize(result)).toBe('validate: 4 objects, 1 findings in 1 files (probes: 1)');
  });

  it('include documents that are not Kubernetes objects', () => {
    const parsed = parseManifests('apiVersion: v1\nkind: ConfigMap\n---\n- a list\n', 'bad.k8s.yaml');
    const { findings } = validateObjects(parsed.objects, { crds, problems: parsed.problems });
    expect(findings.map(formatFinding)).toEqual([
      'bad.k8s.yaml: document 0: [parse] document 0 is not a Kubernetes object (apiVersion, kind and metadata.name are required)',
      'bad.k8s.yaml: document 1: [parse] document 1 is not a Kubernetes object (apiVersion, kind and metadata.name are required)',
    ]);
  });
});

describe('malformed objects', () => {
  it('get schema findings, and a rule that trips over them reports it instead of crashing the run', () => {
    const [d, ...rest] = goodApp();
    (d.spec as { template: { spec: Record<string, unknown> } }).template.spec.volumes = { tmp: {} };
    const { findings } = validateObjects(manifests(d, ...rest), { crds });
    expect(findings.map((f) => f.rule)).toContain('schema');
    expect(findings.filter((f) => f.rule === 'rule-error').map((f) => f.message)).toEqual([
      expect.stringMatching(/^rule pss-restricted could not run \(.*\); fix the schema findings first$/),
    ]);
  });
});

describe('exception annotations', () => {
  it('waive a rule on the object that declares them, with the reason kept', () => {
    const objects = appWithoutLiveness((d) => {
      d.metadata.annotations = { 'exceptions.platform.dev/probes': 'batch consumer, restarted by its queue lease' };
    });
    const result = validateObjects(manifests(...objects), { crds });
    expect(result.findings).toEqual([]);
    expect(result.waived).toEqual([
      expect.objectContaining({ rule: 'probes', reason: 'batch consumer, restarted by its queue lease' }),
    ]);
  });

  it('may sit on the pod template of a workload', () => {
    const objects = appWithoutLiveness((d) => {
      podTemplateMetadata(d).annotations = { 'exceptions.platform.dev/probes': 'no health endpoint upstream' };
    });
    expect(validateObjects(manifests(...objects), { crds }).findings).toEqual([]);
  });

  it('with an empty reason are a finding and waive nothing', () => {
    const objects = appWithoutLiveness((d) => (d.metadata.annotations = { 'exceptions.platform.dev/probes': ' ' }));
    const { findings } = validateObjects(manifests(...objects), { crds });
    expect(findings.map((f) => f.rule)).toEqual(['probes', 'invalid-exception']);
    expect(findings[1].message).toBe(
      'metadata.annotations.exceptions.platform.dev/probes has an empty reason; say why the exception is needed',
    );
  });

  it('naming an unknown rule are a finding', () => {
    const [d, ...rest] = goodApp();
    d.metadata.annotations = { 'exceptions.platform.dev/probe': 'typo' };
    const { findings } = validateObjects(manifests(d, ...rest), { crds });
    expect(findings[0]).toEqual(expect.objectContaining({ rule: 'invalid-exception' }));
    expect(findings[0].message).toMatch(/exceptions.platform.dev\/probe names no rule; use one of: deprecated-api/);
  });

  it('cannot waive schema errors', () => {
    const [d, ...rest] = goodApp();
    d.metadata.annotations = { 'exceptions.platform.dev/schema': 'please' };
    const { findings } = validateObjects(manifests(d, ...rest), { crds });
    expect(findings[0].message).toMatch(/rule schema cannot be waived/);
  });

  it('that waive nothing are reported as unused', () => {
    const [d, ...rest] = goodApp();
    d.metadata.annotations = { 'exceptions.platform.dev/probes': 'was needed once' };
    const { findings } = validateObjects(manifests(d, ...rest), { crds });
    expect(findings.map(formatFinding)).toEqual([
      'test.k8s.yaml: Deployment/shop/web: [unused-exception] metadata.annotations.exceptions.platform.dev/probes waives nothing (the object passes probes); remove it',
    ]);
  });

  it('do not waive the rule for other objects', () => {
    const [d, pdb, np, svc] = appWithoutLiveness();
    svc.metadata.annotations = { 'exceptions.platform.dev/probes': 'wrong object' };
    const { findings } = validateObjects(manifests(d, pdb, np, svc), { crds });
    expect(findings.map((f) => `${f.object} ${f.rule}`)).toEqual([
      'Deployment/shop/web probes',
      'Service/shop/web unused-exception',
    ]);
  });
});

describe('scale', () => {
  // Speed is measured by `npm run bench`, never by a timed test; this checks that cross-object rules stay correct
  // when many apps' objects are validated together.
  it('validates a thousand objects of 250 copies of an app without a finding', () => {
    const many = Array.from({ length: 250 }, (_, i) =>
      goodApp().map((o) => ({ ...o, metadata: { ...o.metadata, name: `${o.metadata.name}-${i}` } })),
    ).flat();
    const result = validateObjects(manifests(...many), { crds });
    expect(result.objects).toBe(1000);
    expect(result.findings).toEqual([]);
  });
});

describe('the rule catalog', () => {
  it('documents every rule id in scripts/lib/README.md', () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'scripts', 'lib', 'README.md'), 'utf8');
    expect(RULES.map((r) => r.id).filter((id) => !readme.includes(`### \`${id}\``))).toEqual([]);
  });

  it('gives every rule a unique kebab-case id', () => {
    const ids = RULES.map((r) => r.id);
    expect(ids.filter((id) => !/^[a-z]+(-[a-z]+)*$/.test(id))).toEqual([]);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
