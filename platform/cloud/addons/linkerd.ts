import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import * as tls from '@pulumi/tls';
import { LINKERD_CONTROL_PLANE_CHART, LINKERD_CRDS_CHART, LINKERD_VIZ_CHART } from '../versions';
import type { AddonInstaller } from './installer';
import { installLinkerdCni } from './linkerd-cni';
import { PROMETHEUS_URL, RELEASE_NAMES, RELEASE_NAMESPACES } from './names';

/** Validity of Linkerd's identity chain. */
export const LINKERD_CERTIFICATE_DEFAULTS = {
  /** Trust anchor: long-lived root of the mesh identity; rotating it means re-issuing every proxy certificate. */
  trustAnchorValidityHours: 87600,
  /** The trust-anchor expiry alert fires this many days before the anchor expires. */
  trustAnchorAlertDays: 90,
} as const;

/**
 * The identity issuer as cert-manager issues it (Linkerd's "Automatically Rotating Control Plane TLS Credentials"):
 * an intermediate CA in the Secret `linkerd-identity-issuer` (`kubernetes.io/tls`), valid 48 hours and renewed
 * 25 hours before it expires, signed by the trust anchor through a namespaced CA Issuer. Linkerd's identity
 * controller watches the Secret and reloads the new issuer without a restart.
 */
export const LINKERD_IDENTITY_ISSUER = {
  trustAnchorSecret: 'linkerd-trust-anchor',
  trustAnchorIssuer: 'linkerd-trust-anchor',
  certificate: 'linkerd-identity-issuer',
  duration: '48h',
  renewBefore: '25h',
  commonName: 'identity.linkerd.cluster.local',
} as const;

/** The chart's high-availability values (its `values-ha.yaml`, the parts the platform uses), for cloud stacks. */
export const LINKERD_HA_VALUES = {
  controllerReplicas: 3,
  enablePodAntiAffinity: true,
  enablePodDisruptionBudget: true,
  controller: { podDisruptionBudget: { maxUnavailable: 1 } },
  deploymentStrategy: { rollingUpdate: { maxUnavailable: 1, maxSurge: '25%' } },
  // Unmeshed pods must not start while the proxy injector is down.
  webhookFailurePolicy: 'Fail',
} as const;

/** The linkerd-control-plane chart values the platform sets: the identity chain, the CNI plugin, HA on clouds. */
export interface LinkerdControlPlaneValues extends Partial<typeof LINKERD_HA_VALUES> {
  /** The Linkerd CNI plugin redirects the proxies' traffic: injected pods get no NET_ADMIN `linkerd-init`. */
  readonly cniEnabled: boolean;
  readonly identityTrustAnchorsPEM: pulumi.Input<string>;
  /** `kubernetes.io/tls`: the issuer comes from the Secret cert-manager keeps renewed, not from the values. */
  readonly identity: { readonly issuer: { readonly scheme: 'kubernetes.io/tls' } };
}

/** The linkerd-viz chart values the platform sets. */
export interface LinkerdVizValues {
  readonly prometheusUrl?: string;
  readonly prometheus?: { readonly enabled: boolean };
}

/** Values of linkerd-viz: with kube-prometheus-stack present, viz queries it instead of running a second Prometheus. */
export function linkerdVizValues(stackPrometheus: boolean): LinkerdVizValues {
  return stackPrometheus ? { prometheusUrl: PROMETHEUS_URL, prometheus: { enabled: false } } : {};
}

/** The trust anchor: its certificate (public), key (secret) and expiry (RFC 3339). */
export interface LinkerdTrustAnchor {
  readonly certPem: pulumi.Output<string>;
  readonly keyPem: pulumi.Output<string>;
  readonly validityEndTime: pulumi.Output<string>;
}

/**
 * Linkerd's trust anchor: an ECDSA P-256 self-signed root, ten years, generated once by `pulumi up` (its key
 * lives only in the encrypted Pulumi state and in the Secret the issuer signs with).
 */
