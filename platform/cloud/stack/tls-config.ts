/** The `k8s-platform:tls` stack config: how the platform's certificates are issued (see `TlsIssuing`). */
import * as v from 'valibot';
import type { TlsIssuing } from '../cert-issuers';
import { TLS_ISSUING_MODES } from '../cert-issuers';
import { StackConfigError } from './config-keys';
import { dns01Problem } from './config-rules';
import { fields, oneOf, read } from './config-schema';

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** The keys of `tls`; which apply depends on the mode. */
const tlsFields = fields(
  {
    mode: oneOf(TLS_ISSUING_MODES),
    email: v.optional(v.unknown()),
    server: v.optional(v.unknown()),
    dns01: v.optional(v.unknown()),
  },
  'expected an object with a mode',
);

const email = v.custom<string>(
  (x) => typeof x === 'string' && EMAIL.test(x),
  'expected the ACME account contact, e.g. ops@example.com',
);
const server = v.optional(
  v.custom<string>(
    (x) => typeof x === 'string' && x.startsWith('https://'),
    'expected the https URL of an ACME directory',
  ),
);
const dns01 = v.custom<Record<string, unknown>>(
  isRecord,
  'expected a cert-manager dns01 solver, e.g. { cloudDNS: { project: "my-project" } }',
);

/**
 * Validates `k8s-platform:tls`, or throws the {@link StackConfigError} naming the key.
 * @returns `{ mode: 'local-ca' }` when the key is absent
 */
export function parseTlsConfig(value: unknown): TlsIssuing {
  if (value === undefined || value === null) return { mode: 'local-ca' };
  const raw = read('tls', tlsFields, value);
  const { mode } = raw;
  if (mode === 'local-ca') {
    for (const key of ['email', 'server', 'dns01'] as const) {
      if (raw[key] !== undefined) throw new StackConfigError(`tls.${key}`, raw[key], 'only with an ACME mode');
    }
    return { mode };
  }
  const acme = {
    email: read('tls.email', email, raw.email),
    ...optional('server', read('tls.server', server, raw.server)),
  };
  if (mode === 'acme-http01') {
    if (raw.dns01 !== undefined) throw new StackConfigError('tls.dns01', raw.dns01, 'only with mode acme-dns01');
    return { mode, ...acme };
  }
  const solver = read('tls.dns01', dns01, raw.dns01);
  const problem = dns01Problem(solver);
  if (problem) throw new StackConfigError('tls.dns01', solver, problem);
  return { mode, ...acme, dns01: solver };
}

/** `{ [key]: value }`, or nothing when the value is absent. */
function optional<K extends string, T>(key: K, value: T | undefined): Partial<Record<K, T>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, T>);
}
