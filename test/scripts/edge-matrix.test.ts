/** The edge matrix's plan (test/e2e/edge-matrix.ts), from the apps' graphs: what the e2e then observes. */
import { spawnSync } from 'node:child_process';
import { chartsOut } from '../e2e/runtime-support';
import { probeScript } from '../e2e/edge-probes';
import { appChart, containerEnv, formatMatrix, NODE_SOURCE, planEdgeMatrix, withControls } from '../e2e/edge-matrix';

const { index, manifests } = chartsOut();
const plan = (name: string) => {
  const ns = index.apps.find((a) => a.name === name)!.namespace;
  return planEdgeMatrix(appChart(name), ns, (w) => containerEnv(manifests, ns, w));
};

test.each(index.apps.map((a) => a.name))('%s: every declared edge is a probe that must connect, per port', (name) => {
  const chart = appChart(name);
  const probes = plan(name);
  const declared = probes.filter((p) => p.why === 'declared edge');
  // A database backup's edge is a CronJob's, whose pods run only when it fires: the backup drill proves it.
  const workloadEdges = chart.graphEdges.filter((e) => chart.graphNodes.includes(e.from));
  expect(chart.graphEdges.filter((e) => !workloadEdges.includes(e)).map((e) => e.from.kind)).toEqual(
    chart.graphNodes.filter((n) => n.backup).map(() => 'CronJob'),
  );
  expect(declared.length).toBe(workloadEdges.reduce((n, e) => n + e.ports.length, 0));
  expect(declared.every((p) => p.expect === 'connect' && p.address.kind === 'service')).toBe(true);
  // Every database edge logs in with the env the client's container names.
  for (const p of declared.filter((d) => chart.graphNodes.find((n) => n.name === d.target.split(':')[0])?.engine)) {
    expect(p.login?.prefix).toMatch(/^[A-Z_]+$/);
  }
});

test('rendezvous: a workload that uses no database is refused at it; one that does is not', () => {
  const probes = plan('rendezvous');
  const find = (source: string, target: string) => probes.filter((p) => p.source === source && p.target === target);
  expect(find('ui', 'db:5432').map((p) => p.expect)).toEqual(['refused']);
  expect(find('users', 'db:5432').map((p) => [p.expect, p.login?.engine])).toEqual([['connect', 'postgres']]);
  // The callee's metrics port is not open to its caller, only to Prometheus (and the node).
  expect(find('room-router', 'users:9797').map((p) => p.expect)).toEqual(['refused']);
  expect(find('prometheus', 'users:9797').map((p) => p.expect)).toEqual(['connect']);
  expect(find(NODE_SOURCE, 'users:9797').map((p) => p.expect)).toEqual(['connect']);
});

test("meetings: the bot's allowEgress to the Internet on 443 must connect, on 80 must not; metadata never", () => {
  const bot = plan('meetings').filter((p) => p.source === 'bot');
  const expectOf = (target: string) => bot.find((p) => p.target === target)?.expect;
  expect([expectOf('internet:443'), expectOf('internet:80'), expectOf('metadata:80')]).toEqual([
    'connect',
    'refused',
    'refused',
  ]);
});

test('a refusal without another probe reaching the same target is marked uncontrolled, and the report counts', () => {
  const probe = { source: 'a', address: { kind: 'ip', ip: '1.2.3.4' }, port: 1, why: 'declared edge' } as const;
  const observed = withControls([
    { ...probe, target: 'x:1', expect: 'connect', observed: 'connect' },
    { ...probe, target: 'x:1', expect: 'refused', observed: 'refused', why: 'w' },
    { ...probe, target: 'y:1', expect: 'refused', observed: 'refused', why: 'w' },
  ]);
  expect(observed.map((o) => o.controlled)).toEqual([undefined, true, false]);
  expect(formatMatrix('app', observed)).toMatch(
    /declared edges connected 1\/1, undeclared refused 2\/2 \(1 without a control\)/,
  );
});

test('the probe script is valid bash, one RESULT line per probe, and names credentials only by variable', () => {
  const base = {
    source: 's',
    target: 't',
    address: { kind: 'ip', ip: '192.0.2.1' },
    port: 1,
    expect: 'connect',
  } as const;
  const logins = (['postgres', 'redis', 'mongodb'] as const).map((engine, i) => ({
    index: i + 1,
    host: '192.0.2.1',
    probe: { ...base, why: 'declared edge', login: { engine, prefix: 'DB' } },
  }));
  const script = probeScript([{ index: 0, host: '192.0.2.1', probe: { ...base, why: 'w' } }, ...logins]);
  expect(spawnSync('bash', ['-n'], { input: script }).status).toBe(0);
  expect(script.split('\n')).toHaveLength(4);
  expect(script).toContain('"${DB_PASSWORD}"');
});
