/**
 * The real Pulumi engine against a local cluster: the CLI, the Node.js language host and the providers built by
 * build-tools.sh (on PATH, nothing downloaded), a file backend and a stack config file in a temp dir. The program
 * is the user's (`Pulumi.yaml` → `stacks/index.ts`); the stack differs from `local` only in where the charts
 * come from (`chartSource.localDir: ../shared/charts`). Used by the e2e suite and by `npm run bench -- --cases engine`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';

/** Repository root. */
const ROOT = join(__dirname, '..', '..');

/** What one `pulumi` command did. */
export interface PulumiRun {
  readonly status: number;
  readonly output: string;
  readonly seconds: number;
}

/**
 * The project settings (`k8s-platform:<key>`) of a stack on the local cluster, besides secrets (set with
 * `--secret`): an existing cluster, add-on charts from `../shared/charts`.
 */
export const LOCAL_CLUSTER_SETTINGS: Readonly<Record<string, unknown>> = {
  cloud: 'existing',
  // The metrics APIs are aggregated APIs served by pods; with no pod network the API server cannot reach them.
  existing: { metricsServer: 'none' },
  // No cloud load balancer: as on kind.
  ingressServiceType: 'NodePort',
  chartSource: { localDir: '../shared/charts' },
};

/** Options of {@link LocalStack}. */
export interface LocalStackOptions {
  /** Stack name. @default 'e2e' */
  readonly name?: string;
  /** Project settings, without the `k8s-platform:` prefix. @default {@link LOCAL_CLUSTER_SETTINGS} */
  readonly settings?: Readonly<Record<string, unknown>>;
  /** Extra environment of every `pulumi` command (the benchmark's memory probe). */
  readonly env?: Readonly<Record<string, string>>;
}

/** A stack of the project on the file backend in its own temp dir. */
export class LocalStack {
  readonly dir = mkdtempSync(join(tmpdir(), 'k8s-platform-pulumi-'));
  readonly name: string;
  readonly configFile: string;
  private readonly settings: Readonly<Record<string, unknown>>;
  private readonly env: NodeJS.ProcessEnv;

  constructor(kubeconfig: string, options: LocalStackOptions = {}) {
    this.name = options.name ?? 'e2e';
    this.configFile = join(this.dir, `Pulumi.${this.name}.yaml`);
    this.settings = options.settings ?? LOCAL_CLUSTER_SETTINGS;
    this.env = {
      ...process.env,
      KUBECONFIG: kubeconfig,
      K8S_PLATFORM_CHARTS_DIR: join(ROOT, 'charts-out'),
      PULUMI_HOME: join(this.dir, 'home'),
      PULUMI_CONFIG_PASSPHRASE: 'e2e-only',
      PULUMI_SKIP_UPDATE_CHECK: 'true',
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: 'true',
      // `npm run typecheck` type-checks the program; the language host only needs to run it.
      PULUMI_NODEJS_TRANSPILE_ONLY: 'true',
      ...options.env,
    };
  }

  /** Points the program at another charts directory (a re-synth, a hand edit). */
  useCharts(chartsDir: string): void {
    this.env.K8S_PLATFORM_CHARTS_DIR = chartsDir;
  }

  /** Sets (or, with `undefined`, removes) a variable of the environment of the following commands. */
  setEnv(name: string, value: string | undefined): void {
    if (value === undefined) delete this.env[name];
    else this.env[name] = value;
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
    if (r.error) throw notFound(args, r.error);
    return { status: r.status ?? 1, output: `${r.stdout}${r.stderr}`, seconds: (Date.now() - t0) / 1000 };
  }

  /**
   * Runs a stack command like {@link LocalStack.stack}, without blocking the event loop (the benchmark samples
   * `/proc` meanwhile); the output is kept up to its last 4 MB. After `timeoutMs` the engine is asked to cancel
   * (SIGINT, as Ctrl-C), and killed a minute later.
   */
  stackAsync(args: readonly string[], timeoutMs = 3_600_000): Promise<PulumiRun> {
    const t0 = Date.now();
    const child = spawn('pulumi', [...this.stackArgs(args), '--non-interactive'], {
      cwd: ROOT,
      env: this.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString()).slice(-(4 << 20));
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const cancel = setTimeout(() => {
      keep(Buffer.from(`\n[cancelled after ${timeoutMs / 1000} s]\n`));
      child.kill('SIGINT');
      setTimeout(() => child.kill('SIGKILL'), 60_000).unref();
    }, timeoutMs);
    return new Promise((resolve, reject) => {
      child.on('error', (error) => reject(notFound(args, error)));
      child.on('close', (code) => {
        clearTimeout(cancel);
        resolve({ status: code ?? 1, output, seconds: (Date.now() - t0) / 1000 });
      });
    });
  }

  /** Runs a stack command with the stack and its config file; throws with the output unless it succeeded. */
  must(args: readonly string[]): PulumiRun {
    const r = this.stack(args);
    if (r.status !== 0) throw new Error(`pulumi ${args.join(' ')} failed (${r.status}):\n${r.output.slice(-6000)}`);
    return r;
  }

  /** Runs a stack command with the stack and its config file. */
  stack(args: readonly string[]): PulumiRun {
    return this.run(this.stackArgs(args));
  }

  private stackArgs(args: readonly string[]): string[] {
    return [...args, '--stack', this.name, '--config-file', this.configFile];
  }

  /**
   * Logs in to the file backend and creates the stack. `stack init` writes the passphrase's salt into the
   * project's stack file: it is moved into the temp config file, so the repository is left as it was.
   */
  init(secrets: Readonly<Record<string, string>>): void {
    mkdirSync(join(this.dir, 'state'));
    const login = this.run(['login', `file://${join(this.dir, 'state')}`]);
    if (login.status !== 0) throw new Error(login.output);
    const projectStackFile = join(ROOT, 'stacks', `Pulumi.${this.name}.yaml`);
    try {
      const init = this.run(['stack', 'init', this.name]);
      if (init.status !== 0) throw new Error(init.output);
      const salt = readFileSync(projectStackFile, 'utf8').trim();
      const config = Object.fromEntries(Object.entries(this.settings).map(([k, v]) => [`k8s-platform:${k}`, v]));
      writeFileSync(this.configFile, `${salt}\n${stringify({ config })}`);
    } finally {
      rmSync(projectStackFile, { force: true });
    }
    this.setSecrets(secrets);
  }

  /** Sets secret values (`<app>/<secret>/<key>`) in the stack config, encrypted. */
  setSecrets(secrets: Readonly<Record<string, string>>): void {
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

function notFound(args: readonly string[], error: Error): Error {
  return new Error(`pulumi ${args[0]}: ${error.message} (is pulumi on PATH? bash scripts/cluster/build-tools.sh)`);
}
