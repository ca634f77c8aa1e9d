/**
 * The cdk8s side writes NetworkPolicies that admit traffic from the add-ons' namespaces, and routes that attach
 * to the platform Gateway. If the contract declares those names, they must be where Pulumi installs things.
 */
import * as contract from '../../platform/contract';
import type { Addon } from '../../platform/contract';
import { PLATFORM_GATEWAY, RELEASE_NAMESPACES } from '../../platform/cloud/platform-addons';

const declared = contract as unknown as Record<string, unknown>;

const INSTALLED_IN: Record<Addon, string> = {
  'ingress-nginx': RELEASE_NAMESPACES.ingressNginx,
  contour: RELEASE_NAMESPACES.contour,
  'gateway-api': PLATFORM_GATEWAY.namespace,
  linkerd: RELEASE_NAMESPACES.linkerd,
  'linkerd-viz': RELEASE_NAMESPACES.linkerdViz,
  prometheus: RELEASE_NAMESPACES.monitoring,
  'prometheus-adapter': RELEASE_NAMESPACES.monitoring,
  vpa: RELEASE_NAMESPACES.vpa,
  loki: RELEASE_NAMESPACES.monitoring,
  tempo: RELEASE_NAMESPACES.monitoring,
  keda: 'keda',
  'cert-manager': RELEASE_NAMESPACES.certManager,
};

describe('agreement with the charts-out contract', () => {
  test('every add-on has an install namespace', () => {
    expect(Object.keys(INSTALLED_IN).sort()).toEqual([...contract.ADDONS].sort());
  });

  test('add-ons are installed in the namespaces the contract declares', () => {
    const namespaces = declared.ADDON_NAMESPACES as Record<Addon, string> | undefined;
    if (namespaces) expect(INSTALLED_IN).toEqual(namespaces);
  });

  test('the platform Gateway is the one the contract declares', () => {
    const gateway = declared.PLATFORM_GATEWAY as { name: string; namespace: string } | undefined;
    if (gateway) expect(PLATFORM_GATEWAY).toEqual(gateway);
  });
});
