/**
 * The checks of the `charts-out/` contract as library functions (`k8s-platform/tools`), for a consumer's own
 * scripts and tests; the `k8s-platform` command (`scripts/cli.ts`) runs the same code.
 */
export { defaultCrdDir, CrdCatalog } from './crds';
export { diffManifests, formatDiff, hasDifferences } from './diff';
export type { FieldChange, FormatOptions, ManifestsDiff, ObjectChange } from './diff';
export { checkIndex, INDEX_RULE } from './index-check';
export { INDEX_FILE, loadManifestDir, MANIFEST_EXTENSION, parseManifests } from './manifests';
export type { KubeObject, ManifestObject, ManifestTexts, ParsedManifests, ParseProblem } from './manifests';
export { buildReport, parseAddons, parseNodeSize, renderMarkdown } from './report';
export type { CapacityReport, NodeSize, ReportOptions } from './report';
export { RULES, ruleById } from './rules';
export type { Rule } from './rules';
export { readCdk8sConfig, readManifestTexts, runSynth } from './sources';
export type { SynthResult } from './sources';
export { checkStale, SynthError } from './stale';
export type { StaleCheck } from './stale';
export { defaultCrdCatalog, formatFinding, summarize, validateObjects } from './validate';
export type { Finding, ValidateOptions, ValidationResult, Waiver } from './validate';
export { validateDir } from './validate-dir';
export type { ValidateDirOptions } from './validate-dir';
