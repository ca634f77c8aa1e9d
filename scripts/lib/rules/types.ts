/** The shape every policy rule shares. */
import type { CrdCatalog } from '../crds';
import type { ManifestObject } from '../manifests';

/** What a rule sees: every object of the run (rules such as `pdb` look across objects) and the CRD catalog. */
export interface RuleContext {
  readonly objects: readonly ManifestObject[];
  readonly crds: CrdCatalog;
}

/** A rule's verdict on one object, before exceptions are applied. */
export interface Violation {
  /** The object the finding is reported on (and whose exception annotations can waive it). */
  readonly target: ManifestObject;
  /** What is wrong and how to fix it. */
  readonly message: string;
}

/** A policy rule. */
export interface Rule {
  /** Short, stable kebab-case id, used in findings and in `exceptions.platform.dev/<id>` annotations. */
  readonly id: string;
  /** One line: what the rule checks. */
  readonly summary: string;
  /** Why it matters. */
  readonly why: string;
  /** How to fix a finding. */
  readonly fix: string;
  /** Whether an object may waive this rule with an exception annotation (default true). */
  readonly waivable?: boolean;
  check(context: RuleContext): Violation[];
}