export function linkerdTrustAnchor(name: string, parent: pulumi.Resource): LinkerdTrustAnchor {
  const opts = { parent };
  const key = new tls.PrivateKey(`${name}-linkerd-trust-anchor`, { algorithm: 'ECDSA', ecdsaCurve: 'P256' }, opts);
  const ca = new tls.SelfSignedCert(
    `${name}-linkerd-trust-anchor`,
    {
      privateKeyPem: key.privateKeyPem,
      subject: { commonName: 'root.linkerd.cluster.local' },
      isCaCertificate: true,
      maxPathLength: 1,
      validityPeriodHours: LINKERD_CERTIFICATE_DEFAULTS.trustAnchorValidityHours,
      allowedUses: ['cert_signing', 'crl_signing'],
    },
    opts,
  );
  return { certPem: ca.certPem, keyPem: pulumi.secret(key.privateKeyPem), validityEndTime: ca.validityEndTime };
}

/** The cert-manager Issuer and Certificate of the identity issuer, as plain objects (namespace `linkerd`). */
export function linkerdIssuerObjects(): {
  kind: 'Issuer' | 'Certificate';
  metadata: { name: string; namespace: string };
  spec: Record<string, unknown>;
}[] {
  const namespace = RELEASE_NAMESPACES.linkerd;
  const i = LINKERD_IDENTITY_ISSUER;
  return [
    {
      kind: 'Issuer',
      metadata: { name: i.trustAnchorIssuer, namespace },
      spec: { ca: { secretName: i.trustAnchorSecret } },
    },
    {
      kind: 'Certificate',
      metadata: { name: i.certificate, namespace },
      spec: {
        secretName: i.certificate,
        duration: i.duration,
        renewBefore: i.renewBefore,
        issuerRef: { name: i.trustAnchorIssuer, kind: 'Issuer' },
        commonName: i.commonName,
        dnsNames: [i.commonName],
        isCA: true,
        privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
        usages: ['cert sign', 'crl sign', 'server auth', 'client auth'],
      },
    },
  ];
}

/**
 * Alerts on the identity chain: the trust anchor nears its end (a fixed time, computed from the certificate: it is
 * rotated by hand, see docs/deploy.md), and the identity issuer is not being renewed (cert-manager's own metric).
 */
export function linkerdCertificateAlerts(trustAnchorNotAfter: string): Record<string, unknown>[] {
  const days = LINKERD_CERTIFICATE_DEFAULTS.trustAnchorAlertDays;
  const alertAt = Math.floor(Date.parse(trustAnchorNotAfter) / 1000) - days * 86400;
  if (!Number.isFinite(alertAt)) throw new Error(`linkerd trust anchor: unreadable expiry "${trustAnchorNotAfter}"`);
  return [
    {
      alert: 'LinkerdTrustAnchorExpiring',
      expr: `vector(time()) > ${alertAt}`,
      labels: { severity: 'warning' },
      annotations: {
        summary: `The Linkerd trust anchor expires at ${trustAnchorNotAfter}, in less than ${days} days`,
        description: 'Rotate it (Linkerd\'s "Manually Rotating Control Plane TLS Credentials", see docs/deploy.md).',
      },
    },
    {
      alert: 'LinkerdIdentityIssuerNotRenewed',
      expr:
        `certmanager_certificate_expiration_timestamp_seconds{namespace="${RELEASE_NAMESPACES.linkerd}",` +
        `name="${LINKERD_IDENTITY_ISSUER.certificate}"} - time() < 12 * 3600`,
      for: '15m',
      labels: { severity: 'critical' },
      annotations: {
        summary: 'The Linkerd identity issuer expires within 12 hours: cert-manager has not renewed it',
        description: 'kubectl -n linkerd describe certificate linkerd-identity-issuer',
      },
    },
  ];
}

/** The installed Linkerd control plane and its trust anchor. */
export interface LinkerdInstall {
  /** The control-plane release: meshed apps wait for it. */
  readonly ready: k8s.helm.v3.Release;
  /** PEM of the trust anchor (public). */
  readonly trustAnchorPem: pulumi.Output<string>;
}

