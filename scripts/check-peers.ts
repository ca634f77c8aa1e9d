/**
 * `npm run check:peers [-- [--dir charts-out] [--no-skips]]`
 *
 * Runs the manifest checkers users already run — kubeconform (schemas of Kubernetes 1.33 and of the CRDs in
 * `../shared/crds`), kube-score and Checkov — on the synthesized manifests, with the committed configurations
 * in `scripts/checkers/<tool>.yaml`, which skip only the checks the platform deliberately does differently,
 * each with its reason. Any other finding fails. The tools are installed first, from the package registries into
 * a cache outside the repository (`scripts/checkers/install.sh`).
 * Exit 0: no findings; 1: findings; 2: usage or setup error.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseCliArgs, runCli, UsageError } from './lib/cli';
import { sharedDir } from './lib/crds';
import { MANIFEST_EXTENSION } from './lib/manifests';
import { prepareKubeconformSchemas } from './lib/peer-schemas';
import type { PeerFinding, PeerSkip, PeerTool } from './lib/peers';
import {
  PEER_TOOLS,
  checkovFindings,
  countPeerFindings,
  formatPeerFinding,
  kubeconformFindings,
  kubeScoreFindings,
  parsePeerConfig,
} from './lib/peers';

const USAGE = `usage: npm run check:peers -- [--dir <charts-out>] [--no-skips]

  --dir <dir>   folder of *.k8s.yaml files (default: charts-out)
  --no-skips    ignore the committed configurations (to count every finding)
Environment: SHARED_DIR (default ../shared) holds crds/; K8S_PLATFORM_CACHE the tool cache.
Exit codes: 0 no findings, 1 findings, 2 usage or setup error.`;

const CONFIG_DIR = join(__dirname, 'checkers');

/** Paths printed by install.sh. */
interface Installed {
  kubeScore: string;
  kubeconform: string;
  checkov: string;
  kubernetesSchemas: string;
  kubernetesVersion: string;
  cache: string;
}

function install(): Installed {
  const run = spawnSync('bash', [join(CONFIG_DIR, 'install.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (run.status !== 0) throw new UsageError('scripts/checkers/install.sh failed (see above)');
  return JSON.parse(run.stdout.trim().split('\n').pop() ?? '') as Installed;
}

/** Runs a tool; its JSON report is on stdout whatever its exit code (non-zero means findings). */
function tool(command: string, args: readonly string[]): string {
  const run = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (run.error || !run.stdout.trim()) {
    throw new UsageError(`${command} produced no report: ${run.error?.message ?? run.stderr.trim()}`);
  }
  return run.stdout;
}

function main(): number {
  const { values } = parseCliArgs(process.argv.slice(2), {
    dir: { type: 'string', default: 'charts-out' },
    'no-skips': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const dir = resolve(values.dir);
  if (!existsSync(dir)) throw new UsageError(`no such folder: ${values.dir} (run npm run synth first)`);
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(MANIFEST_EXTENSION))
    .sort()
    .map((f) => join(dir, f));
  if (files.length === 0) throw new UsageError(`no *${MANIFEST_EXTENSION} files in ${values.dir}`);
  const skips = Object.fromEntries(
    PEER_TOOLS.map((t) => {
      const file = join(CONFIG_DIR, `${t}.yaml`);
      return [t, values['no-skips'] ? [] : parsePeerConfig(readFileSync(file, 'utf8'), file)];
    }),
  ) as Record<PeerTool, PeerSkip[]>;
  const ids = (t: PeerTool) => skips[t].map((s) => s.id);

  const bin = install();
  const started = process.hrtime.bigint();
  const schemas = prepareKubeconformSchemas(bin.kubernetesSchemas, join(sharedDir(), 'crds'), bin.cache);
  const findings: PeerFinding[] = [
    ...kubeconformFindings(
      tool(bin.kubeconform, [
        '-strict',
        '-output',
        'json',
        '-schema-location',
        schemas.kubernetes,
        '-schema-location',
        schemas.crds,
        ...(ids('kubeconform').length ? ['-skip', ids('kubeconform').join(',')] : []),
        ...files,
      ]),
    ),
    ...kubeScoreFindings(
      tool(bin.kubeScore, [
        'score',
        '-o',
        'json',
        '--kubernetes-version',
        bin.kubernetesVersion.replace(/\.0$/, ''),
        ...ids('kube-score').flatMap((id) => ['--ignore-test', id]),
        ...files,
      ]),
    ),
    ...checkovFindings(
      tool(bin.checkov, [
        '--framework',
        'kubernetes',
        '--skip-download',
        '--quiet',
        '-o',
        'json',
        ...(ids('checkov').length ? ['--skip-check', ids('checkov').join(',')] : []),
        ...files.flatMap((f) => ['-f', f]),
      ]),
    ),
  ];
  for (const f of findings)
    process.stdout.write(`${formatPeerFinding({ ...f, file: f.file.replace(`${dir}/`, '') })}\n`);
  const counts = [...countPeerFindings(findings)].map(([check, n]) => `${check}: ${n}`).join(', ');
  const skipped = PEER_TOOLS.map((t) => `${t} ${skips[t].length}`).join(', ');
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  process.stdout.write(
    `check:peers: ${files.length} files, ${findings.length} findings${counts ? ` (${counts})` : ''}; skipped checks: ${skipped} [${ms.toFixed(0)} ms]\n`,
  );
  return findings.length > 0 ? 1 : 0;
}

runCli(USAGE, main);
