import { addonPrerequisites, assertAddon, planAddons } from '../../platform/cloud/addon-plan';

describe('planning add-ons', () => {
  test('only requested add-ons and their dependencies are installed', () => {
    expect(planAddons(['ingress-nginx']).install).toEqual(['ingress-nginx']);
  });

  test('Linkerd brings the Gateway API CRDs it references, installed first', () => {
    expect(planAddons(['linkerd']).install).toEqual(['gateway-api', 'linkerd']);
  });

  test('linkerd-viz brings Linkerd and comes after it', () => {
    const { install } = planAddons(['linkerd-viz']);
    expect(install.indexOf('linkerd')).toBeLessThan(install.indexOf('linkerd-viz'));
  });

  test('prometheus-adapter brings kube-prometheus-stack and comes after it', () => {
    expect(planAddons(['prometheus-adapter']).install).toEqual(['prometheus', 'prometheus-adapter']);
  });

  test('charts shipping ServiceMonitors wait for the Prometheus Operator CRDs', () => {
    const { install } = planAddons(['contour', 'ingress-nginx', 'prometheus']);
    expect(install[0]).toBe('prometheus');
  });

  test('every add-on follows all of its prerequisites', () => {
    const { install } = planAddons(['tempo', 'loki', 'vpa', 'linkerd-viz', 'contour', 'prometheus-adapter']);
    install.forEach((addon, i) =>
      addonPrerequisites(addon, install).forEach((dep) => expect(install.indexOf(dep)).toBeLessThan(i)),
    );
  });

  test('add-ons the cluster provides are skipped and reported', () => {
    expect(planAddons(['vpa', 'contour'], ['vpa'])).toEqual({ install: ['contour'], builtIn: ['vpa'] });
  });

  test('an unknown add-on name is refused with the allowed list', () => {
    expect(() => assertAddon('istio', 'k8s-platform:addons')).toThrow(
      'k8s-platform:addons: unknown add-on "istio"; use one of ingress-nginx, contour, gateway-api, linkerd',
    );
  });
});
