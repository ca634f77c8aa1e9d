/**
 * The validation engine: runs the rules over parsed objects, applies the exceptions objects declare for
 * themselves, and returns findings. The `npm run validate` CLI is a thin wrapper around {@link validateObjects}.
 *
 * Exceptions: an object waives rule `<id>` with the annotation `exceptions.platform.dev/<id>: "<reason>"` in its
 * own `metadata.annotations` (a workload may also carry it on its pod template). There is no global allow-list:
 * the exception lives in the construct that needs it, beside the reason, and shows up in review.
 */
import { CrdCatalog, defaultCrdDir } from './crds';
import { objectRef } from './manifests';
import type { ManifestObject, ParseProblem } from './manifests';
import { podTemplateOf, stringMap } from './pods';
import { RULES } from './rules';
import type { Rule, Violation } from './rules';

/** Annotation prefix of exception annotations (`exceptions.platform.dev/<rule-id>: "<reason>"`). */
export const EXCEPTION_PREFIX = 'exceptions.platform.dev/';

/** Rule id of findings about exception annotations themselves (unknown rule, empty reason, not waivable). */
export const INVALID_EXCEPTION = 'invalid-exception';
/** Rule id of an exception that waives nothing, so that stale exceptions get removed. */
export const UNUSED_EXCEPTION = 'unused-exception';
/** Rule id of a rule that failed on malformed input. */
export const RULE_ERROR = 'rule-error';
/** Rule id of documents that are not Kubernetes objects. */
export const PARSE_RULE = 'parse';

/** One problem, ready to print. */
export interface Finding {
  /** Manifest file (relative to the manifests folder). */
  readonly file: string;
  /** `Kind/namespace/name` (or `Kind/name`), or `document <n>` when the document is not an object. */
  readonly object: string;
  readonly rule: string;
  readonly message: string;
}

/** A finding that an exception annotation waived. */
export interface Waiver extends Finding {
  readonly reason: string;
}

/** Result of a validation run. */
export interface ValidationResult {
  readonly findings: Finding[];
  readonly waived: Waiver[];
  /** Number of objects checked. */
  readonly objects: number;
}

/** Options of {@link validateObjects}. */
export interface ValidateOptions {
  /** CRD catalog; default: {@link defaultCrdCatalog}, shared across calls. */
  readonly crds?: CrdCatalog;
  /** Rules to run; default: all of {@link RULES}. */
  readonly rules?: readonly Rule[];
  /** Documents that failed to parse, reported as findings of rule `parse`. */
  readonly problems?: readonly ParseProblem[];
}

let defaultCatalog: CrdCatalog | undefined;

/** The CRD catalog of {@link defaultCrdDir}, created once per process. */
export function defaultCrdCatalog(): CrdCatalog {
  defaultCatalog ??= new CrdCatalog(defaultCrdDir());
  return defaultCatalog;
}

/** The exception annotations of an object (and of its pod template), rule id → reason. */
export function exceptionsOf(target: ManifestObject): Map<string, { reason: string; where: string }> {
  const out = new Map<string, { reason: string; where: string }>();
  const template = podTemplateOf(target);
  const sources: [string, Record<string, string>][] = [
    ['metadata.annotations', stringMap(target.object.metadata.annotations)],
  ];
  if (template && template.specPath !== 'spec') {
    sources.push([
      `${template.specPath.replace(/\.spec$/, '')}.metadata.annotations`,
      stringMap(template.metadata.annotations),
    ]);
  }
  for (const [where, annotations] of sources) {
    for (const [key, value] of Object.entries(annotations)) {
      if (!key.startsWith(EXCEPTION_PREFIX)) continue;
      const rule = key.slice(EXCEPTION_PREFIX.length);
      if (!out.has(rule)) out.set(rule, { reason: value.trim(), where });
    }
  }
  return out;
}

