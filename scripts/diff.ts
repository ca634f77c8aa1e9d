/**
 * `npm run diff [-- --base <git-ref> | --from <dir> --to <dir>] [--charts charts-out] [--markdown] [--brief]`
 *
 * Default: synthesizes into a temporary folder and compares it with `charts-out/` object by object (matched by
 * apiVersion, kind, namespace, name); exit 1 when they differ (a construct change that was not re-synthesized).
 * `--base <ref>`: compares `charts-out/` at a commit with the working tree's, for pull-request review; exit 0
 * unless `--exit-code` is given. `--from/--to`: compares two folders.
 * Exit codes: 0 no drift, 1 drift, 2 usage or synth error.
 */
import { resolve } from 'node:path';
import { parseCliArgs, runCli, UsageError } from './lib/cli';
import { diffManifests, formatDiff, hasDifferences } from './lib/diff';
import type { ManifestsDiff } from './lib/diff';
import type { ManifestTexts } from './lib/manifests';
import { GitError, readGitManifestTexts, readManifestTexts } from './lib/sources';
import { checkStale, SynthError } from './lib/stale';

export const USAGE = `usage: npm run diff -- [--base <git-ref> [--exit-code] | --from <dir> --to <dir>] [--charts <dir>] [--markdown] [--brief]

  (no mode)         synthesize into a temporary folder and compare with --charts; exit 1 on drift
  --base <ref>      compare --charts at <ref> (git) with the working tree's --charts
  --exit-code       with --base: exit 1 when there are differences
  --from/--to <dir> compare two folders of manifests
  --charts <dir>    committed manifests folder (default: charts-out)
  --markdown        wrap the output in a Markdown section, for a pull-request comment
  --brief           do not print added objects in full
Exit codes: 0 no differences, 1 differences (drift), 2 usage or synth error.`;

export function main(argv: readonly string[] = process.argv.slice(2)): number {
  const { values } = parseCliArgs(argv, {
    base: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    charts: { type: 'string', default: 'charts-out' },
    'exit-code': { type: 'boolean', default: false },
    markdown: { type: 'boolean', default: false },
    brief: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const repoRoot = process.cwd();
  let diff: ManifestsDiff;
  let title: string;
  let failOnDiff = true;
  if ((values.from === undefined) !== (values.to === undefined)) throw new UsageError('--from and --to go together');
  if (values.base !== undefined && values.from !== undefined) throw new UsageError('use either --base or --from/--to');
  if (values.base !== undefined) {
    let before: ManifestTexts;
    try {
      before = readGitManifestTexts(values.base, values.charts, repoRoot);
    } catch (error) {
      if (error instanceof GitError)
        throw new UsageError(`cannot read ${values.charts} at ${values.base}: ${error.message}`);
      throw error;
    }
    diff = diffManifests(before, readManifestTexts(resolve(values.charts)));
    title = `Manifest changes: ${values.charts} at ${values.base} → working tree`;
    failOnDiff = values['exit-code'];
  } else if (values.from !== undefined && values.to !== undefined) {
    diff = diffManifests(readManifestTexts(resolve(values.from)), readManifestTexts(resolve(values.to)));
    title = `Manifest changes: ${values.from} → ${values.to}`;
  } else {
    try {
      diff = checkStale(values.charts, repoRoot).diff;
    } catch (error) {
      if (!(error instanceof SynthError)) throw error;
      process.stderr.write(`error: ${error.message}\n`);
      return 2;
    }
    title = `Drift: committed ${values.charts} → fresh synth`;
  }

  const changed = hasDifferences(diff);
  const text = formatDiff(diff, { showAdded: !values.brief });
  if (values.markdown) {
    process.stdout.write(`### ${title}\n\n${changed ? `\`\`\`diff\n${text}\n\`\`\`` : 'No changes.'}\n`);
  } else {
    process.stdout.write(`${title}\n${text}\n`);
    if (changed && values.base === undefined && values.from === undefined) {
      process.stdout.write(`${values.charts} is stale: run \`npm run synth\` and commit the result.\n`);
    }
  }
  return changed && failOnDiff ? 1 : 0;
}

if (require.main === module) runCli(USAGE, () => main());
