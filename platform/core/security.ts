/**
 * Secure defaults: the security contexts that make a pod pass the Pod Security Standards "restricted" profile,
 * plus a read-only root filesystem (not required by the profile, but the project's default).
 */
import type { k8s } from 'cdk8s-plus-27';

/** Default uid/gid for workloads whose image does not need a particular user (any non-zero id works). */
export const DEFAULT_RUN_AS_USER = 10001;

/** Annotation prefix by which a construct declares, with a reason, an exception to one policy rule. */
export const EXCEPTION_ANNOTATION_PREFIX = 'exceptions.platform.dev/';

/** Identity a pod runs as. */
export interface RunAs {
  /** uid of every container. */
  readonly user: number;
  /** gid of every container. @default the same as `user` */
  readonly group?: number;
  /** Group that owns mounted volumes. @default the same as `group` */
  readonly fsGroup?: number;
}

/** Pod-level security context: non-root, seccomp `RuntimeDefault`, volume ownership by `fsGroup`. */
export function podSecurityContext(runAs: RunAs): k8s.PodSecurityContext {
  const group = runAs.group ?? runAs.user;
  return {
    runAsNonRoot: true,
    runAsUser: runAs.user,
    runAsGroup: group,
    fsGroup: runAs.fsGroup ?? group,
    fsGroupChangePolicy: 'OnRootMismatch',
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** Container-level security context of the restricted profile. */
export function containerSecurityContext(readOnlyRootFilesystem: boolean, runAs?: RunAs): k8s.SecurityContext {
  return {
    allowPrivilegeEscalation: false,
    privileged: false,
    readOnlyRootFilesystem,
    runAsNonRoot: true,
    ...(runAs ? { runAsUser: runAs.user, runAsGroup: runAs.group ?? runAs.user } : {}),
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

export { podSecurityLabels } from '../contract';
export type { PodSecurityLevel } from '../contract';
