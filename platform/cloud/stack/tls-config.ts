/** The `k8s-platform:tls` stack config: how the platform's certificates are issued (see `TlsIssuing`). */
import type { TlsIssuing } from '../cert-issuers';
import { TLS_ISSUING_MODES } from '../cert-issuers';
import { dns01Problem } from './config-rules';

const TLS_KEYS = ['mode', 'email', 'server', 'dns01'];
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/**
 * Validates `k8s-platform:tls`; `fail(key, value, allowed)` throws the stack config error.
 * @returns `{ mode: 'local-ca' }` when the key is absent
 */
export function parseTlsConfig(
  value: unknown,
  fail: (key: string, value: unknown, allowed: string) => never,
): TlsIssuing {
  if (value === undefined || value === null) return { mode: 'local-ca' };
  if (typeof value !== 'object' || Array.isArray(value)) fail('tls', value, 'expected an object with a mode');
  const raw = value as Record<string, unknown>;
  const unknownKey = Object.keys(raw).find((k) => !TLS_KEYS.includes(k));
  if (unknownKey !== undefined)
    fail(`tls.${unknownKey}`, raw[unknownKey], `unknown setting; known: ${TLS_KEYS.join(', ')}`);
  const mode = raw.mode as TlsIssuing['mode'];
  if (!TLS_ISSUING_MODES.includes(mode)) fail('tls.mode', raw.mode, `allowed: ${TLS_ISSUING_MODES.join(', ')}`);
  if (mode === 'local-ca') {
    for (const key of ['email', 'server', 'dns01']) {
      if (raw[key] !== undefined) fail(`tls.${key}`, raw[key], 'only with an ACME mode');
    }
    return { mode };
  }
  if (typeof raw.email !== 'string' || !EMAIL.test(raw.email)) {
    fail('tls.email', raw.email, 'expected the ACME account contact, e.g. ops@example.com');
  }
  if (raw.server !== undefined && (typeof raw.server !== 'string' || !raw.server.startsWith('https://'))) {
    fail('tls.server', raw.server, 'expected the https URL of an ACME directory');
  }
  const acme = { email: raw.email, ...(raw.server !== undefined ? { server: raw.server as string } : {}) };
  if (mode === 'acme-http01') {
    if (raw.dns01 !== undefined) fail('tls.dns01', raw.dns01, 'only with mode acme-dns01');
    return { mode, ...acme };
  }
  if (typeof raw.dns01 !== 'object' || raw.dns01 === null || Array.isArray(raw.dns01)) {
    fail('tls.dns01', raw.dns01, 'expected a cert-manager dns01 solver, e.g. { cloudDNS: { project: "my-project" } }');
  }
  const dns01 = raw.dns01 as Record<string, unknown>;
  const problem = dns01Problem(dns01);
  if (problem) fail('tls.dns01', dns01, problem);
  return { mode, ...acme, dns01 };
}
