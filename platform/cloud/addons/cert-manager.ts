import * as k8s from '@pulumi/kubernetes';
import type * as pulumi from '@pulumi/pulumi';
import type { TlsIssuing } from '../cert-issuers';
import { certManagerObjects, certManagerValues } from '../cert-issuers';
import { CERT_MANAGER_CHART } from '../versions';
import type { AddonInstaller } from './installer';
import { RELEASE_NAMES, RELEASE_NAMESPACES } from './names';

/** Options of {@link installCertManager}. */
export interface CertManagerOptions {
  /** How the platform's certificates are issued (stack config `k8s-platform:tls`). */
  readonly issuing: TlsIssuing;
  /** Whether the Gateway API is installed (cert-manager then issues the platform Gateway's certificates). */
  readonly gatewayApi: boolean;
  /** Whether the Prometheus Operator is there to read a ServiceMonitor. */
  readonly prometheus: boolean;
}

/**
 * Installs cert-manager from its pinned chart (its CRDs applied by the platform before it) and the platform's
 * ClusterIssuers, which apps' routes name (`CLUSTER_ISSUERS`).
 * @returns the last issuer: apps that need certificates wait for it
 */
export function installCertManager(
  installer: AddonInstaller,
  dependsOn: readonly pulumi.Resource[],
  o: CertManagerOptions,
): pulumi.Resource {
  const release = installer.release(
    {
      name: RELEASE_NAMES.certManager,
      chart: CERT_MANAGER_CHART,
      namespace: RELEASE_NAMESPACES.certManager,
      values: certManagerValues({ gatewayApi: o.gatewayApi, prometheus: o.prometheus }),
    },
    dependsOn,
  );
  let previous: pulumi.Resource = release;
  for (const object of certManagerObjects(o.issuing)) {
    // The local CA must exist before the issuers that sign with it: each object waits for the one before.
    previous = new k8s.apiextensions.CustomResource(
      `${installer.name}-${object.kind.toLowerCase()}-${object.metadata.name}`,
      { apiVersion: 'cert-manager.io/v1', kind: object.kind, metadata: object.metadata, spec: object.spec },
      installer.options([previous]),
    );
  }
  return previous;
}
