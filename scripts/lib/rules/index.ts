/** The rule registry, in the order findings are reported. See `scripts/lib/README.md` for the rule catalog. */
import { deprecatedApiRule, noNodePortRule } from './api';
import { routeBackendRule, uniqueRouteRule } from './routes';
import { crdSchemaRule, schemaRule } from './schema';
import { secretDataRule, secretLiteralEnvRule } from './secrets';
import { pssRestrictedRule, readOnlyRootFilesystemRule } from './security';
import { namespacePssEnforcedRule, routeTlsRule } from './tls';
import type { Rule } from './types';
import { imagePinnedRule, networkPolicyRule, pdbRule, podSpreadRule, probesRule, resourcesRule } from './workloads';
import { hpaTargetRule, serviceTargetsPodRule } from './wiring';

export type { Rule, RuleContext, Violation } from './types';

/** Every policy rule, in reporting order. */
export const RULES: readonly Rule[] = [
  schemaRule,
  crdSchemaRule,
  deprecatedApiRule,
  pssRestrictedRule,
  readOnlyRootFilesystemRule,
  resourcesRule,
  probesRule,
  imagePinnedRule,
  pdbRule,
  podSpreadRule,
  networkPolicyRule,
  serviceTargetsPodRule,
  hpaTargetRule,
  routeBackendRule,
  uniqueRouteRule,
  routeTlsRule,
  namespacePssEnforcedRule,
  noNodePortRule,
  secretDataRule,
  secretLiteralEnvRule,
];

/** The rule with an id, if any. */
export function ruleById(id: string): Rule | undefined {
  return RULES.find((r) => r.id === id);
}
