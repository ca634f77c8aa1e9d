/** Rules that keep secret values out of the committed manifests. */
import { isRecord } from '../manifests';
import { containersOf, podTemplates } from '../pods';
import type { Rule, Violation } from './types';

/** Env var names that announce a secret value. */
export const SECRET_NAME_PATTERN = /(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIALS?)/i;

/**
 * Name suffixes that say the value is about a secret but is not one: a path to a mounted file
 * (`POSTGRES_PASSWORD_FILE`), the name of a Secret object, a feature flag.
 */
const NOT_A_VALUE_SUFFIX = /_(FILE|PATH|DIR|NAME|ENABLED)$/i;

/** Kubernetes env expansion `$(VAR)`: a reference to another variable, not a literal. */
const ENV_REFERENCE = /\$\([A-Za-z_][A-Za-z0-9_]*\)/g;

/** Value shapes that are credentials whatever the variable is called. */
const SECRET_VALUE_PATTERNS: readonly [string, RegExp][] = [
  ['a PEM private key', /-----BEGIN [A-Z ]*PRIVATE KEY-----/],
  ['an AWS access key id', /\b(AKIA|ASIA)[0-9A-Z]{16}\b/],
  ['a GitHub token', /\bgh[pousr]_[A-Za-z0-9]{36,}\b/],
  ['a Slack token', /\bxox[abprs]-[A-Za-z0-9-]{10,}/],
  ['a JSON Web Token', /\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/],
];

/** `scheme://user:password@host`: captures the password. */
const URL_CREDENTIALS = /[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:([^@\s/]+)@/i;

/** Shannon entropy in bits per character. */
export function entropy(text: string): number {
  const counts = new Map<string, number>();
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/**
 * Why a string looks like a credential, or undefined. Strong patterns (PEM key, cloud and VCS tokens, JWTs,
 * passwords in URLs) always count; with `heuristics`, so does a long random-looking base64 token (32+ characters
 * mixing upper case, lower case and digits, entropy above 4.2 bits per character: hex digests and words do not).
 */
export function secretLooking(value: string, heuristics: boolean): string | undefined {
  const literal = value.replace(ENV_REFERENCE, '');
  for (const [what, pattern] of SECRET_VALUE_PATTERNS) if (pattern.test(literal)) return `contains ${what}`;
  const url = URL_CREDENTIALS.exec(literal);
  if (url && url[1].length > 0) return 'embeds a password in a URL';
  if (heuristics) {
    for (const token of literal.match(/[A-Za-z0-9+/=_-]{32,}/g) ?? []) {
      if (/[A-Z]/.test(token) && /[a-z]/.test(token) && /\d/.test(token) && entropy(token) > 4.2) {
        return 'contains a long random-looking token';
      }
    }
  }
  return undefined;
}

/**
 * Why an env var with a literal value leaks a secret, or undefined. References (`$(DB_PASSWORD)`, also inside a
 * URL such as `postgres://app:$(DB_PASSWORD)@db/app`) are not literals and pass.
 */
export function secretEnvProblem(name: string, value: string): string | undefined {
  const shape = secretLooking(value, true);
  if (shape) return shape;
  const literal = value.replace(ENV_REFERENCE, '').trim();
  if (SECRET_NAME_PATTERN.test(name) && !NOT_A_VALUE_SUFFIX.test(name) && literal !== '') {
    if (/^(true|false)$/i.test(literal)) return undefined;
    return 'has a secret-sounding name and a literal value';
  }
  return undefined;
}

/** `secret-data`: no Secret with data in the manifests. */
export const secretDataRule: Rule = {
  id: 'secret-data',
  summary: 'No Secret object carries data or stringData.',
  why: 'charts-out/ is committed and reviewed in pull requests; secret values there are leaked. Secrets are created at deploy time by Pulumi.',
  fix: 'Remove the Secret from the chart and declare it with requireSecret(); reference it with secretKeyRef.',
  check({ objects }) {
    const out: Violation[] = [];
    for (const target of objects) {
      const o = target.object;
      if (o.kind !== 'Secret' || o.apiVersion !== 'v1') continue;
      const fields = (['data', 'stringData'] as const).filter((f) => isRecord(o[f]) && Object.keys(o[f]).length > 0);
      if (fields.length > 0) {
        out.push({
          target,
          message: `has ${fields.join(' and ')}; remove the Secret from the chart and declare it for deploy time (requireSecret)`,
        });
      }
    }
    return out;
  },
};

/** `secret-literal-env`: no secret-looking literal in env vars (or ConfigMap data). */
export const secretLiteralEnvRule: Rule = {
  id: 'secret-literal-env',
  summary: 'No env var holds a literal secret (by name or by shape), and no ConfigMap holds a credential.',
  why: 'A literal in the pod spec is committed, visible to anyone who can read the Deployment, and never rotated.',
  fix: 'Read the value from a Secret with valueFrom.secretKeyRef (or refer to another variable as $(VAR)).',
  check({ objects }) {
    const out: Violation[] = [];
    for (const t of podTemplates(objects)) {
      for (const ref of containersOf(t.spec)) {
        (ref.container.env ?? []).forEach((env, i) => {
          if (typeof env.value !== 'string') return;
          const problem = secretEnvProblem(env.name, env.value);
          if (problem) {
            out.push({
              target: t.owner,
              message: `${t.specPath}.${ref.label}.env[${i}] ${env.name} ${problem}; use valueFrom.secretKeyRef`,
            });
          }
        });
      }
    }
    for (const target of objects) {
      const o = target.object;
      if (o.kind !== 'ConfigMap' || !isRecord(o.data)) continue;
      for (const [key, value] of Object.entries(o.data)) {
        const problem = typeof value === 'string' ? secretLooking(value, false) : undefined;
        if (problem) {
          out.push({ target, message: `data.${key} ${problem}; move it to a Secret created at deploy time` });
        }
      }
    }
    return out;
  },
};
