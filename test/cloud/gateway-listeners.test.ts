import { platformGateway } from '../../platform/cloud/addons/gateway-api';

interface Listener {
  readonly name: string;
  readonly port: number;
  readonly hostname?: string;
  readonly allowedRoutes: { readonly namespaces: { readonly from: string; readonly selector?: unknown } };
}

const hosts = [
  { host: 'chat.example.com', namespace: 'chat' },
  { host: 'meetings.example.com', namespace: 'meetings' },
  { host: 'internal.example.com', namespace: 'meetings', plainHttp: true },
];
const listeners = (h = hosts) => platformGateway(h).spec.listeners as unknown as Listener[];
const admitted = (l: Listener): string[] | 'all' | 'same' => {
  const ns = l.allowedRoutes.namespaces;
  if (ns.from === 'All') return 'all';
  if (ns.from === 'Same') return 'same';
  const selector = ns.selector as { matchExpressions: { key: string; operator: string; values: string[] }[] };
  expect(selector.matchExpressions).toHaveLength(1);
  expect(selector.matchExpressions[0]).toMatchObject({ key: 'kubernetes.io/metadata.name', operator: 'In' });
  return selector.matchExpressions[0].values;
};

describe('the shared platform Gateway admits routes only from the namespaces that own them', () => {
  test('no listener admits every namespace', () => {
    expect(
      listeners()
        .filter((l) => admitted(l) === 'all')
        .map((l) => l.name),
    ).toEqual([]);
    expect(
      listeners([])
        .filter((l) => admitted(l) === 'all')
        .map((l) => l.name),
    ).toEqual([]);
  });

  test('each host’s listeners admit only the namespace that owns the host, or the platform’s own on port 80', () => {
    const own = listeners().filter((l) => l.hostname !== undefined);
    expect(own.map((l) => [l.name, l.port, l.hostname, admitted(l)])).toEqual([
      ['http-chat.example.com', 80, 'chat.example.com', ['projectcontour']],
      ['http-internal.example.com', 80, 'internal.example.com', ['meetings']],
      ['http-meetings.example.com', 80, 'meetings.example.com', ['projectcontour']],
      ['https-chat.example.com', 443, 'chat.example.com', ['chat']],
      ['https-meetings.example.com', 443, 'meetings.example.com', ['meetings']],
    ]);
  });

  /** What can attach a route for `host` on `port`: the namespaces each matching listener admits. */
  const claimants = (host: string, port: number) =>
    listeners()
      .filter((l) => l.port === port && (l.hostname === undefined || l.hostname === host))
      .map((l) => admitted(l));

  test('no app can claim another app’s host, on port 443 or on port 80', () => {
    for (const { host, namespace } of hosts) {
      const others = hosts.map((h) => h.namespace).filter((ns) => ns !== namespace);
      for (const port of [80, 443]) {
        for (const admits of claimants(host, port)) {
          if (admits === 'same') continue;
          expect([host, port, admits]).toEqual([host, port, expect.not.arrayContaining(others)]);
        }
      }
    }
  });

  test('no listener without a hostname takes HTTP routes (Contour would serve them no host another listener names)', () => {
    expect(
      listeners()
        .filter((l) => l.hostname === undefined)
        .map((l) => l.name),
    ).toEqual(['https']);
  });

  test('Contour’s own TLS listener takes no app routes', () => {
    expect(admitted(listeners().find((l) => l.name === 'https')!)).toBe('same');
  });
});
