import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { PEER_CHECKS } from '../../platform';
import { RULES } from '../../scripts/lib/rules';
import { exceptionAnnotations } from '../../platform/core/exceptions';

describe('exceptionAnnotations', () => {
  test('a platform exception also carries the kube-linter, Polaris, kube-score and Checkov annotations', () => {
    expect(exceptionAnnotations({ 'read-only-root-filesystem': 'postgres writes its socket under /var/run' })).toEqual({
      'exceptions.platform.dev/read-only-root-filesystem': 'postgres writes its socket under /var/run',
      'ignore-check.kube-linter.io/no-read-only-root-fs': 'postgres writes its socket under /var/run',
      'polaris.fairwinds.com/notReadOnlyRootFilesystem-exempt': 'true',
      'kube-score/ignore': 'container-security-context-readonlyrootfilesystem',
      'checkov.io/skip1': 'CKV_K8S_22=postgres writes its socket under /var/run',
    });
  });

  test('several exceptions share one kube-score list and number the Checkov skips', () => {
    const a = exceptionAnnotations({ probes: 'batch job', 'image-pinned': 'vendor image' });
    expect(a['kube-score/ignore']).toBe('container-image-tag,pod-probes');
    expect([a['checkov.io/skip1'], a['checkov.io/skip2'], a['checkov.io/skip3']]).toEqual([
      'CKV_K8S_14=vendor image',
      'CKV_K8S_8=batch job',
      'CKV_K8S_9=batch job',
    ]);
  });

  test('every mapped rule is a platform rule', () => {
    const ids = RULES.map((r) => r.id);
    for (const rule of Object.keys(PEER_CHECKS)) expect(ids).toContain(rule);
  });

  const kubeScore = `${process.env.HOME}/.cache/k8s-platform/bin/kube-score`;
  (existsSync(kubeScore) ? test : test.skip)('every mapped kube-score id is a kube-score test', () => {
    const known = execFileSync(kubeScore, ['list'], { encoding: 'utf8' })
      .split('\n')
      .map((l) => l.split(',')[0]);
    for (const peers of Object.values(PEER_CHECKS)) for (const id of peers.kubeScore) expect(known).toContain(id);
  });
});
