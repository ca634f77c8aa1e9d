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
import { INDEX_RULE } from './lib/index-check';
import { MANIFEST_EXTENSION, parseManifests } from './lib/manifests';
import type { ManifestObject, ParseProblem } from './lib/manifests';
import { RULES, ruleById } from './lib/rules';
import { readManifestTexts } from './lib/sources';
import type { Rule } from './lib/rules';
import { defaultCrdCatalog, formatFinding, summarize, validateObjects } from './lib/validate';
import type { ValidationResult } from './lib/validate';
import { validateDir } from './lib/validate-dir';

export const USAGE = `usage: npm run validate -- [--dir <charts-out>] [--rule <id>]... [--show-waived] [--list-rules] [file.k8s.yaml...]

  --dir <dir>      folder of *.k8s.yaml files (default: charts-out)
  --rule <id>      run only this rule (repeatable)
  --show-waived    also print the findings waived by exception annotations
  --skip-index     do not check index.json against the manifests (rule "index"; only with --dir)
  --list-rules     print the rules and exit
Environment: SHARED_DIR (default ../shared) holds crds/.
Exit codes: 0 no findings, 1 findings, 2 usage error.`;

export function main(argv: readonly string[] = process.argv.slice(2)): number {
  const { values, positionals } = parseCliArgs(
    argv,
    {
      dir: { type: 'string', default: 'charts-out' },
      rule: { type: 'string', multiple: true },
      'show-waived': { type: 'boolean', default: false },
      'skip-index': { type: 'boolean', default: false },
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
    process.stdout.write(`${INDEX_RULE}\n  index.json agrees with the manifests (see scripts/lib/README.md)\n`);
    return 0;
  }
  const wanted = values.rule ?? [];
  const rules: Rule[] = wanted
    .filter((id) => id !== INDEX_RULE)
    .map((id) => {
      const rule = ruleById(id);
      if (!rule)
        throw new UsageError(`unknown rule "${id}"; known: ${[...RULES.map((r) => r.id), INDEX_RULE].join(', ')}`);
      return rule;
    });
  const checkIndexFile = wanted.length === 0 || wanted.includes(INDEX_RULE);

  const started = process.hrtime.bigint();
  let result: ValidationResult;
  if (positionals.length > 0) {
    const objects: ManifestObject[] = [];
    const problems: ParseProblem[] = [];
    for (const file of positionals) {
      if (!existsSync(file)) throw new UsageError(`no such file: ${file}`);
      const parsed = parseManifests(readFileSync(file, 'utf8'), basename(file));
      objects.push(...parsed.objects);
      problems.push(...parsed.problems);
    }
    result = validateObjects(objects, { problems, ...(wanted.length > 0 ? { rules } : {}) });
  } else {
    if (!existsSync(values.dir)) throw new UsageError(`no such folder: ${values.dir} (run npm run synth first)`);
    if (![...readManifestTexts(values.dir).keys()].some((f) => f.endsWith(MANIFEST_EXTENSION)))
      throw new UsageError(`no *.k8s.yaml files in ${values.dir}`);
    result = validateDir(values.dir, {
      ...(wanted.length > 0 ? { rules } : {}),
      checkIndex: checkIndexFile && !values['skip-index'],
    });
  }
  for (const f of result.findings) process.stdout.write(`${formatFinding(f)}\n`);
  if (values['show-waived']) {
    for (const w of result.waived) process.stdout.write(`waived: ${formatFinding(w)} (reason: ${w.reason})\n`);
  }
  const unsupported = defaultCrdCatalog().unsupportedPatterns;
  if (unsupported.size > 0) {
    process.stdout.write(
      `note: ${unsupported.size} CRD patterns have no JavaScript equivalent and were not enforced: ${[...unsupported].join(', ')}\n`,
    );
  }
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  process.stdout.write(`${summarize(result)} [${ms.toFixed(0)} ms]\n`);
  return result.findings.length > 0 ? 1 : 0;
}

if (require.main === module) runCli(USAGE, () => main());
