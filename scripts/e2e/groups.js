#!/usr/bin/env node
/**
 * Runs the e2e suite as two groups at once, each in network and PID namespaces of its own
 * (scripts/cluster/netns.sh): the real-node suite (runtime.test.ts: kubelets, containerd, kube-proxy, kube-router and
 * CoreDNS on fixed addresses, bridges and iptables rules in its namespace) and every other suite (kwok clusters on
 * free loopback ports, one suite after another, each refusing to start in a namespace that has more than loopback).
 * The two groups share nothing but the machine: the real-node suite mostly waits on containers, the Pulumi suite on
 * the engine.
 *
 *   node scripts/e2e/groups.js [jest args...]
 *
 * Jest's `--json --outputFile=F` is honoured: each group writes its own report and F gets their sum. Each line of
 * output is prefixed with its group. Exits non-zero when either group fails.
 */
'use strict';
const { spawn } = require('node:child_process');
const { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const REAL_NODE_SUITES = ['test/e2e/runtime.test.ts'];

const args = process.argv.slice(2);
const outputFile = args.find((a) => a.startsWith('--outputFile='))?.slice('--outputFile='.length);
const jestArgs = args.filter((a) => !a.startsWith('--outputFile=') && a !== '--json');
const dir = mkdtempSync(join(tmpdir(), 'e2e-groups-'));

const groups = [
  { name: 'real-node', select: REAL_NODE_SUITES },
  { name: 'kwok', select: ['--testPathIgnorePatterns', ...REAL_NODE_SUITES.map((s) => s.replace(/\./g, '\\.'))] },
];

function run(group) {
  const report = join(dir, `${group.name}.json`);
  const child = spawn(
    'bash',
    [
      join(__dirname, '..', 'cluster', 'netns.sh'),
      ...['npx', 'jest', '-c', 'jest.e2e.config.js', ...jestArgs, '--json', `--outputFile=${report}`, ...group.select],
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const prefix = (stream, out) => {
    let rest = '';
    stream.on('data', (chunk) => {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop();
      for (const line of lines) out.write(`[${group.name}] ${line}\n`);
    });
    stream.on('end', () => rest && out.write(`[${group.name}] ${rest}\n`));
  };
  prefix(child.stdout, process.stdout);
  prefix(child.stderr, process.stderr);
  return new Promise((resolve) => child.on('close', (code) => resolve({ group, code, report })));
}

function sum(results) {
  const reports = results.map(({ group, code, report }) =>
    existsSync(report)
      ? JSON.parse(readFileSync(report, 'utf8'))
      : // A group that died before Jest wrote its report counts as one failed suite.
        {
          numPassedTests: 0,
          numFailedTests: 0,
          numTotalTests: 0,
          numRuntimeErrorTestSuites: 1,
          success: false,
          testResults: [{ name: group.name, status: 'failed', message: `exited ${code} without a report` }],
        },
  );
  const total = (key) => reports.reduce((n, r) => n + (r[key] ?? 0), 0);
  return {
    success: reports.every((r) => r.success),
    numPassedTests: total('numPassedTests'),
    numFailedTests: total('numFailedTests'),
    numPendingTests: total('numPendingTests'),
    numTotalTests: total('numTotalTests'),
    numPassedTestSuites: total('numPassedTestSuites'),
    numFailedTestSuites: total('numFailedTestSuites'),
    numRuntimeErrorTestSuites: total('numRuntimeErrorTestSuites'),
    numTotalTestSuites: total('numTotalTestSuites'),
    testResults: reports.flatMap((r) => r.testResults ?? []),
  };
}

Promise.all(groups.map(run)).then((results) => {
  const merged = sum(results);
  rmSync(dir, { recursive: true, force: true });
  if (outputFile) writeFileSync(outputFile, JSON.stringify(merged));
  for (const { group, code } of results) console.error(`e2e group ${group.name}: exit ${code}`);
  console.error(`e2e: ${merged.numPassedTests} passed, ${merged.numFailedTests} failed`);
  process.exit(results.every((r) => r.code === 0) ? 0 : 1);
});
