/**
 * Per-object exceptions that the peer checkers honour too. When a construct declares an exception to one of the
 * platform's rules (`exceptions.platform.dev/<rule>: "<reason>"`), the same object also carries the annotations
 * by which kube-linter, Polaris, kube-score and Checkov skip their matching checks on that object only, so that
 * the tools a user runs agree with `npm run validate`.
 */
import { EXCEPTION_ANNOTATION_PREFIX } from './security';

/** The checks of each peer tool that test what one platform rule tests. */
export interface PeerChecks {
  /** kube-linter check names (`ignore-check.kube-linter.io/<name>`). */
  readonly kubeLinter: readonly string[];
  /** Polaris check ids (`polaris.fairwinds.com/<id>-exempt`). */
  readonly polaris: readonly string[];
  /** kube-score test ids (`kube-score/ignore`). */
  readonly kubeScore: readonly string[];
  /** Checkov check ids (`checkov.io/skip<n>`). */
  readonly checkov: readonly string[];
}

/** The peer checks matching each waivable platform rule (see scripts/lib/README.md). */
export const PEER_CHECKS: Readonly<Record<string, PeerChecks>> = {
  resources: {
    kubeLinter: ['unset-cpu-requirements', 'unset-memory-requirements'],
    polaris: ['cpuRequestsMissing', 'cpuLimitsMissing', 'memoryRequestsMissing', 'memoryLimitsMissing'],
    kubeScore: ['container-resources', 'container-ephemeral-storage-request-and-limit'],
    checkov: ['CKV_K8S_10', 'CKV_K8S_11', 'CKV_K8S_12', 'CKV_K8S_13'],
  },
  probes: {
    kubeLinter: ['no-liveness-probe', 'no-readiness-probe'],
    polaris: ['livenessProbeMissing', 'readinessProbeMissing'],
    kubeScore: ['pod-probes'],
    checkov: ['CKV_K8S_8', 'CKV_K8S_9'],
  },
  'read-only-root-filesystem': {
    kubeLinter: ['no-read-only-root-fs'],
    polaris: ['notReadOnlyRootFilesystem'],
    kubeScore: ['container-security-context-readonlyrootfilesystem'],
    checkov: ['CKV_K8S_22'],
  },
  'pss-restricted': {
    kubeLinter: ['run-as-non-root', 'privilege-escalation-container', 'privileged-container'],
    polaris: ['runAsRootAllowed', 'privilegeEscalationAllowed', 'runAsPrivileged', 'dangerousCapabilities'],
    kubeScore: ['container-security-context-privileged', 'container-seccomp-profile'],
    checkov: ['CKV_K8S_16', 'CKV_K8S_20', 'CKV_K8S_23', 'CKV_K8S_28', 'CKV_K8S_31', 'CKV_K8S_37'],
  },
  'image-pinned': {
    kubeLinter: ['latest-tag'],
    polaris: ['tagNotSpecified'],
    kubeScore: ['container-image-tag'],
    checkov: ['CKV_K8S_14'],
  },
  pdb: {
    kubeLinter: [],
    polaris: ['missingPodDisruptionBudget'],
    kubeScore: ['deployment-has-poddisruptionbudget', 'statefulset-has-poddisruptionbudget'],
    checkov: [],
  },
  'network-policy': { kubeLinter: [], polaris: [], kubeScore: ['pod-networkpolicy'], checkov: [] },
  'no-nodeport': { kubeLinter: [], polaris: [], kubeScore: ['service-type'], checkov: [] },
};

/**
 * The annotations of an object's exceptions: the platform's own (`exceptions.platform.dev/<rule>`) and the
 * matching ones of kube-linter, Polaris, kube-score and Checkov.
 * @param exceptions platform rule id → reason
 */
export function exceptionAnnotations(exceptions: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  const kubeScore: string[] = [];
  let checkov = 0;
  for (const [rule, reason] of Object.entries(exceptions).sort(([a], [b]) => a.localeCompare(b))) {
    out[`${EXCEPTION_ANNOTATION_PREFIX}${rule}`] = reason;
    const peers = PEER_CHECKS[rule];
    if (!peers) continue;
    for (const check of peers.kubeLinter) out[`ignore-check.kube-linter.io/${check}`] = reason;
    for (const check of peers.polaris) out[`polaris.fairwinds.com/${check}-exempt`] = 'true';
    kubeScore.push(...peers.kubeScore);
    for (const check of peers.checkov) out[`checkov.io/skip${++checkov}`] = `${check}=${reason}`;
  }
  if (kubeScore.length) out['kube-score/ignore'] = kubeScore.join(',');
  return out;
}

/**
 * The peer checkers' annotations for the exceptions declared on a pod template (`exceptions.platform.dev/<rule>`
 * among `podAnnotations`), to be written on the workload object itself: the project's validator reads pod
 * templates, but kube-linter, Polaris, kube-score and Checkov only read the object's own annotations. The
 * platform's annotation stays on the pod template only (one declaration, one place the validator reports).
 */
export function peerAnnotationsForPodExceptions(
  podAnnotations: Readonly<Record<string, string>>,
): Record<string, string> {
  const exceptions = Object.fromEntries(
    Object.entries(podAnnotations)
      .filter(([key]) => key.startsWith(EXCEPTION_ANNOTATION_PREFIX))
      .map(([key, reason]) => [key.slice(EXCEPTION_ANNOTATION_PREFIX.length), reason]),
  );
  return Object.fromEntries(
    Object.entries(exceptionAnnotations(exceptions)).filter(([key]) => !key.startsWith(EXCEPTION_ANNOTATION_PREFIX)),
  );
}
