/**
 * TLS of a `Route`: on by default for every host, with a certificate from the platform's cert-manager issuer of the
 * route's implementation, and plain HTTP redirected to HTTPS; an opt-out needs a reason, which the synthesized
 * object carries as the exception of the `route-tls` validation rule.
 */
import type { Construct } from 'constructs';
import { CLUSTER_ISSUERS } from '../contract';
import type { PropKeys } from '../core/known-props';
import type { PropValidator } from '../core/validate';
import type * as CertManagerCrds from '../crds/certmanager-cert-manager.io';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const certManagerCrds = (): typeof CertManagerCrds => require('../crds/certmanager-cert-manager.io');

/** The annotation by which a route's object records why it serves plain HTTP (waives rule `route-tls`). */
export const ROUTE_TLS_EXCEPTION = 'exceptions.platform.dev/route-tls';

/** A cert-manager issuer that provisions the route's certificate. */
export interface CertIssuer {
  /** Issuer name. */
  readonly name: string;
  /**
   * Kind of issuer.
   * @default 'ClusterIssuer'
   */
  readonly kind?: 'ClusterIssuer' | 'Issuer';
}

/** TLS termination of a route. */
export interface RouteTls {
  /**
   * The `kubernetes.io/tls` Secret holding the certificate (in the app namespace). Given without `issuer`, the
   * Secret is provided by other means. Not with `gateway` (the platform Gateway holds the certificates).
   * @default `<route>-tls`
   */
  readonly secretName?: string;
  /**
   * The cert-manager issuer that creates and renews that Secret (`nginx`: ingress-shim annotation; `contour`: a
   * `Certificate`). Not with `gateway`.
   * @default the platform's ClusterIssuer of the implementation (`CLUSTER_ISSUERS`), unless `secretName` is given
   */
  readonly issuer?: CertIssuer;
  /**
   * Serve the host over plain HTTP only, for this reason (e.g. `"TLS ends at the cloud load balancer"`), which is
   * written on the route's objects.
   * @default TLS is served
   */
  readonly disabled?: string;
}

/** A route's TLS after validation. */
export type ResolvedTls =
  | { readonly disabled: string }
  | { readonly disabled?: undefined; readonly secretName: string; readonly issuer?: Required<CertIssuer> };

const ROUTE_TLS_KEYS: PropKeys<RouteTls> = { secretName: true, issuer: true, disabled: true };
const CERT_ISSUER_KEYS: PropKeys<CertIssuer> = { name: true, kind: true };

/** Validates a route's TLS and fills in the defaults. */
export function resolveTls(
  v: PropValidator,
  id: string,
  via: keyof typeof CLUSTER_ISSUERS,
  tls: RouteTls | undefined,
): ResolvedTls {
  v.knownProps('tls', tls, ROUTE_TLS_KEYS, 'tls');
  v.knownProps('tls.issuer', tls?.issuer, CERT_ISSUER_KEYS, 'tls.issuer');
  if (tls?.disabled !== undefined) {
    if (tls.disabled.trim() === '') {
      v.fail(
        'tls.disabled',
        'is empty',
        'say why the host is served without TLS, e.g. "TLS ends at the cloud load balancer"',
      );
    }
    if (tls.secretName !== undefined || tls.issuer !== undefined) {
      v.fail('tls.disabled', 'is set with a certificate', 'give either tls.disabled or tls.secretName/tls.issuer');
    }
    return { disabled: tls.disabled.trim() };
  }
  if (via === 'gateway' && (tls?.secretName !== undefined || tls?.issuer !== undefined)) {
    v.fail(
      'tls',
      'names a certificate on a gateway route',
      'leave it out: the platform Gateway terminates TLS with a certificate per host (or give tls.disabled)',
    );
  }
  const issuer = tls?.issuer ?? (tls?.secretName === undefined ? { name: CLUSTER_ISSUERS[via] } : undefined);
  if (issuer) {
    v.dnsLabel('tls.issuer.name', issuer.name, 253);
    if (issuer.kind !== undefined && issuer.kind !== 'ClusterIssuer' && issuer.kind !== 'Issuer') {
      v.fail('tls.issuer.kind', `${JSON.stringify(issuer.kind)} is not an issuer kind`, 'use ClusterIssuer or Issuer');
    }
  }
  return {
    secretName: v.dnsLabel('tls.secretName', tls?.secretName ?? `${id}-tls`, 253),
    ...(issuer ? { issuer: { name: issuer.name, kind: issuer.kind ?? 'ClusterIssuer' } } : {}),
  };
}

/** The annotations of a route object: the opt-out's reason, or none. */
export function tlsAnnotations(tls: ResolvedTls): Record<string, string> {
  return tls.disabled !== undefined ? { [ROUTE_TLS_EXCEPTION]: tls.disabled } : {};
}

/** The cert-manager ingress-shim annotation naming an Ingress's issuer. */
export function issuerAnnotation(issuer: Required<CertIssuer>): Record<string, string> {
  const key = issuer.kind === 'ClusterIssuer' ? 'cert-manager.io/cluster-issuer' : 'cert-manager.io/issuer';
  return { [key]: issuer.name };
}

/** A cert-manager `Certificate` for one host, stored in `secretName` (Contour has no ingress-shim). */
export function addCertificate(
  scope: Construct,
  name: string,
  host: string,
  tls: { secretName: string; issuer: Required<CertIssuer> },
): Construct {
  return new (certManagerCrds().Certificate)(scope, 'certificate', {
    metadata: { name },
    spec: {
      secretName: tls.secretName,
      dnsNames: [host],
      issuerRef: { group: 'cert-manager.io', kind: tls.issuer.kind, name: tls.issuer.name },
    },
  });
}
