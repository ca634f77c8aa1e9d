/**
 * `npm run report [-- --dir charts-out --node-cpu 2 --node-memory 8Gi --headroom 0.25 --addons-cpu 1 --addons-memory 3Gi --out report.md]`
 *
 * Markdown capacity report of the synthesized manifests (see `scripts/lib/report.ts` for the node formula).
 * Exit 0: report written; 2: usage error.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readChartsIndex } from '../platform/cloud/charts-index';
import { INDEX_FILE } from '../platform/contract';
import { parseCliArgs, runCli, UsageError } from './lib/cli';
import { loadManifestDir } from './lib/manifests';
import { buildReport, parseAddons, parseNodeSize, renderMarkdown } from './lib/report';
import type { NodeSize } from './lib/report';

export const USAGE = `usage: npm run report -- [--dir <charts-out>] [--node-cpu 2] [--node-memory 8Gi] [--headroom 0.25] [--addons-cpu 0] [--addons-memory 0] [--out <file.md>]

  --dir <dir>          folder of *.k8s.yaml files and index.json (default: charts-out)
  --node-cpu <q>       CPU of one node, a Kubernetes quantity (default: 2)
  --node-memory <q>    memory of one node (default: 8Gi)
  --headroom <f>       fraction of each node kept for kubelet, OS and system pods (default: 0.25)
  --addons-cpu <q>     CPU requested by the platform add-ons, added when sizing nodes (default: 0)
  --addons-memory <q>  memory requested by the platform add-ons (default: 0)
  --out <file>         write the Markdown there instead of stdout
Exit codes: 0 report written, 2 usage error.`;

export function main(argv: readonly string[] = process.argv.slice(2)): number {
  const { values } = parseCliArgs(argv, {
    dir: { type: 'string', default: 'charts-out' },
    'node-cpu': { type: 'string', default: '2' },
    'node-memory': { type: 'string', default: '8Gi' },
    headroom: { type: 'string', default: '0.25' },
    'addons-cpu': { type: 'string', default: '0' },
    'addons-memory': { type: 'string', default: '0' },
    out: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let node: NodeSize;
  let addons: { cpu: number; memory: number };
  try {
    node = parseNodeSize(values['node-cpu'], values['node-memory'], values.headroom);
    addons = parseAddons(values['addons-cpu'], values['addons-memory']);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (!existsSync(values.dir)) throw new UsageError(`no such folder: ${values.dir} (run npm run synth first)`);
  const { objects, problems } = loadManifestDir(values.dir);
  if (objects.length === 0) throw new UsageError(`no objects in ${values.dir}/*.k8s.yaml`);
  for (const p of problems) process.stderr.write(`warning: ${p.file}: ${p.message}\n`);
  const index = existsSync(join(values.dir, INDEX_FILE)) ? readChartsIndex(values.dir) : undefined;
  const markdown = renderMarkdown(buildReport(objects, { node, addons, ...(index ? { index } : {}) }));
  if (values.out) writeFileSync(values.out, markdown);
  else process.stdout.write(markdown);
  return 0;
}

if (require.main === module) runCli(USAGE, () => main());
