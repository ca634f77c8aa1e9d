/**
 * Credentials of a throwaway control plane, made with openssl: a CA, the API server's serving certificate (SANs for
 * 127.0.0.1 and the in-cluster names), the other certificates the components present, the service-account signing
 * key pair, static tokens and the kubeconfig every component and test client uses. Nothing here is a secret worth keeping: the files live in the
 * cluster's temp dir and die with it.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Paths of the files {@link makePki} writes. */
export interface Pki {
  readonly caCert: string;
  readonly caKey: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly serviceAccountKey: string;
  readonly serviceAccountPub: string;
  readonly tokenFile: string;
  /** Bearer token of the `admin` user (group `system:masters`). */
  readonly adminToken: string;
  /** Bearer token of each real node's kubelet (`system:node:<name>`, group `system:nodes`), by node name. */
  readonly nodeTokens: Readonly<Record<string, string>>;
  /** Bearer token of kube-proxy (`system:kube-proxy`, bound to `system:node-proxier` by default). */
  readonly proxyToken: string;
  /** Bearer token of the cluster DNS (`system:k8s-platform:coredns`, see cluster-dns.ts). */
  readonly dnsToken: string;
  /** kube-router's (NetworkPolicy enforcement, scripts/cluster/network-policy.ts). */
  readonly routerToken: string;
  /** Client certificate and key the API server presents to kubelets (logs, exec): `system:masters`. */
  readonly kubeletClientCert: string;
  readonly kubeletClientKey: string;
  /** metrics-server's (scripts/cluster/metrics-server.ts). */
  readonly metricsToken: string;
  /** Client certificate and key of the aggregation layer (CN {@link FRONT_PROXY_CLIENT}), trusted by metrics-server. */
  readonly frontProxyClientCert: string;
  readonly frontProxyClientKey: string;
  /** metrics-server's serving certificate (for {@link METRICS_SERVER_NAME}). */
  readonly metricsServerCert: string;
  readonly metricsServerKey: string;
}

/** The aggregation layer's client name (the API server's `--requestheader-allowed-names`). */
export const FRONT_PROXY_CLIENT = 'front-proxy-client';
/** The name the API server verifies metrics-server's certificate for (its Service's). */
export const METRICS_SERVER_NAME = 'metrics-server.kube-system.svc';

/** Names the serving certificate is valid for, besides 127.0.0.1. */
const SERVER_NAMES = ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc'];

function openssl(dir: string, args: readonly string[]): void {
  try {
    execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(`openssl ${args[0]} failed (is openssl installed?): ${stderr || String(error)}`);
  }
}

/** Issues `<name>.key` and `<name>.crt` in `dir`, signed by its CA, for `subject` with the x509 extensions `ext`. */
function issue(dir: string, name: string, subject: string, ext: string): void {
  writeFileSync(join(dir, `${name}.ext`), ext);
  openssl(dir, ['genrsa', '-out', `${name}.key`, '2048']);
  openssl(dir, ['req', '-new', '-key', `${name}.key`, '-subj', subject, '-out', `${name}.csr`]);
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '7',
    '-extfile',
    `${name}.ext`,
    '-out',
    `${name}.crt`,
  ]);
}

const SERVER_EXT = 'keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n';
const CLIENT_EXT = 'keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n';

/**
 * Writes the CA, serving certificates (the API server's, metrics-server's), client certificates (the API server's
 * to kubelets and as the aggregation layer's front proxy), service-account keys and the token file (admin,
 * kube-proxy, the cluster DNS, kube-router, metrics-server, one kubelet per name of `nodes`) into `dir`.
 */
export function makePki(dir: string, nodes: readonly string[] = []): Pki {
  const p = (name: string): string => join(dir, name);
  openssl(dir, ['genrsa', '-out', 'ca.key', '2048']);
  openssl(dir, [
    'req',
    '-x509',
    '-new',
    '-key',
    'ca.key',
    '-subj',
    '/CN=k8s-platform-local-ca',
    '-days',
    '7',
    '-out',
    'ca.crt',
  ]);
  const san = ['IP:127.0.0.1', 'IP:10.96.0.1', ...SERVER_NAMES.map((n) => `DNS:${n}`)].join(',');
  issue(dir, 'server', '/CN=kube-apiserver', `subjectAltName=${san}\n${SERVER_EXT}`);
  issue(dir, 'kubelet-client', '/O=system:masters/CN=kube-apiserver-kubelet-client', CLIENT_EXT);
  issue(dir, 'front-proxy-client', `/CN=${FRONT_PROXY_CLIENT}`, CLIENT_EXT);
  issue(dir, 'metrics-server', '/CN=metrics-server', `subjectAltName=DNS:${METRICS_SERVER_NAME}\n${SERVER_EXT}`);
  openssl(dir, ['genrsa', '-out', 'sa.key', '2048']);
  openssl(dir, ['rsa', '-in', 'sa.key', '-pubout', '-out', 'sa.pub']);
  const token = (): string => randomBytes(24).toString('hex');
  const adminToken = token();
  const proxyToken = token();
  const dnsToken = token();
  const routerToken = token();
  const metricsToken = token();
  const nodeTokens = Object.fromEntries(nodes.map((n) => [n, token()]));
  const lines = [
    `${adminToken},admin,admin-uid,"system:masters"`,
    `${proxyToken},system:kube-proxy,kube-proxy-uid`,
    `${dnsToken},system:k8s-platform:coredns,coredns-uid`,
    `${routerToken},system:k8s-platform:kube-router,kube-router-uid`,
    `${metricsToken},system:k8s-platform:metrics-server,metrics-server-uid`,
    ...nodes.map((n) => `${nodeTokens[n]},system:node:${n},node-${n}-uid,"system:nodes"`),
  ];
  writeFileSync(p('tokens.csv'), `${lines.join('\n')}\n`, { mode: 0o600 });
  return {
    caCert: p('ca.crt'),
    caKey: p('ca.key'),
    serverCert: p('server.crt'),
    serverKey: p('server.key'),
    serviceAccountKey: p('sa.key'),
    serviceAccountPub: p('sa.pub'),
    tokenFile: p('tokens.csv'),
    adminToken,
    nodeTokens,
    proxyToken,
    dnsToken,
    routerToken,
    metricsToken,
    kubeletClientCert: p('kubelet-client.crt'),
    kubeletClientKey: p('kubelet-client.key'),
    frontProxyClientCert: p('front-proxy-client.crt'),
    frontProxyClientKey: p('front-proxy-client.key'),
    metricsServerCert: p('metrics-server.crt'),
    metricsServerKey: p('metrics-server.key'),
  };
}

/** A kubeconfig for `server` that authenticates with `token` (the admin's, a kubelet's...) and trusts the cluster CA. */
export function kubeconfigYaml(server: string, caCert: string, token: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '  - name: local',
    '    cluster:',
    `      server: ${server}`,
    `      certificate-authority: ${caCert}`,
    'users:',
    '  - name: admin',
    '    user:',
    `      token: ${token}`,
    'contexts:',
    '  - name: local',
    '    context: { cluster: local, user: admin }',
    'current-context: local',
    '',
  ].join('\n');
}
