import { CONTROL_PLANE_CALLED_PORTS, controlPlanePortsToOpen } from '../../platform/cloud/control-plane-ports';

describe('ports the control plane calls on add-on pods', () => {
  test('ingress-nginx admission and the Linkerd webhooks need 8443 and 9443', () => {
    expect(controlPlanePortsToOpen(['ingress-nginx', 'linkerd'])).toEqual([8443, 9443]);
  });

  test('ports GKE already opens to private nodes (443, 10250) are left out', () => {
    expect(controlPlanePortsToOpen(['prometheus'])).toEqual([]);
    expect(CONTROL_PLANE_CALLED_PORTS.prometheus.map((p) => p.port)).toEqual([10250]);
  });

  test('add-ons without webhooks or aggregated APIs need nothing', () => {
    expect(controlPlanePortsToOpen(['contour', 'gateway-api', 'loki', 'tempo'])).toEqual([]);
  });

  test('each port is listed once, sorted', () => {
    expect(controlPlanePortsToOpen(['linkerd-viz', 'prometheus-adapter', 'ingress-nginx', 'vpa'])).toEqual([
      6443, 8000, 8089, 8443,
    ]);
  });
});
