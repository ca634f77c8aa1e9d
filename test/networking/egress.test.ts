import { Database, INTERNET_EXCEPT, Service, Worker } from '../../platform';
import { find, findings, newChart, synth } from '../helpers';

const IMAGE = 'ghcr.io/stefanprodan/podinfo:6.7.1';
const worker = (chart = newChart()) =>
  new Worker(chart, 'bot', { image: IMAGE, liveness: { exec: ['true'] }, replicas: 1 });

describe('Workload.allowEgress', () => {
  test('"internet" allows public IPv4 and IPv6 on the ports, never private ranges or the metadata endpoint', () => {
    const chart = newChart();
    worker(chart).allowEgress({ to: 'internet', ports: [443] });
    const objects = synth(chart);
    expect(find(objects, 'NetworkPolicy', 'bot').spec.egress).toEqual([
      {
        to: [
          { ipBlock: { cidr: '0.0.0.0/0', except: [...INTERNET_EXCEPT.ipv4] } },
          { ipBlock: { cidr: '::/0', except: [...INTERNET_EXCEPT.ipv6] } },
        ],
        ports: [{ protocol: 'TCP', port: 443 }],
      },
    ]);
    expect(INTERNET_EXCEPT.ipv4).toEqual(
      expect.arrayContaining(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16']),
    );
    expect(findings(objects)).toEqual([]);
  });

  test('a namespace peer selects the namespace by name and, when given, the pods by label', () => {
    const chart = newChart();
    worker(chart)
      .allowEgress({ to: { namespace: 'payments' }, ports: [8080] })
      .allowEgress({ to: { namespace: 'monitoring', podLabels: { app: 'collector' } }, ports: [4317, 4318] });
    expect(find(synth(chart), 'NetworkPolicy', 'bot').spec.egress).toEqual([
      {
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'payments' } } }],
        ports: [{ protocol: 'TCP', port: 8080 }],
      },
      {
        to: [
          {
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
            podSelector: { matchLabels: { app: 'collector' } },
          },
        ],
        ports: [
          { protocol: 'TCP', port: 4317 },
          { protocol: 'TCP', port: 4318 },
        ],
      },
    ]);
  });

  test('a CIDR peer becomes an ipBlock with its exceptions', () => {
    const chart = newChart();
    worker(chart).allowEgress({ to: { cidr: '203.0.113.0/24', except: ['203.0.113.128/25'] }, ports: [5432] });
    expect(find(synth(chart), 'NetworkPolicy', 'bot').spec.egress).toEqual([
      {
        to: [{ ipBlock: { cidr: '203.0.113.0/24', except: ['203.0.113.128/25'] } }],
        ports: [{ protocol: 'TCP', port: 5432 }],
      },
    ]);
  });

  test('comes after the declared dependencies, and the same rule twice is rendered once', () => {
    const chart = newChart();
    const db = new Database(chart, 'db', { engine: 'redis' });
    const api = new Service(chart, 'api', { image: IMAGE, port: 9898 }).connectTo(db);
    api.allowEgress({ to: 'internet', ports: [443] }).allowEgress({ to: 'internet', ports: [443] });
    const egress = find(synth(chart), 'NetworkPolicy', 'api').spec.egress;
    expect(egress).toHaveLength(2);
    expect(egress[0].to).toEqual([{ podSelector: { matchLabels: db.selector } }]);
    expect(egress[1].ports).toEqual([{ protocol: 'TCP', port: 443 }]);
  });

  test('leaves the policies of other workloads alone', () => {
    const chart = newChart();
    worker(chart).allowEgress({ to: 'internet', ports: [443] });
    new Service(chart, 'api', { image: IMAGE, port: 9898 });
    expect(find(synth(chart), 'NetworkPolicy', 'api').spec.egress).toEqual([]);
  });

  test.each([
    [{ to: 'intranet', ports: [443] }, 'shop/bot: allowEgress.to "intranet" is not a destination; use "internet"'],
    [{ to: 'internet', ports: [] }, 'shop/bot: allowEgress.ports is empty; give the TCP ports of the destination'],
    [{ to: 'internet', ports: [0] }, 'shop/bot: allowEgress.ports[0] 0 is out of range'],
    [{ to: 'internet', ports: [443, 443] }, 'shop/bot: allowEgress.ports has 443 twice'],
    [{ to: { namespace: 'Monitoring' }, ports: [1] }, 'shop/bot: allowEgress.to.namespace "Monitoring" is not'],
    [
      { to: { namespace: 'monitoring', podLabels: { app: 'a b' } }, ports: [1] },
      'shop/bot: allowEgress.to.podLabels.app "a b" is not a valid label value',
    ],
    [{ to: { cidr: '10.0.0.0' }, ports: [1] }, 'shop/bot: allowEgress.to.cidr "10.0.0.0" is not a CIDR range'],
    [
      { to: { cidr: '10.0.0.0/8', except: ['10.0.0.0/33'] }, ports: [1] },
      'shop/bot: allowEgress.to.except[0] "10.0.0.0/33" is not a CIDR range',
    ],
  ])('rejects %j', (rule, message) => {
    const bot = worker();
    expect(() => bot.allowEgress(rule as never)).toThrow(message);
  });

  test('accepts an IPv6 range', () => {
    expect(() => worker().allowEgress({ to: { cidr: '2001:db8::/32' }, ports: [443] })).not.toThrow();
  });
});