/** Runs the rules over the objects and applies exception annotations. */
export function validateObjects(objects: readonly ManifestObject[], options: ValidateOptions = {}): ValidationResult {
  const rules = options.rules ?? RULES;
  const context = { objects, crds: options.crds ?? defaultCrdCatalog() };
  const findings: Finding[] = (options.problems ?? []).map((p) => ({
    file: p.file,
    object: `document ${p.index}`,
    rule: PARSE_RULE,
    message: p.message,
  }));
  const waived: Waiver[] = [];
  const used = new Set<string>();
  const order = new Map(objects.map((o, i) => [o, i]));
  const raw: { target: ManifestObject; rule: Rule; message: string }[] = [];
  for (const rule of rules) {
    let violations: Violation[];
    try {
      violations = rule.check(context);
    } catch (error) {
      // Rules read objects that may have failed schema validation; a shape they did not expect must not hide
      // every other finding.
      const reason = error instanceof Error ? error.message : String(error);
      findings.push({
        file: '-',
        object: '-',
        rule: RULE_ERROR,
        message: `rule ${rule.id} could not run (${reason}); fix the schema findings first`,
      });
      continue;
    }
    for (const v of violations) raw.push({ target: v.target, rule, message: v.message });
  }
  raw.sort((a, b) => (order.get(a.target) ?? 0) - (order.get(b.target) ?? 0));
  for (const { target, rule, message } of raw) {
    const finding = { file: target.file, object: objectRef(target.object), rule: rule.id, message };
    const exception = exceptionsOf(target).get(rule.id);
    if (exception && exception.reason !== '' && rule.waivable !== false) {
      used.add(`${order.get(target)}|${rule.id}`);
      waived.push({ ...finding, reason: exception.reason });
    } else {
      findings.push(finding);
    }
  }
  const ran = new Set(rules.map((r) => r.id));
  const known = new Map(RULES.map((r) => [r.id, r]));
  objects.forEach((target, i) => {
    for (const [id, { reason, where }] of exceptionsOf(target)) {
      const finding = { file: target.file, object: objectRef(target.object) };
      const key = `${where}.${EXCEPTION_PREFIX}${id}`;
      const rule = known.get(id);
      if (!rule) {
        const ids = RULES.filter((r) => r.waivable !== false)
          .map((r) => r.id)
          .join(', ');
        findings.push({ ...finding, rule: INVALID_EXCEPTION, message: `${key} names no rule; use one of: ${ids}` });
      } else if (rule.waivable === false) {
        findings.push({
          ...finding,
          rule: INVALID_EXCEPTION,
          message: `${key}: rule ${id} cannot be waived; fix the object`,
        });
      } else if (reason === '') {
        findings.push({
          ...finding,
          rule: INVALID_EXCEPTION,
          message: `${key} has an empty reason; say why the exception is needed`,
        });
      } else if (ran.has(id) && !used.has(`${i}|${id}`)) {
        findings.push({
          ...finding,
          rule: UNUSED_EXCEPTION,
          message: `${key} waives nothing (the object passes ${id}); remove it`,
        });
      }
    }
  });
  return { findings, waived, objects: objects.length };
}

/** `<file>: <Kind>/<namespace>/<name>: [<rule-id>] <message>` */
export function formatFinding(f: Finding): string {
  return `${f.file}: ${f.object}: [${f.rule}] ${f.message}`;
}

/** The summary line: counts by rule. */
export function summarize(result: ValidationResult): string {
  const byRule = new Map<string, number>();
  for (const f of result.findings) byRule.set(f.rule, (byRule.get(f.rule) ?? 0) + 1);
  const files = new Set(result.findings.map((f) => f.file)).size;
  const waived = result.waived.length > 0 ? `, ${result.waived.length} waived by exception annotations` : '';
  if (result.findings.length === 0) return `validate: ${result.objects} objects, no findings${waived}`;
  const detail = [...byRule.entries()].map(([rule, n]) => `${rule}: ${n}`).join(', ');
  return `validate: ${result.objects} objects, ${result.findings.length} findings in ${files} files (${detail})${waived}`;
}
