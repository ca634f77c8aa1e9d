/**
 * Validation of a whole manifests folder (`charts-out/`): every object of its `*.k8s.yaml` files, then
 * `index.json` against them. `npm run validate` and `k8s-platform validate` are thin wrappers around it.
 */
import { checkIndex } from './index-check';
import { INDEX_FILE, MANIFEST_EXTENSION, parseManifests } from './manifests';
import type { ManifestObject, ParseProblem } from './manifests';
import type { Rule } from './rules';
import { readManifestTexts } from './sources';
import { validateObjects } from './validate';
import type { ValidationResult } from './validate';

/** Options of {@link validateDir}. */
export interface ValidateDirOptions {
  /** Rules to run; default: all. */
  readonly rules?: readonly Rule[];
  /** Whether to check `index.json` against the manifests (rule `index`). @default true */
  readonly checkIndex?: boolean;
}

/**
 * Validates the manifests folder `dir`.
 * @returns the findings (an empty folder gives `objects: 0` and no findings: check it if that matters)
 */
export function validateDir(dir: string, options: ValidateDirOptions = {}): ValidationResult {
  const texts = readManifestTexts(dir);
  const objects: ManifestObject[] = [];
  const problems: ParseProblem[] = [];
  for (const [file, text] of texts) {
    if (!file.endsWith(MANIFEST_EXTENSION)) continue;
    const parsed = parseManifests(text, file);
    objects.push(...parsed.objects);
    problems.push(...parsed.problems);
  }
  const result = validateObjects(objects, { problems, ...(options.rules ? { rules: options.rules } : {}) });
  if (options.checkIndex ?? true) {
    const indexText = texts.get(INDEX_FILE);
    let index: unknown;
    try {
      index = indexText === undefined ? undefined : JSON.parse(indexText);
    } catch {
      index = null;
    }
    result.findings.push(...checkIndex(index, texts, objects));
  }
  return result;
}
