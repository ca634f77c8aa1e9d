/**
 * The real Pulumi engine against a local cluster: the CLI, the Node.js language host and the providers built by
 * build-tools.sh (on PATH, nothing downloaded), a file backend and a stack config file in a temp dir. The program
 * is the user's (`Pulumi.yaml` → `stacks/index.ts`); the e2e stack differs from `local` only in where the charts
 * come from (`chartSource.localDir: ../shared/charts`).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './support';

/** What one `pulumi` command did. */
export interface PulumiRun {
  readonly status: number;
  readonly output: string;
  readonly seconds: number;
}

/** The e2e stack's settings (besides the secret the meetings app needs, set with --secret). */
const E2E_CONFIG = [
  'config:',
  '  k8s-platform:cloud: existing',
  '  k8s-platform:existing:',
  // The metrics APIs are aggregated APIs served by pods; with no pod network the API server cannot reach them.
  '    metricsServer: none',
  // No cloud load balancer: as on kind.
  '  k8s-platform:ingressServiceType: NodePort',
  '  k8s-platform:chartSource:',
  '    localDir: ../shared/charts',
].join('\n');

/** A stack of the project on the file backend in its own temp dir. */
export class E2eStack {
  readonly dir = mkdtempSync(join(tmpdir(), 'k8s-platform-pulumi-'));
  readonly configFile = join(this.dir, 'Pulumi.e2e.yaml');
  private readonly env: NodeJS.ProcessEnv;

  constructor(kubeconfig: string, chartsDir = join(ROOT, 'charts-out')) {
    this.env = {
      ...process.env,
      KUBECONFIG: kubeconfig,
      K8S_PLATFORM_CHARTS_DIR: chartsDir,
      PULUMI_HOME: join(this.dir, 'home'),
      PULUMI_CONFIG_PASSPHRASE: 'e2e-only',
      PULUMI_SKIP_UPDATE_CHECK: 'true',
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: 'true',
      // `npm run typecheck` type-checks the program; the language host only needs to run it.
      PULUMI_NODEJS_TRANSPILE_ONLY: 'true',
    };
  }

  /** Points the program at another charts directory (a re-synth, a hand edit). */
  useCharts(chartsDir: string): void {
    this.env.K8S_PLATFORM_CHARTS_DIR = chartsDir;
  }

  /** Runs `pulumi <args>` in the project root; never throws on a failed command. */
  run(args: readonly string[], timeoutMs = 1_500_000): PulumiRun {
    const t0 = Date.now();
    const r = spawnSync('pulumi', [...args, '--non-interactive'], {
      cwd: ROOT,
      env: this.env,
      encoding: 'utf8',
      timeout: timeoutMs,
      maxBuffer: 1 << 28,
    });
    if (r.error)
      throw new Error(`pulumi ${args[0]}: ${r.error.message} (is pulumi on PATH? bash scripts/cluster/build-tools.sh)`);
    return { status: r.status ?? 1, output: `${r.stdout}${r.stderr}`, seconds: (Date.now() - t0) / 1000 };
  }

  /** Runs a stack command with the stack and its config file; throws with the output unless it succeeded. */
  must(args: readonly string[]): PulumiRun {
    const r = this.stack(args);
    if (r.status !== 0) throw new Error(`pulumi ${args.join(' ')} failed (${r.status}):\n${r.output.slice(-6000)}`);
    return r;
  }

  /** Runs a stack command with the stack and its config file. */
  stack(args: readonly string[]): PulumiRun {
    return this.run([...args, '--stack', 'e2e', '--config-file', this.configFile]);
  }

  /**
   * Logs in to the file backend and creates the stack. `stack init` writes the passphrase's salt into the
   * project's stack file: it is moved into the temp config file, so the repository is left as it was.
   */
  init(secrets: Readonly<Record<string, string>>): void {
    mkdirSync(join(this.dir, 'state'));
    const login = this.run(['login', `file://${join(this.dir, 'state')}`]);
    if (login.status !== 0) throw new Error(login.output);
    const projectStackFile = join(ROOT, 'stacks', 'Pulumi.e2e.yaml');
    try {
      const init = this.run(['stack', 'init', 'e2e']);
      if (init.status !== 0) throw new Error(init.output);
      const salt = readFileSync(projectStackFile, 'utf8').trim();
      writeFileSync(this.configFile, `${salt}\n${E2E_CONFIG}\n`);
    } finally {
      rmSync(projectStackFile, { force: true });
    }
    for (const [key, value] of Object.entries(secrets)) {
      this.must(['config', 'set', '--secret', '--path', `k8s-platform:secrets["${key}"]`, value]);
    }
  }

  /** The steps `pulumi preview --json` plans: operation and URN of each. */
  previewSteps(): Array<{ op: string; urn: string }> {
    const r = this.stack(['preview', '--json', '--diff']);
    if (r.status !== 0) throw new Error(`pulumi preview failed:\n${r.output.slice(-6000)}`);
    const json = JSON.parse(r.output.slice(r.output.indexOf('{'))) as { steps?: Array<{ op: string; urn: string }> };
    return json.steps ?? [];
  }

  /** Removes the temp dir (state, config, Pulumi home). */
  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