/** Options of {@link installLinkerd}. */
export interface LinkerdOptions {
  /** cert-manager's readiness (and Prometheus's, for the alerts): the issuer and the control plane wait for it. */
  readonly certManager: readonly pulumi.Resource[];
  /** The chart's high-availability values (cloud stacks). */
  readonly highAvailability: boolean;
  /** The Prometheus Operator is installed (and waited for in `dependsOn`): the certificate alerts are created. */
  readonly prometheus: boolean;
}

/**
 * Installs Linkerd: the trust anchor (a Secret in `linkerd`) and the cert-manager Issuer and Certificate that keep
 * the identity issuer renewed, its CRDs and the CNI plugin, then the control plane (with `cniEnabled`, which needs
 * the plugin on every node first) reading the issuer from cert-manager's Secret. cert-manager must be in
 * `dependsOn`.
 */
export function installLinkerd(
  installer: AddonInstaller,
  dependsOn: readonly pulumi.Resource[],
  o: LinkerdOptions,
): LinkerdInstall {
  const anchor = linkerdTrustAnchor(installer.name, installer.args.parent);
  const namespace = installer.namespace(RELEASE_NAMESPACES.linkerd);
  const inNamespace = [...(namespace ? [namespace] : []), ...dependsOn, ...o.certManager];
  const secret = new k8s.core.v1.Secret(
    `${installer.name}-linkerd-trust-anchor`,
    {
      metadata: { name: LINKERD_IDENTITY_ISSUER.trustAnchorSecret, namespace: RELEASE_NAMESPACES.linkerd },
      type: 'kubernetes.io/tls',
      stringData: { 'tls.crt': anchor.certPem, 'tls.key': anchor.keyPem },
    },
    installer.options(inNamespace),
  );
  let previous: pulumi.Resource = secret;
  for (const object of linkerdIssuerObjects()) {
    previous = new k8s.apiextensions.CustomResource(
      `${installer.name}-${object.metadata.name}-${object.kind.toLowerCase()}`,
      { apiVersion: 'cert-manager.io/v1', ...object },
      installer.options([previous, ...inNamespace]),
    );
  }
  if (o.prometheus) {
    new k8s.apiextensions.CustomResource(
      `${installer.name}-linkerd-certificate-alerts`,
      {
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'PrometheusRule',
        metadata: { name: 'linkerd-certificates', namespace: RELEASE_NAMESPACES.linkerd },
        spec: {
          groups: [{ name: 'linkerd-certificates', rules: anchor.validityEndTime.apply(linkerdCertificateAlerts) }],
        },
      },
      installer.options(inNamespace),
    );
  }
  // linkerd-crds holds nothing but CRDs (templated, without the Gateway API ones): they are applied directly.
  const crds = installer.crds(LINKERD_CRDS_CHART, dependsOn);
  const cni = installLinkerdCni(installer, dependsOn);
  const ready = installer.release<LinkerdControlPlaneValues>(
    {
      name: RELEASE_NAMES.linkerdControlPlane,
      chart: LINKERD_CONTROL_PLANE_CHART,
      namespace: RELEASE_NAMESPACES.linkerd,
      values: {
        cniEnabled: true,
        identityTrustAnchorsPEM: anchor.certPem,
        identity: { issuer: { scheme: 'kubernetes.io/tls' } },
        ...(o.highAvailability ? LINKERD_HA_VALUES : {}),
      },
    },
    [...(crds ? [crds] : []), cni, previous, ...dependsOn],
  );
  return { ready, trustAnchorPem: anchor.certPem };
}

/** Installs linkerd-viz, querying the stack's Prometheus when there is one. */
export function installLinkerdViz(
  installer: AddonInstaller,
  dependsOn: readonly pulumi.Resource[],
  stackPrometheus: boolean,
): k8s.helm.v3.Release {
  return installer.release(
    {
      name: RELEASE_NAMES.linkerdViz,
      chart: LINKERD_VIZ_CHART,
      namespace: RELEASE_NAMESPACES.linkerdViz,
      values: linkerdVizValues(stackPrometheus),
    },
    dependsOn,
  );
}
