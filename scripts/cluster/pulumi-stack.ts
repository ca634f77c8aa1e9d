/**
 * The real Pulumi engine against a local cluster: the CLI, the Node.js language host and the providers built by
 * build-tools.sh (on PATH, nothing downloaded), a file backend in a temp dir shared by every stack of a run (so that
 * app stacks read the platform stack through a StackReference, across projects too), each stack with its config
 * file beside it. The program is the user's (`Pulumi.yaml` → `stacks/index.ts`) or a consumer project's; the
 * platform stack differs from `local` only in where the charts come from (`chartSource.localDir: ../shared/charts`).
 * Used by the e2e suite and by `npm run bench -- --cases engine`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';

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

/** The settings of an app stack of this repository on the platform stack `platform` of the same backend. */
export function appStackSettings(platform: string, app: string): Record<string, unknown> {
  return { platformStack: `organization/k8s-platform/${platform}`, app };
}

/** A file backend in a temp dir, logged in once, shared by the stacks of one run. */
export class LocalBackend {
  readonly dir = mkdtempSync(join(tmpdir(), 'k8s-platform-pulumi-'));
  readonly env: Readonly<NodeJS.ProcessEnv>;

  constructor(kubeconfig: string) {
    this.env = {
      ...process.env,
      KUBECONFIG: kubeconfig,
      K8S_PLATFORM_CHARTS_DIR: join(ROOT, 'charts-out'),
      PULUMI_HOME: join(this.dir, 'home'),
      PULUMI_BACKEND_URL: `file://${join(this.dir, 'state')}`,
      PULUMI_CONFIG_PASSPHRASE: 'e2e-only',
      PULUMI_SKIP_UPDATE_CHECK: 'true',
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: 'true',
      // `npm run typecheck` type-checks the program; the language host only needs to run it.
      PULUMI_NODEJS_TRANSPILE_ONLY: 'true',
    };
    mkdirSync(join(this.dir, 'state'));
  }

  /** Removes the temp dir (state, configs, Pulumi home). */
  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Options of {@link LocalStack}. */
export interface LocalStackOptions {
  /** Stack name. @default 'e2e' */
  readonly name?: string;
  /** Project settings, without the `k8s-platform:` prefix. @default {@link LOCAL_CLUSTER_SETTINGS} */
  readonly settings?: Readonly<Record<string, unknown>>;
  /** Extra environment of every `pulumi` command (the benchmark's memory probe). */
  readonly env?: Readonly<Record<string, string>>;
  /** The backend, shared with other stacks. @default a backend of its own, removed with the stack */
  readonly backend?: LocalBackend;
  /** The project's directory (where its Pulumi.yaml is). @default the repository */
  readonly projectDir?: string;
  /** Where `stack init` writes the project's stack file. @default `<projectDir>/stacks` */
  readonly stackConfigDir?: string;
}

/** A stack of a project on a file backend. */
export class LocalStack {
  readonly backend: LocalBackend;
  readonly name: string;
  /** The project's name (its Pulumi.yaml). */
  readonly project: string;
  readonly configFile: string;
  private readonly ownBackend: boolean;
  private readonly settings: Readonly<Record<string, unknown>>;
  private readonly env: NodeJS.ProcessEnv;
  private readonly projectDir: string;
  private readonly stackConfigDir: string;

  constructor(kubeconfig: string, options: LocalStackOptions = {}) {
    this.ownBackend = options.backend === undefined;
    this.backend = options.backend ?? new LocalBackend(kubeconfig);
    this.name = options.name ?? 'e2e';
    this.projectDir = options.projectDir ?? ROOT;
    this.stackConfigDir = options.stackConfigDir ?? join(this.projectDir, 'stacks');
    this.project = /^name:\s*(\S+)/m.exec(readFileSync(join(this.projectDir, 'Pulumi.yaml'), 'utf8'))?.[1] ?? '';
    mkdirSync(join(this.backend.dir, 'configs'), { recursive: true });
    this.configFile = join(this.backend.dir, 'configs', `${this.project}.${this.name}.yaml`);
    this.settings = options.settings ?? LOCAL_CLUSTER_SETTINGS;
    this.env = { ...this.backend.env, KUBECONFIG: kubeconfig, ...options.env };
  }

  /** The stack's name as a StackReference in another project names it. */
  get reference(): string {
    return `organization/${this.project}/${this.name}`;
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
      cwd: this.projectDir,
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
      cwd: this.projectDir,
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
   * Creates the stack on the backend. `stack init` writes the passphrase's salt into the project's stack file: it
   * is moved into the temp config file, so the repository is left as it was (a committed stack file of the same
   * name is put back).
   */
  init(secrets: Readonly<Record<string, string>>): void {
    const projectStackFile = join(this.stackConfigDir, `Pulumi.${this.name}.yaml`);
    const committed = existsSync(projectStackFile) ? readFileSync(projectStackFile, 'utf8') : undefined;
    try {
      if (committed !== undefined) rmSync(projectStackFile);
      const init = this.run(['stack', 'init', this.name]);
      if (init.status !== 0) throw new Error(init.output);
      const salt = readFileSync(projectStackFile, 'utf8').trim();
      const config = Object.fromEntries(Object.entries(this.settings).map(([k, v]) => [`k8s-platform:${k}`, v]));
      writeFileSync(this.configFile, `${salt}\n${stringify({ config })}`);
    } finally {
      if (committed !== undefined) writeFileSync(projectStackFile, committed);
      else rmSync(projectStackFile, { force: true });
    }
    this.setSecrets(secrets);
  }

  /**
   * `pulumi state move` of `urns` (and their children) from this stack to `dest` in the same project. The command
   * reads each stack's passphrase salt from the project's stack files (it takes no config file): both are put
   * there for its run, then the repository is left as it was.
   */
  moveTo(dest: LocalStack, urns: readonly string[]): PulumiRun {
    const placed = [this, dest].map((stack) => {
      const file = join(this.stackConfigDir, `Pulumi.${stack.name}.yaml`);
      const committed = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
      writeFileSync(file, readFileSync(stack.configFile, 'utf8'));
      return { file, committed };
    });
    try {
      return this.run(['state', 'move', '--source', this.name, '--dest', dest.name, '--yes', ...urns]);
    } finally {
      for (const { file, committed } of placed) {
        if (committed !== undefined) writeFileSync(file, committed);
        else rmSync(file, { force: true });
      }
    }
  }

  /** Sets (or, with `undefined`, removes) one `k8s-platform:<key>` setting in the stack's config file. */
  setSetting(key: string, value: unknown): void {
    const file = parse(readFileSync(this.configFile, 'utf8')) as { config: Record<string, unknown> };
    if (value === undefined) delete file.config[`k8s-platform:${key}`];
    else file.config[`k8s-platform:${key}`] = value;
    writeFileSync(this.configFile, stringify(file));
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

  /** Removes the stack's own backend (a shared one is removed by its owner). */
  remove(): void {
    if (this.ownBackend) this.backend.remove();
  }
}

function notFound(args: readonly string[], error: Error): Error {
  return new Error(`pulumi ${args[0]}: ${error.message} (is pulumi on PATH? bash scripts/cluster/build-tools.sh)`);
}
