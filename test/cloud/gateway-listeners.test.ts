import { platformGateway } from '../../platform/cloud/addons/gateway-api';

interface Listener {
  readonly name: string;
  readonly hostname?: string;
  readonly allowedRoutes: { readonly namespaces: { readonly from: string; readonly selector?: unknown } };
}

const hosts = [
  { host: 'chat.example.com', namespace: 'chat' },
  { host: 'meetings.example.com', namespace: 'meetings' },
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

  test('each host’s HTTPS listener admits only the namespace that owns the host', () => {
    const https = listeners().filter((l) => l.hostname !== undefined);
    expect(https.map((l) => [l.hostname, admitted(l)])).toEqual([
      ['chat.example.com', ['chat']],
      ['meetings.example.com', ['meetings']],
    ]);
  });

  test('the plain-HTTP listener (redirects, ACME solvers) admits the host owners and the Gateway’s namespace', () => {
    const http = listeners().find((l) => l.name === 'http')!;
    expect(admitted(http)).toEqual(['chat', 'meetings', 'projectcontour']);
    expect(admitted(listeners([]).find((l) => l.name === 'http')!)).toBe('same');
  });

  test('Contour’s own TLS listener takes no app routes', () => {
    expect(admitted(listeners().find((l) => l.name === 'https')!)).toBe('same');
  });
});
