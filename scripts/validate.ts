/**
 * `npm run validate [-- [--dir charts-out] [--rule <id>]... [--show-waived] [files...]]`
 *
 * Validates every object of the synthesized manifests against the Kubernetes schemas and the CRDs of
 * `../shared/crds` (or `$SHARED_DIR/crds`), then runs the policy rules (see `scripts/lib/README.md`).
 * Exit 0: no findings; 1: findings; 2: usage error.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseCliArgs, runCli, UsageError } from './lib/cli';
import { loadManifestDir, parseManifests } from './lib/manifests';
import type { ManifestObject, ParseProblem } from './lib/manifests';
import { RULES, ruleById } from './lib/rules';
import type { Rule } from './lib/rules';
import { formatFinding, summarize, validateObjects } from './lib/validate';

const USAGE = `usage: npm run validate -- [--dir <charts-out>] [--rule <id>]... [--show-waived] [--list-rules] [file.k8s.yaml...]

  --dir <dir>      folder of *.k8s.yaml files (default: charts-out)
  --rule <id>      run only this rule (repeatable)
  --show-waived    also print the findings waived by exception annotations
  --list-rules     print the rules and exit
Environment: SHARED_DIR (default ../shared) holds crds/.
Exit codes: 0 no findings, 1 findings, 2 usage error.`;

function main(): number {
  const { values, positionals } = parseCliArgs(
    process.argv.slice(2),
    {
      dir: { type: 'string', default: 'charts-out' },
      rule: { type: 'string', multiple: true },
      'show-waived': { type: 'boolean', default: false },
      'list-rules': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    true,
  );
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (values['list-rules']) {
    for (const r of RULES) process.stdout.write(`${r.id}\n  ${r.summary}\n  fix: ${r.fix}\n`);
    return 0;
  }
  const rules: Rule[] = (values.rule ?? []).map((id) => {
    const rule = ruleById(id);
    if (!rule) throw new UsageError(`unknown rule "${id}"; known: ${RULES.map((r) => r.id).join(', ')}`);
    return rule;
  });

  const started = process.hrtime.bigint();
  let objects: ManifestObject[] = [];
  let problems: ParseProblem[] = [];
  if (positionals.length > 0) {
    for (const file of positionals) {
      if (!existsSync(file)) throw new UsageError(`no such file: ${file}`);
      const parsed = parseManifests(readFileSync(file, 'utf8'), basename(file));
      objects.push(...parsed.objects);
      problems.push(...parsed.problems);
    }
  } else {
    if (!existsSync(values.dir)) throw new UsageError(`no such folder: ${values.dir} (run npm run synth first)`);
    ({ objects, problems } = loadManifestDir(values.dir));
    if (objects.length === 0 && problems.length === 0) throw new UsageError(`no *.k8s.yaml files in ${values.dir}`);
  }

  const result = validateObjects(objects, { problems, ...(rules.length > 0 ? { rules } : {}) });
  for (const f of result.findings) process.stdout.write(`${formatFinding(f)}\n`);
  if (values['show-waived']) {
    for (const w of result.waived) process.stdout.write(`waived: ${formatFinding(w)} (reason: ${w.reason})\n`);
  }
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  process.stdout.write(`${summarize(result)} [${ms.toFixed(0)} ms]\n`);
  return result.findings.length > 0 ? 1 : 0;
}

runCli(USAGE, main);
