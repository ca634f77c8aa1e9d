#!/usr/bin/env node
/**
 * `k8s-platform synth|validate|diff|report|restore [options]`: the project's command-line tools for any repository that
 * depends on the library (the `bin` of the package). Run in the project's root, beside its `cdk8s.yaml`.
 *
 * - `synth [--out <dir>]`: runs the `app` of `cdk8s.yaml` with `CDK8S_OUTDIR` (default: its `output`), as
 *   `cdk8s synth` does; the app writes the manifests and `index.json` with the library's `synthesize`.
 * - `validate`, `diff`, `report`, `restore`: as `npm run validate|diff|report|restore` here (`<command> --help`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseCliArgs, runCli, UsageError } from './lib/cli';
import { INDEX_FILE, MANIFEST_EXTENSION, parseManifests } from './lib/manifests';
import { readCdk8sConfig, readManifestTexts, runSynth } from './lib/sources';
import * as diff from './diff';
import * as report from './report';
import * as restore from './restore';
import * as validate from './validate';

const USAGE = `usage: k8s-platform <command> [options]

  synth [--out <dir>]   synthesize the app of cdk8s.yaml into <dir> (default: its output, charts-out)
  validate              schemas and policy checks of the manifests (validate --help)
  diff                  a fresh synth against the committed manifests, or two folders (diff --help)
  report                capacity report of the manifests as Markdown (report --help)
  restore               restore (or list) a Database's backups on the cluster (restore --help)
Exit codes: 0 success, 1 findings or drift, 2 usage or synth error.`;

const SYNTH_USAGE = `usage: k8s-platform synth [--out <dir>]

Runs the \`app\` command of ./cdk8s.yaml with CDK8S_OUTDIR=<dir> (default: its \`output\`, else charts-out).`;

function synth(argv: readonly string[]): number {
  const { values } = parseCliArgs(argv, {
    out: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) {
    process.stdout.write(`${SYNTH_USAGE}\n`);
    return 0;
  }
  const root = process.cwd();
  let output: string;
  try {
    output = values.out ?? readCdk8sConfig(root).output;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const outdir = resolve(root, output);
  const result = runSynth(outdir, root);
  process.stdout.write(result.output);
  if (result.ok) process.stdout.write(`${synthSummary(outdir, relative(root, outdir) || '.')}\n`);
  return result.ok ? 0 : 2;
}

/**
 * What a synth wrote, read back from the folder: `synth: 1 app (shop), 24 objects, 2 files (shop.k8s.yaml,
 * index.json) in charts-out`.
 */
function synthSummary(outdir: string, shown: string): string {
  const texts = readManifestTexts(outdir);
  const manifests = [...texts.keys()].filter((f) => f.endsWith(MANIFEST_EXTENSION));
  const objects = manifests.reduce((n, f) => n + parseManifests(texts.get(f) ?? '', f).objects.length, 0);
  const indexFile = join(outdir, INDEX_FILE);
  const apps: string[] = existsSync(indexFile)
    ? (JSON.parse(readFileSync(indexFile, 'utf8')) as { apps: { name: string }[] }).apps.map((a) => a.name)
    : [];
  const files = [...manifests, ...(existsSync(indexFile) ? [INDEX_FILE] : [])];
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  return `synth: ${plural(apps.length, 'app')} (${apps.join(', ')}), ${plural(objects, 'object')}, ${plural(files.length, 'file')} (${files.join(', ')}) in ${shown}`;
}

/** The usage of a command as this CLI runs it (the scripts' own usage names `npm run <command> --`). */
function cliUsage(name: string, usage: string): string {
  return usage.split(`npm run ${name} -- `).join(`k8s-platform ${name} `);
}

const COMMANDS: Readonly<Record<string, { usage: string; main: (argv: readonly string[]) => number }>> = {
  synth: { usage: SYNTH_USAGE, main: synth },
  validate: { usage: cliUsage('validate', validate.USAGE), main: validate.main },
  diff: { usage: cliUsage('diff', diff.USAGE), main: diff.main },
  report: { usage: cliUsage('report', report.USAGE), main: report.main },
  restore: { usage: cliUsage('restore', restore.USAGE), main: restore.main },
};

const [name, ...rest] = process.argv.slice(2);
const command = name === undefined || !Object.hasOwn(COMMANDS, name) ? undefined : COMMANDS[name];
if (command && (rest.includes('--help') || rest.includes('-h'))) {
  process.stdout.write(`${command.usage}\n`);
} else if (command) {
  runCli(command.usage, () => command.main(rest));
} else {
  runCli(USAGE, () => {
    if (name === undefined || name === '--help' || name === '-h') {
      process.stdout.write(`${USAGE}\n`);
      return name === undefined ? 2 : 0;
    }
    throw new UsageError(`unknown command "${name}"`);
  });
}
