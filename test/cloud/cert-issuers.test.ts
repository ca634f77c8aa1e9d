import {
  LETS_ENCRYPT_PRODUCTION,
  LOCAL_CA,
  certManagerObjects,
  certManagerValues,
  gatewayHostListeners,
} from '../../platform/cloud/cert-issuers';
import { CLUSTER_ISSUERS } from '../../platform/contract';
import type { Obj } from '../helpers';

const issuer = (objects: ReturnType<typeof certManagerObjects>, name: string) =>
  objects.find((o) => o.kind === 'ClusterIssuer' && o.metadata.name === name)?.spec as Obj;

describe('the platform ClusterIssuers', () => {
  test('one issuer per route implementation, whatever the mode', () => {
    for (const objects of [
      certManagerObjects({ mode: 'acme-http01', email: 'ops@example.com' }),
      certManagerObjects({ mode: 'local-ca' }),
    ]) {
      for (const name of Object.values(CLUSTER_ISSUERS)) expect(issuer(objects, name)).toBeDefined();
    }
  });

  test('ACME HTTP-01 is solved through the route implementation that serves the host', () => {
    const objects = certManagerObjects({ mode: 'acme-http01', email: 'ops@example.com' });
    const solver = (name: string) => issuer(objects, name).acme.solvers[0].http01;
    expect(solver(CLUSTER_ISSUERS.nginx).ingress.ingressClassName).toBe('nginx');
    expect(solver(CLUSTER_ISSUERS.contour).ingress.ingressClassName).toBe('contour');
    expect(solver(CLUSTER_ISSUERS.gateway).gatewayHTTPRoute.parentRefs).toEqual([
      { name: 'platform', namespace: 'projectcontour', kind: 'Gateway' },
    ]);
    expect(issuer(objects, CLUSTER_ISSUERS.nginx).acme.server).toBe(LETS_ENCRYPT_PRODUCTION);
  });

  test('solver pods stay out of the mesh and carry the label the solver NetworkPolicy selects', () => {
    const objects = certManagerObjects({ mode: 'acme-http01', email: 'ops@example.com' });
    expect(issuer(objects, CLUSTER_ISSUERS.nginx).acme.solvers[0].http01.ingress.podTemplate.metadata).toEqual({
      annotations: { 'linkerd.io/inject': 'disabled' },
      labels: { 'acme.cert-manager.io/http01-solver': 'true' },
    });
  });

  test('DNS-01 uses the solver the stack gives, for every implementation', () => {
    const dns01 = { cloudDNS: { project: 'p' } };
    const objects = certManagerObjects({ mode: 'acme-dns01', email: 'ops@example.com', dns01, server: 'https://ca' });
    for (const name of Object.values(CLUSTER_ISSUERS)) {
      expect(issuer(objects, name).acme).toMatchObject({ server: 'https://ca', solvers: [{ dns01 }] });
    }
  });

  test('the local CA is self-signed, and the three issuers sign with it', () => {
    const objects = certManagerObjects({ mode: 'local-ca' });
    expect(issuer(objects, LOCAL_CA.selfSigned)).toEqual({ selfSigned: {} });
    const ca = objects.find((o) => o.kind === 'Certificate');
    expect(ca?.spec).toMatchObject({ isCA: true, secretName: LOCAL_CA.certificate });
    expect(ca?.metadata.namespace).toBe('cert-manager');
    expect(issuer(objects, CLUSTER_ISSUERS.gateway)).toEqual({ ca: { secretName: LOCAL_CA.certificate } });
  });

  test('the local CA lives ten years and keeps its key on renewal, so the trust users installed holds', () => {
    const ca = certManagerObjects({ mode: 'local-ca' }).find((o) => o.kind === 'Certificate');
    expect(ca?.spec).toMatchObject({
      duration: '87600h',
      renewBefore: '720h',
      privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Never' },
    });
  });
});

test('each recorded gateway host gets an HTTPS listener only the apps serving it may attach to, and a port-80 one for the platform', () => {
  const hosts = [
    { host: 'chat.example.com', namespace: 'chat' },
    { host: 'chat.example.com', namespace: 'admin' },
  ];
  expect(gatewayHostListeners(hosts)).toEqual([
    {
      name: 'http-chat.example.com',
      protocol: 'HTTP',
      port: 80,
      hostname: 'chat.example.com',
      allowedRoutes: {
        namespaces: {
          from: 'Selector',
          selector: {
            matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['projectcontour'] }],
          },
        },
      },
    },
    {
      name: 'https-chat.example.com',
      protocol: 'HTTPS',
      port: 443,
      hostname: 'chat.example.com',
      tls: { mode: 'Terminate', certificateRefs: [{ kind: 'Secret', name: 'tls-chat-example-com' }] },
      allowedRoutes: {
        namespaces: {
          from: 'Selector',
          selector: {
            matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['admin', 'chat'] }],
          },
        },
      },
    },
  ]);
});

test('cert-manager watches Gateways only when the Gateway API is installed', () => {
  expect(certManagerValues({ gatewayApi: true, prometheus: false }).config).toMatchObject({ enableGatewayAPI: true });
  expect(certManagerValues({ gatewayApi: false, prometheus: false }).config).toBeUndefined();
});
