import { parseStackConfig } from '../../platform/cloud/stack/config';

describe('k8s-platform:tls', () => {
  test('absent, certificates come from a local CA', () => {
    expect(parseStackConfig({}).tls).toEqual({ mode: 'local-ca' });
  });

  test('ACME HTTP-01 with a contact email (Let’s Encrypt unless a server is given)', () => {
    expect(parseStackConfig({ tls: { mode: 'acme-http01', email: 'ops@example.com' } }).tls).toEqual({
      mode: 'acme-http01',
      email: 'ops@example.com',
    });
  });

  test('ACME DNS-01 with the cert-manager solver of the DNS provider', () => {
    const dns01 = { cloudDNS: { project: 'my-project' } };
    expect(
      parseStackConfig({
        tls: { mode: 'acme-dns01', email: 'ops@example.com', server: 'https://ca.example/dir', dns01 },
      }).tls,
    ).toEqual({ mode: 'acme-dns01', email: 'ops@example.com', server: 'https://ca.example/dir', dns01 });
  });

  test.each([
    [{ mode: 'letsencrypt' }, 'k8s-platform:tls.mode is "letsencrypt"; allowed: acme-http01, acme-dns01, local-ca'],
    [
      { mode: 'acme-http01' },
      'k8s-platform:tls.email is undefined; expected the ACME account contact, e.g. ops@example.com',
    ],
    [
      { mode: 'acme-dns01', email: 'ops@example.com' },
      'k8s-platform:tls.dns01 is undefined; expected a cert-manager dns01 solver, e.g. { cloudDNS: { project: "my-project" } }',
    ],
    [
      { mode: 'acme-http01', email: 'ops@example.com', server: 'http://ca' },
      'k8s-platform:tls.server is "http://ca"; expected the https URL of an ACME directory',
    ],
    [
      { mode: 'local-ca', email: 'ops@example.com' },
      'k8s-platform:tls.email is "ops@example.com"; only with an ACME mode',
    ],
  ])('%j is refused', (tls, message) => {
    expect(() => parseStackConfig({ tls })).toThrow(message);
  });
});
