/**
 * Where manifests come from: a folder, a git commit, or a fresh synth into a temporary folder.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { MANIFEST_SUFFIX } from './manifests';
import type { ManifestTexts } from './manifests';

/** The files the tools read from a manifests folder: `*.k8s.yaml` and `index.json`. */
function isManifestFile(name: string): boolean {
  return name.endsWith(MANIFEST_SUFFIX) || name === 'index.json';
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

/**
 * Runs the project's synth (`ts-node --swc apps/main.ts --out <outDir>`) in `repoRoot`, with the same Node binary
 * as the caller. `command` overrides the program and its arguments (before `--out <dir>`), for tests.
 */
export function runSynth(outDir: string, repoRoot: string, command?: readonly string[]): SynthResult {
  const program = command ?? [
    process.execPath,
    createRequire(join(repoRoot, 'package.json')).resolve('ts-node/dist/bin.js'),
    '--swc',
    'apps/main.ts',
  ];
  const r = spawnSync(program[0], [...program.slice(1), '--out', outDir], {
    cwd: repoRoot,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? r.error.message : ''}`;
  return { ok: r.status === 0 && !r.error, output };
}
