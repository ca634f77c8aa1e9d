/**
 * What a GKE cluster gets beyond its network and nodes: application-layer encryption of Secrets with a Cloud KMS
 * key of its own, a default StorageClass that keeps disks when claims go, and a maintenance window for upgrades.
 */
import * as gcp from '@pulumi/gcp';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';

/** A recurring GKE maintenance window (RFC 3339 start and end of one occurrence, RFC 5545 recurrence). */
export interface GkeMaintenanceWindow {
  readonly startTime: string;
  readonly endTime: string;
  readonly recurrence: string;
}

/**
 * Default maintenance window: Saturday and Sunday 02:00-08:00 UTC. Upgrades of the control plane and of nodes
 * (which restart single-replica databases) happen only then; GKE needs at least 48 hours in any 32 days.
 */
export const GKE_MAINTENANCE_WINDOW: GkeMaintenanceWindow = {
  startTime: '2026-01-03T02:00:00Z',
  endTime: '2026-01-03T08:00:00Z',
  recurrence: 'FREQ=WEEKLY;BYDAY=SA,SU',
};

/** Rotation period of the Secrets key: 90 days (new Secrets use the new version; old versions stay to decrypt). */
export const GKE_SECRETS_KEY_ROTATION = '7776000s';

/** The default StorageClass the cluster gets: `pd-balanced` disks that outlive their claims. */
export const GKE_RETAIN_STORAGE_CLASS = 'pd-balanced-retain';

/** The cluster's Secrets key and the grant that lets GKE use it (the cluster must wait for the grant). */
export interface GkeSecretsKey {
  readonly key: gcp.kms.CryptoKey;
  readonly grant: gcp.kms.CryptoKeyIAMMember;
}

/**
 * A key ring and key in the cluster's region for application-layer Secrets encryption, usable by the project's
 * GKE service agent (`service-<project number>@container-engine-robot.iam.gserviceaccount.com`).
 */
export function gkeSecretsKey(
  name: string,
  gcpName: string,
  project: pulumi.Input<string>,
  region: pulumi.Input<string>,
  parent: pulumi.Resource,
): GkeSecretsKey {
  const ring = new gcp.kms.KeyRing(
    `${name}-secrets`,
    { project, name: `${gcpName}-secrets`, location: region },
    { parent },
  );
  const key = new gcp.kms.CryptoKey(
    `${name}-secrets`,
    {
      name: `${gcpName}-secrets`,
      keyRing: ring.id,
      purpose: 'ENCRYPT_DECRYPT',
      rotationPeriod: GKE_SECRETS_KEY_ROTATION,
    },
    // Destroying the key makes every Secret of the cluster unreadable: it must outlive a mistaken delete.
    { parent, protect: true },
  );
  const projectNumber = gcp.organizations.getProjectOutput({ projectId: project }, { parent }).number;
  const grant = new gcp.kms.CryptoKeyIAMMember(
    `${name}-secrets-gke`,
    {
      cryptoKeyId: key.id,
      role: 'roles/cloudkms.cryptoKeyEncrypterDecrypter',
      member: pulumi.interpolate`serviceAccount:service-${projectNumber}@container-engine-robot.iam.gserviceaccount.com`,
    },
    { parent },
  );
  return { key, grant };
}

/**
 * A default StorageClass whose volumes are kept when their claim is deleted (GKE's own default, `standard-rwo`,
 * deletes the disk with the claim). Kubernetes uses the newest default class when several are marked default.
 */
export function gkeRetainStorageClass(
  name: string,
  provider: k8s.Provider,
  parent: pulumi.Resource,
): k8s.storage.v1.StorageClass {
  return new k8s.storage.v1.StorageClass(
    `${name}-retain`,
    {
      metadata: {
        name: GKE_RETAIN_STORAGE_CLASS,
        annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' },
      },
      provisioner: 'pd.csi.storage.gke.io',
      parameters: { type: 'pd-balanced' },
      reclaimPolicy: 'Retain',
      volumeBindingMode: 'WaitForFirstConsumer',
      allowVolumeExpansion: true,
    },
    { parent, provider },
  );
}
