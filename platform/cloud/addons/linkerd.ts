import type * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import * as tls from '@pulumi/tls';
import { LINKERD_CONTROL_PLANE_CHART, LINKERD_CRDS_CHART, LINKERD_VIZ_CHART } from '../versions';
import type { AddonInstaller } from './installer';
import { installLinkerdCni } from './linkerd-cni';
import { PROMETHEUS_URL, RELEASE_NAMES, RELEASE_NAMESPACES } from './names';

/** Validity of the Linkerd certificates `pulumi up` generates. */
export const LINKERD_CERTIFICATE_DEFAULTS = {
  /** Trust anchor: long-lived root of the mesh identity; rotating it means re-issuing every proxy certificate. */
  trustAnchorValidityHours: 87600,
  /** Issuer: intermediate CA the control plane signs proxy certificates with; renewed by `pulumi up` before expiry. */
  issuerValidityHours: 8760,
  issuerEarlyRenewalHours: 720,
} as const;

/** The linkerd-control-plane chart values the platform sets: the identity chain, and the CNI plugin in use. */
export interface LinkerdControlPlaneValues {
  /** The Linkerd CNI plugin redirects the proxies' traffic: injected pods get no NET_ADMIN `linkerd-init`. */
  readonly cniEnabled: boolean;
  readonly identityTrustAnchorsPEM: pulumi.Input<string>;
  readonly identity: {
    readonly issuer: { readonly tls: { readonly crtPEM: pulumi.Input<string>; readonly keyPEM: pulumi.Input<string> } };
  };
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

/** Linkerd's identity chain: PEMs of the trust anchor and of the issuer certificate and key. */
export interface LinkerdCertificates {
  readonly trustAnchorPem: pulumi.Output<string>;
  readonly issuerCertPem: pulumi.Output<string>;
  readonly issuerKeyPem: pulumi.Output<string>;
}

/**
 * Linkerd's identity chain, as its Helm install requires: an ECDSA P-256 self-signed trust anchor and an issuer
 * (intermediate CA, path length 0) signed by it. Private keys live only in the (encrypted) Pulumi state.
 */
export function linkerdCertificates(name: string, parent: pulumi.Resource): LinkerdCertificates {
  const opts = { parent };
  const caKey = new tls.PrivateKey(`${name}-linkerd-trust-anchor`, { algorithm: 'ECDSA', ecdsaCurve: 'P256' }, opts);
  const ca = new tls.SelfSignedCert(
    `${name}-linkerd-trust-anchor`,
    {
      privateKeyPem: caKey.privateKeyPem,
      subject: { commonName: 'root.linkerd.cluster.local' },
      isCaCertificate: true,
      maxPathLength: 1,
      validityPeriodHours: LINKERD_CERTIFICATE_DEFAULTS.trustAnchorValidityHours,
      allowedUses: ['cert_signing', 'crl_signing'],
    },
    opts,
  );
  const issuerKey = new tls.PrivateKey(`${name}-linkerd-issuer`, { algorithm: 'ECDSA', ecdsaCurve: 'P256' }, opts);
  const request = new tls.CertRequest(
    `${name}-linkerd-issuer`,
    { privateKeyPem: issuerKey.privateKeyPem, subject: { commonName: 'identity.linkerd.cluster.local' } },
    opts,
  );
  const issuer = new tls.LocallySignedCert(
    `${name}-linkerd-issuer`,
    {
      certRequestPem: request.certRequestPem,
      caPrivateKeyPem: caKey.privateKeyPem,
      caCertPem: ca.certPem,
      isCaCertificate: true,
      maxPathLength: 0,
      validityPeriodHours: LINKERD_CERTIFICATE_DEFAULTS.issuerValidityHours,
      earlyRenewalHours: LINKERD_CERTIFICATE_DEFAULTS.issuerEarlyRenewalHours,
      allowedUses: ['cert_signing', 'crl_signing'],
    },
    opts,
  );
  return {
    trustAnchorPem: ca.certPem,
    issuerCertPem: issuer.certPem,
    issuerKeyPem: pulumi.secret(issuerKey.privateKeyPem),
  };
}

/** The installed Linkerd control plane and its trust anchor. */
export interface LinkerdInstall {
  /** The control-plane release: meshed apps wait for it. */
  readonly ready: k8s.helm.v3.Release;
  /** PEM of the trust anchor (public). */
  readonly trustAnchorPem: pulumi.Output<string>;
}

/**
 * Installs Linkerd: certificates, its CRDs and the CNI plugin, then the control plane (with `cniEnabled`,
 * which needs the plugin on every node first).
 */
export function installLinkerd(installer: AddonInstaller, dependsOn: readonly pulumi.Resource[]): LinkerdInstall {
  const certs = linkerdCertificates(installer.name, installer.args.parent);
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
        identityTrustAnchorsPEM: certs.trustAnchorPem,
        identity: { issuer: { tls: { crtPEM: certs.issuerCertPem, keyPEM: certs.issuerKeyPem } } },
      },
    },
    [...(crds ? [crds] : []), cni, ...dependsOn],
  );
  return { ready, trustAnchorPem: certs.trustAnchorPem };
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
