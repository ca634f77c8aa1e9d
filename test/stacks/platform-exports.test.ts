import type { AppEntry } from '../../platform/contract';
import {
  PLATFORM_EXPORTS_VERSION,
  checkAppAgainstPlatform,
  gatewayExportHosts,
} from '../../platform/cloud/stack/platform-exports';
import type { PlatformExports } from '../../platform/cloud/stack/platform-exports';

const app: AppEntry = {
  name: 'shop',
  file: 'shop.k8s.yaml',
  namespace: 'shop',
  digest: 'sha256:0',
  secrets: [],
  addons: ['gateway-api', 'contour', 'cert-manager'],
  stateful: [],
  hosts: ['shop.example.com', 'internal.example.com'],
  meshed: false,
  gatewayHttpsHosts: ['shop.example.com'],
  gatewayHttpHosts: ['internal.example.com'],
};

const platform = (hosts: Parameters<typeof gatewayExportHosts>[0]): PlatformExports => ({
  version: PLATFORM_EXPORTS_VERSION,
  cloud: 'existing',
  addons: { 'gateway-api': 'v1', contour: '1', 'cert-manager': '1' },
  issuers: {},
  gateway: { name: 'platform', namespace: 'projectcontour', ...gatewayExportHosts(hosts) },
  ingressAddresses: {},
  identities: {},
});

describe('an app stack checks the platform Gateway has a listener for each of its hosts', () => {
  test('the export lists HTTPS and plain-HTTP hosts apart, sorted, without duplicates', () => {
    expect(
      gatewayExportHosts([
        { host: 'b.example.com', namespace: 'a' },
        { host: 'a.example.com', namespace: 'a' },
        { host: 'a.example.com', namespace: 'b' },
        { host: 'c.example.com', namespace: 'a', plainHttp: true },
      ]),
    ).toEqual({ httpsHosts: ['a.example.com', 'b.example.com'], httpHosts: ['c.example.com'] });
    expect(gatewayExportHosts([{ host: 'a.example.com', namespace: 'a' }])).toEqual({ httpsHosts: ['a.example.com'] });
  });

  test('both listeners present: accepted', () => {
    const both = platform([
      { host: 'shop.example.com', namespace: 'shop' },
      { host: 'internal.example.com', namespace: 'shop', plainHttp: true },
    ]);
    expect(() => checkAppAgainstPlatform(app, both, 'platform-dev')).not.toThrow();
  });

  test('a plain-HTTP host with only an HTTPS listener (or none) is refused, naming the key that adds it', () => {
    const httpsOnly = platform([
      { host: 'shop.example.com', namespace: 'shop' },
      { host: 'internal.example.com', namespace: 'shop' },
    ]);
    expect(() => checkAppAgainstPlatform(app, httpsOnly, 'platform-dev')).toThrow(
      'app "shop" serves internal.example.com over plain HTTP on the platform Gateway, which has no listener for it ' +
        "on platform stack platform-dev. List the app in the platform stack's k8s-platform:apps (an app of its " +
        'charts-out/) or add { host, namespace: shop } to its k8s-platform:gatewayHttpHosts',
    );
  });

  test('an HTTPS host without its listener is refused, naming gatewayHttpsHosts', () => {
    const none = platform([{ host: 'internal.example.com', namespace: 'shop', plainHttp: true }]);
    expect(() => checkAppAgainstPlatform(app, none, 'platform-dev')).toThrow(
      /serves shop\.example\.com over HTTPS .* k8s-platform:gatewayHttpsHosts/,
    );
  });
});
