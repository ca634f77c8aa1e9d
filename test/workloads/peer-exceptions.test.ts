import { Database, Service } from '../../platform';
import { find, newChart, synth } from '../helpers';

const IMAGE = 'ghcr.io/stefanprodan/podinfo:6.7.1';
const REASON = 'a batch endpoint with no health check';

describe('an exception declared on a pod template reaches the peer checkers', () => {
  test('kube-linter, Polaris, kube-score and Checkov read it on the Deployment itself', () => {
    const chart = newChart();
    new Service(chart, 'backend', {
      image: IMAGE,
      port: 9898,
      podAnnotations: { 'exceptions.platform.dev/probes': REASON },
    });
    const deployment = find(synth(chart), 'Deployment', 'backend');
    expect(deployment.metadata.annotations).toEqual({
      'ignore-check.kube-linter.io/no-liveness-probe': REASON,
      'ignore-check.kube-linter.io/no-readiness-probe': REASON,
      'polaris.fairwinds.com/livenessProbeMissing-exempt': 'true',
      'polaris.fairwinds.com/readinessProbeMissing-exempt': 'true',
      'kube-score/ignore': 'pod-probes',
      'checkov.io/skip1': `CKV_K8S_8=${REASON}`,
      'checkov.io/skip2': `CKV_K8S_9=${REASON}`,
    });
    // The platform's own exception stays where the validator reads it, once.
    expect(deployment.spec.template.metadata.annotations).toEqual({ 'exceptions.platform.dev/probes': REASON });
  });

  test('an exception added later with addPodAnnotation too, on a StatefulSet', () => {
    const chart = newChart();
    const db = new Database(chart, 'db', { engine: 'postgres', storage: '5Gi' });
    db.addPodAnnotation('exceptions.platform.dev/read-only-root-filesystem', 'postgres writes its socket');
    const sts = find(synth(chart), 'StatefulSet', 'db');
    expect(sts.metadata.annotations).toMatchObject({
      'ignore-check.kube-linter.io/no-read-only-root-fs': 'postgres writes its socket',
      'checkov.io/skip1': 'CKV_K8S_22=postgres writes its socket',
    });
  });

  test('without exceptions the objects carry no annotations', () => {
    const chart = newChart();
    new Service(chart, 'backend', { image: IMAGE, port: 9898 });
    expect(find(synth(chart), 'Deployment', 'backend').metadata.annotations).toBeUndefined();
  });
});

describe('autoscaled workloads get a PodDisruptionBudget as soon as they can run two pods', () => {
  test('an HPA from one to four replicas has a PDB allowing one eviction (it never blocks a drain)', () => {
    const chart = newChart();
    new Service(chart, 'backend', { image: IMAGE, port: 9898, replicas: { min: 1, max: 4 } });
    expect(find(synth(chart), 'PodDisruptionBudget', 'backend').spec).toMatchObject({
      maxUnavailable: 1,
      unhealthyPodEvictionPolicy: 'AlwaysAllow',
    });
  });

  test('a single fixed replica still gets none', () => {
    const chart = newChart();
    new Service(chart, 'backend', { image: IMAGE, port: 9898, replicas: 1 });
    expect(synth(chart).filter((o) => o.kind === 'PodDisruptionBudget')).toEqual([]);
  });
});
