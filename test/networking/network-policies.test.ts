import { Service } from '../../platform';
import { find, newChart, synth } from '../helpers';

const service = (chart: ReturnType<typeof newChart>, name: string, port: number) =>
  new Service(chart, name, { image: 'nginxinc/nginx-unprivileged:1.27', port });

/** The pod names a workload's policy admits in (`from`) or lets out (`to`), in rule order. */
function peers(objects: ReturnType<typeof synth>, name: string, direction: 'ingress' | 'egress'): string[] {
  const rules = find(objects, 'NetworkPolicy', name).spec[direction] ?? [];
  return rules.flatMap((r: { from?: unknown[]; to?: unknown[] }) =>
    (r.from ?? r.to ?? []).flatMap((p) => {
      const pod = (p as { podSelector?: { matchLabels?: Record<string, string> } }).podSelector?.matchLabels?.[
        'app.kubernetes.io/name'
      ];
      return pod ? [pod] : [];
    }),
  );
}

describe('workload NetworkPolicies from the edges', () => {
  test('each policy lists exactly the edges at its workload, in declaration order', () => {
    const chart = newChart();
    const [a, b, c, d] = [
      service(chart, 'a', 8001),
      service(chart, 'b', 8002),
      service(chart, 'c', 8003),
      service(chart, 'd', 8004),
    ];
    a.connectTo(c);
    b.connectTo(c);
    a.connectTo(d);
    d.connectTo(c);
    const objects = synth(chart);
    expect(peers(objects, 'c', 'ingress')).toEqual(['a', 'b', 'd']);
    expect(peers(objects, 'a', 'egress')).toEqual(['c', 'd']);
    expect(peers(objects, 'd', 'ingress')).toEqual(['a']);
    expect(peers(objects, 'b', 'ingress')).toEqual([]);
  });

  test('an edge declared after a synth is in the policies of the next one', () => {
    const chart = newChart();
    const [a, b, c] = [service(chart, 'a', 8001), service(chart, 'b', 8002), service(chart, 'c', 8003)];
    a.connectTo(b);
    expect(peers(synth(chart), 'b', 'ingress')).toEqual(['a']);
    c.connectTo(b);
    const objects = synth(chart);
    expect(peers(objects, 'b', 'ingress')).toEqual(['a', 'c']);
    expect(peers(objects, 'c', 'egress')).toEqual(['b']);
  });
});
