/**
 * Where manifests come from: a folder, a git commit, or a fresh synth into a temporary folder.
 */
import { spawnSync } from 'node:child_process';
import type { SpawnSyncReturns } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { INDEX_FILE, isRecord, MANIFEST_EXTENSION } from './manifests';
import type { ManifestTexts } from './manifests';

/** The files the tools read from a manifests folder: `*.k8s.yaml` and `index.json`. */
function isManifestFile(name: string): boolean {
  return name.endsWith(MANIFEST_EXTENSION) || name === INDEX_FILE;
}

/** Reads the manifest files of a folder (an absent folder reads as empty). */
export function readManifestTexts(dir: string): ManifestTexts {
  const texts = new Map<string, string>();
  if (!existsSync(dir)) return texts;
  for (const f of readdirSync(dir).filter(isManifestFile).sort()) texts.set(f, readFileSync(join(dir, f), 'utf8'));
  return texts;
}

/** Thrown when git cannot answer (not a repository, unknown ref). */
export class GitError extends Error {}

function git(args: readonly string[], cwd: string): string {
  const r = spawnSync('git', [...args], { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.error) throw new GitError(`git ${args.join(' ')}: ${r.error.message}`);
  if (r.status !== 0) throw new GitError(`git ${args.join(' ')}: ${r.stderr.trim()}`);
  return r.stdout;
}

/**
 * Reads the manifest files of folder `dir` (relative to the repository root, e.g. `charts-out`) as committed at
 * `ref`, with `git ls-tree` and `git show`. A ref without the folder reads as empty.
 * @throws GitError when `ref` is not a commit
 */
export function readGitManifestTexts(ref: string, dir: string, cwd: string): ManifestTexts {
  try {
    git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], cwd);
  } catch {
    throw new GitError(`"${ref}" is not a commit of the repository at ${cwd}`);
  }
  const prefix = dir.replace(/\/+$/, '');
  const names = git(['ls-tree', '--name-only', `${ref}`, '--', `${prefix}/`], cwd)
    .split('\n')
    .filter((line) => line !== '')
    .map((path) => path.slice(prefix.length + 1))
    .filter(isManifestFile)
    .sort();
  const texts = new Map<string, string>();
  for (const name of names) texts.set(name, git(['show', `${ref}:${prefix}/${name}`], cwd));
  return texts;
}

/** Result of a synth run. */
export interface SynthResult {
  readonly ok: boolean;
  /** Combined output of the synth, for error messages. */
  readonly output: string;
}

/** The `app` command and `output` folder of the project's `cdk8s.yaml` in `root`. */
export function readCdk8sConfig(root: string): { app: string; output: string } {
  const file = join(root, 'cdk8s.yaml');
  if (!existsSync(file)) throw new Error(`no cdk8s.yaml in ${root}: it names the app command (\`app:\`)`);
  const config: unknown = parse(readFileSync(file, 'utf8'));
  const app = isRecord(config) ? config.app : undefined;
  const output = isRecord(config) ? config.output : undefined;
  if (typeof app !== 'string' || app === '') throw new Error(`${file} has no \`app:\` command`);
  return { app, output: typeof output === 'string' ? output : 'charts-out' };
}

/**
 * Runs the project's synth into `outDir`, as `cdk8s synth` does: the `app` command of `cdk8s.yaml` in `repoRoot`
 * (through the shell) with `CDK8S_OUTDIR=<outDir>`. `command` overrides it with a program and its arguments,
 * given `--out <dir>` as well (for tests).
 */
export function runSynth(outDir: string, repoRoot: string, command?: readonly string[]): SynthResult {
  const env = { ...process.env, CDK8S_OUTDIR: outDir };
  const options = { cwd: repoRoot, encoding: 'utf8' as const, maxBuffer: 256 * 1024 * 1024, env };
  let r: SpawnSyncReturns<string>;
  if (command) {
    r = spawnSync(command[0], [...command.slice(1), '--out', outDir], options);
  } else {
    let app: string;
    try {
      app = readCdk8sConfig(repoRoot).app;
    } catch (error) {
      return { ok: false, output: error instanceof Error ? error.message : String(error) };
    }
    r = spawnSync(app, { ...options, shell: true });
  }
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? r.error.message : ''}`;
  return { ok: r.status === 0 && !r.error, output };
}
