import { parseStackConfig } from '../../platform/cloud/stack/config';
import type { RawStackConfig } from '../../platform/cloud/stack/config';
import { dns01Providers } from '../../platform/cloud/stack/config-rules';

const gke = (settings: Record<string, unknown>): RawStackConfig => ({
  cloud: 'gke',
  region: 'europe-west1',
  gke: { project: 'my-project', authorizedNetworks: ['203.0.113.7/32'], ...settings },
});
const eks = (settings: Record<string, unknown>): RawStackConfig => ({
  cloud: 'eks',
  region: 'eu-west-1',
  zones: ['eu-west-1a', 'eu-west-1b'],
  eks: { publicAccessCidrs: ['203.0.113.7/32'], ...settings },
});

describe('API-endpoint CIDRs are refused with the key, the value and the fix', () => {
  test.each([
    ['0.0.0.0/0', 'opens the API endpoint to the whole internet'],
    ['999.999.999.999/32', 'is not an IPv4 CIDR (four numbers 0-255, a prefix 0-32)'],
    ['10.1.2.3/8', 'has host bits set (it means 10.0.0.0/8); write 10.0.0.0/8'],
    ['010.1.2.3/32', 'is not an IPv4 CIDR'],
    ['10.0.0.0/33', 'is not an IPv4 CIDR'],
    ['10.0.0.0/16', 'is wider than /24 (65536 addresses); narrow it, or set eks.allowWideEndpointCidrs to true'],
  ])('%s on EKS', (cidr, problem) => {
    const message = `k8s-platform:eks.publicAccessCidrs is ${JSON.stringify(['203.0.113.7/32', cidr])}; "${cidr}" ${problem}`;
    expect(() => parseStackConfig(eks({ publicAccessCidrs: ['203.0.113.7/32', cidr] }))).toThrow(message);
  });

  test('the same rules on GKE, naming its own opt-in', () => {
    expect(() => parseStackConfig(gke({ authorizedNetworks: ['0.0.0.0/0'] }))).toThrow(
      'k8s-platform:gke.authorizedNetworks is ["0.0.0.0/0"]; "0.0.0.0/0" opens the API endpoint to the whole internet',
    );
    expect(() => parseStackConfig(gke({ authorizedNetworks: ['192.168.0.0/16'] }))).toThrow(
      'set gke.allowWideEndpointCidrs to true',
    );
  });

  test('a wide CIDR is accepted with the explicit opt-in; /0 never is', () => {
    const config = parseStackConfig(gke({ authorizedNetworks: ['192.168.0.0/16'], allowWideEndpointCidrs: true }));
    expect(config.cloud === 'gke' && config.gke.authorizedNetworks).toEqual(['192.168.0.0/16']);
    expect(() => parseStackConfig(eks({ publicAccessCidrs: ['0.0.0.0/0'], allowWideEndpointCidrs: true }))).toThrow(
      'whole internet',
    );
  });

  test('canonical /24../32 CIDRs pass unchanged', () => {
    const config = parseStackConfig(eks({ publicAccessCidrs: ['203.0.113.0/24', '198.51.100.9/32'] }));
    expect(config.cloud === 'eks' && config.eks.publicAccessCidrs).toEqual(['203.0.113.0/24', '198.51.100.9/32']);
  });
});

describe('gke.project', () => {
  test.each(['My Project', 'p', '123456789012', 'my-project-'])(
    '%j is refused with what a project id looks like',
    (project) => {
      expect(() => parseStackConfig(gke({ project }))).toThrow(
        `k8s-platform:gke.project is ${JSON.stringify(project)}; is not a GCP project id`,
      );
    },
  );

  test('gcp:project is checked the same way when it is the fallback', () => {
    expect(() =>
      parseStackConfig({ ...gke({}), gke: { authorizedNetworks: ['203.0.113.7/32'] }, gcpProject: 'Bad_Project' }),
    ).toThrow('k8s-platform:gke.project is "Bad_Project"; is not a GCP project id');
  });
});

describe('the tls block', () => {
  test('an unknown key is refused with the known ones', () => {
    expect(() => parseStackConfig({ tls: { mode: 'acme-http01', email: 'ops@example.com', emial: 'x' } })).toThrow(
      'k8s-platform:tls.emial is "x"; unknown setting; known: mode, email, server, dns01',
    );
  });

  const dns01 = (solver: unknown) => () =>
    parseStackConfig({ tls: { mode: 'acme-dns01', email: 'ops@example.com', dns01: solver } });

  test.each([
    [{}, 'must name exactly one DNS provider'],
    [{ cloudDns: { project: 'p' } }, 'must name exactly one DNS provider'],
    [{ cloudDNS: { project: 'p' }, route53: { region: 'eu-west-1' } }, 'must name exactly one DNS provider'],
    [{ cloudDNS: {} }, 'dns01.cloudDNS.project: required'],
    [{ cloudDNS: { project: 'p', zone: 'z' } }, 'dns01.cloudDNS.zone: unknown field; known:'],
    [{ cloudDNS: { project: 7 } }, 'dns01.cloudDNS.project: expected a string'],
    [{ cloudflare: { apiTokenSecretRef: { key: 'token' } } }, 'dns01.cloudflare.apiTokenSecretRef.name: required'],
  ])('%j is refused against cert-manager’s own schema', (solver, problem) => {
    expect(dns01(solver)).toThrow(`k8s-platform:tls.dns01 is ${JSON.stringify(solver)}; ${problem}`);
  });

  test('well-formed solvers of several providers pass', () => {
    expect(dns01({ route53: { region: 'eu-west-1' } })).not.toThrow();
    expect(dns01({ cloudflare: { apiTokenSecretRef: { name: 'cf', key: 'token' } } })).not.toThrow();
    expect(dns01({ cloudDNS: { project: 'my-project' }, cnameStrategy: 'Follow' })).not.toThrow();
  });

  test('the providers are those of the pinned cert-manager', () => {
    expect(dns01Providers()).toEqual(expect.arrayContaining(['cloudDNS', 'route53', 'cloudflare', 'azureDNS']));
  });
});

describe('eks.accessEntries', () => {
  const ADMINS = 'arn:aws:iam::123456789012:role/platform-admins';
  test('principals with admin or view access are passed on', () => {
    const config = parseStackConfig(eks({ accessEntries: [{ principalArn: ADMINS, access: 'admin' }] }));
    expect(config.cloud === 'eks' && config.eks.accessEntries).toEqual([{ principalArn: ADMINS, access: 'admin' }]);
  });

  test.each([
    [[{ principalArn: 'platform-admins', access: 'admin' }], '[0].principalArn must be an IAM role or user ARN'],
    [[{ principalArn: ADMINS, access: 'owner' }], '[0].access must be admin or view'],
    [[{ principalArn: ADMINS, access: 'view', scope: 'x' }], '[0].scope is not a setting'],
  ])('%j is refused', (entries, problem) => {
    expect(() => parseStackConfig(eks({ accessEntries: entries }))).toThrow(
      `k8s-platform:eks.accessEntries is ${JSON.stringify(entries)}; ${problem}`,
    );
  });
});
