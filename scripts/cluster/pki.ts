/**
 * Credentials of a throwaway control plane, made with openssl: a CA, the API server's serving certificate (SANs for
 * 127.0.0.1 and the in-cluster names), the service-account signing key pair, a static admin token and the
 * kubeconfig every component and test client uses. Nothing here is a secret worth keeping: the files live in the
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
  /** Client certificate and key the API server presents to kubelets (logs, exec): `system:masters`. */
  readonly kubeletClientCert: string;
  readonly kubeletClientKey: string;
}

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

/**
 * Writes the CA, serving certificate, service-account keys, the API server's kubelet client certificate and the
 * token file (admin, kube-proxy, the cluster DNS, one kubelet per name of `nodes`) into `dir`.
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
  writeFileSync(
    p('server.ext'),
    `subjectAltName=${san}\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n`,
  );
  openssl(dir, ['genrsa', '-out', 'server.key', '2048']);
  openssl(dir, ['req', '-new', '-key', 'server.key', '-subj', '/CN=kube-apiserver', '-out', 'server.csr']);
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '7',
    '-extfile',
    'server.ext',
    '-out',
    'server.crt',
  ]);
  openssl(dir, ['genrsa', '-out', 'sa.key', '2048']);
  openssl(dir, ['rsa', '-in', 'sa.key', '-pubout', '-out', 'sa.pub']);
  writeFileSync(p('client.ext'), 'keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n');
  openssl(dir, ['genrsa', '-out', 'kubelet-client.key', '2048']);
  openssl(dir, [
    'req',
    '-new',
    '-key',
    'kubelet-client.key',
    '-subj',
    '/O=system:masters/CN=kube-apiserver-kubelet-client',
    '-out',
    'kubelet-client.csr',
  ]);
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    'kubelet-client.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '7',
    '-extfile',
    'client.ext',
    '-out',
    'kubelet-client.crt',
  ]);
  const token = (): string => randomBytes(24).toString('hex');
  const adminToken = token();
  const proxyToken = token();
  const dnsToken = token();
  const nodeTokens = Object.fromEntries(nodes.map((n) => [n, token()]));
  const lines = [
    `${adminToken},admin,admin-uid,"system:masters"`,
    `${proxyToken},system:kube-proxy,kube-proxy-uid`,
    `${dnsToken},system:k8s-platform:coredns,coredns-uid`,
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
    kubeletClientCert: p('kubelet-client.crt'),
    kubeletClientKey: p('kubelet-client.key'),
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
