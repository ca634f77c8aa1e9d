/** The pod's volumes of a workload: `emptyDir`s for the writable paths, read-only ConfigMap directories. */
import { k8s } from 'cdk8s-plus-27';

/** Size cap of each writable `emptyDir`, so a runaway log or cache cannot fill the node's disk. */
export const WRITABLE_DIR_SIZE_LIMIT = '256Mi';

/** Volume name for a mounted path: `rw-` and `/var/run/postgresql` give `rw-var-run-postgresql`. */
export function pathVolumeName(prefix: 'rw-' | 'cm-', path: string): string {
  return (
    prefix +
    path
      .replace(/^\/+|\/+$/g, '')
      .replace(/[^a-z0-9]+/gi, '-')
      .toLowerCase()
  )
    .slice(0, 63)
    .replace(/-+$/, '');
}

/** `emptyDir` volumes for writable paths. */
export function writableVolumes(paths: readonly string[]): k8s.Volume[] {
  return paths.map((path) => ({
    name: pathVolumeName('rw-', path),
    emptyDir: { sizeLimit: k8s.Quantity.fromString(WRITABLE_DIR_SIZE_LIMIT) },
  }));
}

/** Mounts of the `emptyDir` volumes for writable paths. */
export function writableMounts(paths: readonly string[]): k8s.VolumeMount[] {
  return paths.map((path) => ({ name: pathVolumeName('rw-', path), mountPath: path }));
}

/** A ConfigMap mounted read-only as a directory, one file per key. */
export interface ConfigMapMount {
  /** Name of the ConfigMap. */
  readonly configMap: string;
  /** Absolute path of the directory. */
  readonly mountPath: string;
}

/** Read-only (mode 0444) `configMap` volumes. */
export function configMapVolumes(mounts: readonly ConfigMapMount[]): k8s.Volume[] {
  return mounts.map((m) => ({
    name: pathVolumeName('cm-', m.mountPath),
    configMap: { name: m.configMap, defaultMode: 0o444 },
  }));
}

/** Read-only mounts of the `configMap` volumes. */
export function configMapMounts(mounts: readonly ConfigMapMount[]): k8s.VolumeMount[] {
  return mounts.map((m) => ({ name: pathVolumeName('cm-', m.mountPath), mountPath: m.mountPath, readOnly: true }));
}
