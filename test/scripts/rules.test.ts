import type { KubeObject } from '../../scripts/lib/manifests';
import { ruleById } from '../../scripts/lib/rules';
import { validateObjects } from '../../scripts/lib/validate';
import type { Finding } from '../../scripts/lib/validate';
import {
  clone,
  firstContainer,
  goodApp,
  goodDeployment,
  goodNetworkPolicy,
  goodPdb,
  goodService,
  goodServiceMonitor,
  manifests,
  podSpec,
  testCatalog,
} from './fixtures';

const crds = testCatalog();

/** Findings of one rule on the objects. */
function check(ruleId: string, ...objects: KubeObject[]): Finding[] {
  const rule = ruleById(ruleId);
  if (!rule) throw new Error(`no rule ${ruleId}`);
  return validateObjects(manifests(...objects), { crds, rules: [rule] }).findings.filter((f) => f.rule === ruleId);
}

/** The compliant app with its Deployment changed by `mutate`. */
function appWith(mutate: (deployment: KubeObject) => void): KubeObject[] {
  const [deployment, ...rest] = goodApp();
  mutate(deployment);
  return [deployment, ...rest];
}

describe('the compliant fixture', () => {
  it('has no findings under any rule', () => {
    const result = validateObjects(manifests(...goodApp(), goodServiceMonitor()), { crds });
    expect(result.findings).toEqual([]);
  });
});

describe('schema', () => {
  it('reports a wrongly typed field with its path', () => {
    const findings = check('schema', ...appWith((d) => (firstContainer(d).ports = [{ containerPort: '8080' }])));
    expect(findings).toEqual([
      expect.objectContaining({
        object: 'Deployment/shop/web',
        message: 'spec.template.spec.containers[0].ports[0].containerPort: must be integer',
      }),
    ]);
  });

  it('reports a missing required field', () => {
    const findings = check('schema', ...appWith((d) => delete firstContainer(d).name));
    expect(findings.map((f) => f.message)).toContain('spec.template.spec.containers[0]: missing required field "name"');
  });

  it('reports a kind that does not exist in the apiVersion', () => {
    const findings = check('schema', { apiVersion: 'apps/v1', kind: 'Deploymnet', metadata: { name: 'x' } });
    expect(findings[0].message).toMatch(/kind Deploymnet does not exist in apps\/v1/);
  });

  it('reports a name that is not a DNS-1123 subdomain', () => {
    const findings = check('schema', ...appWith((d) => (d.metadata.name = 'Web_1')));
    expect(findings[0].message).toMatch(/^metadata.name: "Web_1" is not a DNS-1123 subdomain/);
  });

  it('reports a port out of range', () => {
    const svc = goodService();
    (svc.spec as { ports: { port: number }[] }).ports[0].port = 70000;
    expect(check('schema', svc)[0].message).toBe('spec.ports[0].port: must be 1-65535');
  });

  it('passes valid built-in objects', () => {
    expect(check('schema', ...goodApp())).toEqual([]);
  });
});

describe('crd-schema', () => {
  it('reports a custom resource field that breaks its CRD schema', () => {
    const sm = goodServiceMonitor();
    (sm.spec as { endpoints: { interval: string }[] }).endpoints[0].interval = 'thirty';
    const findings = check('crd-schema', sm);
    expect(findings).toHaveLength(1);
    expect(findings[0].message).toMatch(/^spec.endpoints\[0\].interval: must match pattern/);
  });

  it('reports a custom resource whose CRD is unknown', () => {
    const findings = check('crd-schema', { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } });
    expect(findings[0].message).toMatch(/^no CRD for Widget in group example.com/);
  });

  it('reports a version the CRD does not define', () => {
    const sm = { ...goodServiceMonitor(), apiVersion: 'monitoring.coreos.com/v2' };
    expect(check('crd-schema', sm)[0].message).toMatch(/has no version v2 for ServiceMonitor \(has: v1\)/);
  });

  it('passes a valid custom resource', () => {
    expect(check('crd-schema', goodServiceMonitor())).toEqual([]);
  });
});

describe('deprecated-api', () => {
  it('reports a removed built-in apiVersion with its replacement', () => {
    const pdb = { ...goodPdb(), apiVersion: 'policy/v1beta1' };
    expect(check('deprecated-api', pdb)[0].message).toBe(
      'policy/v1beta1 PodDisruptionBudget was removed in Kubernetes 1.25; use policy/v1',
    );
  });

  it('reports a CRD version marked deprecated (Linkerd Server v1beta1)', () => {
    const server = {
      apiVersion: 'policy.linkerd.io/v1beta1',
      kind: 'Server',
      metadata: { name: 'web', namespace: 'shop' },
      spec: { podSelector: { matchLabels: { app: 'web' } }, port: 'http' },
    };
    expect(check('deprecated-api', server)[0].message).toBe(
      'policy.linkerd.io/v1beta1 Server is deprecated; use policy.linkerd.io/v1beta3',
    );
  });

  it('reports a CRD version that is not served (VPA v1beta2)', () => {
    const vpa = { apiVersion: 'autoscaling.k8s.io/v1beta2', kind: 'VerticalPodAutoscaler', metadata: { name: 'v' } };
    expect(check('deprecated-api', vpa)[0].message).toMatch(/is not served by its CRD; use autoscaling.k8s.io\/v1/);
  });

  it('passes current versions', () => {
    const server = {
      apiVersion: 'policy.linkerd.io/v1beta3',
      kind: 'Server',
      metadata: { name: 'web', namespace: 'shop' },
      spec: { podSelector: { matchLabels: { app: 'web' } }, port: 'http' },
    };
    expect(check('deprecated-api', ...goodApp(), server)).toEqual([]);
  });
});

describe('pss-restricted', () => {
  it('reports a container that allows privilege escalation', () => {
    const findings = check(
      'pss-restricted',
      ...appWith((d) => delete (firstContainer(d).securityContext as Record<string, unknown>).allowPrivilegeEscalation),
    );
    expect(findings.map((f) => f.message)).toEqual([
      'spec.template.spec.containers[0] "web": set securityContext.allowPrivilegeEscalation: false',
    ]);
  });

  it('reports a hostPath volume', () => {
    const findings = check(
      'pss-restricted',
      ...appWith((d) => (podSpec(d).volumes = [{ name: 'h', hostPath: { path: '/' } }])),
    );
    expect(findings[0].message).toMatch(/volumes\[0\] "h" is of type hostPath; use one of configMap, csi/);
  });

  it('reports host namespaces', () => {
    const findings = check('pss-restricted', ...appWith((d) => (podSpec(d).hostNetwork = true)));
    expect(findings[0].message).toMatch(/hostNetwork is true/);
  });

  it('reports runAsNonRoot missing on both the pod and the container', () => {
    const findings = check(
      'pss-restricted',
      ...appWith((d) => {
        delete (podSpec(d).securityContext as Record<string, unknown>).runAsNonRoot;
        delete (firstContainer(d).securityContext as Record<string, unknown>).runAsNonRoot;
      }),
    );
    expect(findings[0].message).toMatch(/set securityContext.runAsNonRoot: true \(on the container or the pod\)/);
  });

  it('accepts runAsNonRoot and seccomp set on the pod only', () => {
    const findings = check(
      'pss-restricted',
      ...appWith((d) => {
        const sc = firstContainer(d).securityContext as Record<string, unknown>;
        delete sc.runAsNonRoot;
        delete sc.seccompProfile;
      }),
    );
    expect(findings).toEqual([]);
  });

  it('reports an added capability other than NET_BIND_SERVICE', () => {
    const findings = check(
      'pss-restricted',
      ...appWith(
        (d) =>
          ((firstContainer(d).securityContext as Record<string, unknown>).capabilities = {
            drop: ['ALL'],
            add: ['NET_ADMIN'],
          }),
      ),
    );
    expect(findings[0].message).toMatch(/capabilities.add NET_ADMIN is not allowed/);
  });

  it('accepts NET_BIND_SERVICE as the only added capability', () => {
    const findings = check(
      'pss-restricted',
      ...appWith(
        (d) =>
          ((firstContainer(d).securityContext as Record<string, unknown>).capabilities = {
            drop: ['ALL'],
            add: ['NET_BIND_SERVICE'],
          }),
      ),
    );
    expect(findings).toEqual([]);
  });

  it('reports seccomp Unconfined on a container', () => {
    const findings = check(
      'pss-restricted',
      ...appWith(
        (d) => ((firstContainer(d).securityContext as Record<string, unknown>).seccompProfile = { type: 'Unconfined' }),
      ),
    );
    expect(findings[0].message).toMatch(/seccompProfile.type Unconfined is not allowed/);
  });

  it('checks init containers too', () => {
    const findings = check(
      'pss-restricted',
      ...appWith(
        (d) =>
          (podSpec(d).initContainers = [{ ...firstContainer(d), name: 'init', securityContext: { privileged: true } }]),
      ),
    );
    expect(findings.map((f) => f.message)).toContain(
      'spec.template.spec.initContainers[0] "init": privileged is true; remove it',
    );
  });

  it('reports an unsafe sysctl', () => {
    const findings = check(
      'pss-restricted',
      ...appWith(
        (d) =>
          ((podSpec(d).securityContext as Record<string, unknown>).sysctls = [{ name: 'kernel.msgmax', value: '1' }]),
      ),
    );
    expect(findings[0].message).toMatch(/"kernel.msgmax" is not a safe sysctl/);
  });

  it('passes the restricted security contexts', () => {
    expect(check('pss-restricted', ...goodApp())).toEqual([]);
  });
});

describe('read-only-root-filesystem', () => {
  it('reports a writable root filesystem', () => {
    const findings = check(
      'read-only-root-filesystem',
      ...appWith(
        (d) => ((firstContainer(d).securityContext as Record<string, unknown>).readOnlyRootFilesystem = false),
      ),
    );
    expect(findings[0].message).toMatch(/containers\[0\] "web": set securityContext.readOnlyRootFilesystem: true/);
  });

  it('passes a read-only root filesystem', () => {
    expect(check('read-only-root-filesystem', ...goodApp())).toEqual([]);
  });
});

describe('resources', () => {
  it('reports missing limits on an init container', () => {
    const findings = check(
      'resources',
      ...appWith(
        (d) =>
          (podSpec(d).initContainers = [
            { ...firstContainer(d), name: 'migrate', resources: { requests: { cpu: '10m', memory: '16Mi' } } },
          ]),
      ),
    );
    expect(findings.map((f) => f.message)).toEqual([
      'spec.template.spec.initContainers[0] "migrate": set resources.limits.cpu, resources.limits.memory',
    ]);
  });

  it('reports a request above its limit', () => {
    const findings = check(
      'resources',
      ...appWith(
        (d) =>
          (firstContainer(d).resources = {
            requests: { cpu: '2', memory: '128Mi' },
            limits: { cpu: '500m', memory: '256Mi' },
          }),
      ),
    );
    expect(findings[0].message).toMatch(/requests.cpu is above resources.limits.cpu/);
  });

  it('passes requests and limits for cpu and memory', () => {
    expect(check('resources', ...goodApp())).toEqual([]);
  });
});

describe('probes', () => {
  it('reports a Deployment container without a liveness probe', () => {
    const findings = check('probes', ...appWith((d) => delete firstContainer(d).livenessProbe));
    expect(findings.map((f) => f.message)).toEqual(['spec.template.spec.containers[0] "web": add livenessProbe']);
  });

  it('does not ask a Job for probes', () => {
    const job: KubeObject = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'migrate', namespace: 'shop' },
      spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'm', image: 'migrate:1.0' }] } } },
    };
    expect(check('probes', job)).toEqual([]);
  });

  it('passes readiness and liveness probes', () => {
    expect(check('probes', ...goodApp())).toEqual([]);
  });
});

describe('image-pinned', () => {
  it.each(['nginx', 'nginx:latest', 'registry.local:5000/team/app'])('reports the unpinned image %s', (image) => {
    const findings = check('image-pinned', ...appWith((d) => (firstContainer(d).image = image)));
    expect(findings[0].message).toBe(
      `spec.template.spec.containers[0] "web": image "${image}" is not pinned; use a release tag or a digest`,
    );
  });

  it.each(['nginx:1.27', 'registry.local:5000/team/app:2.1.0', `nginx@sha256:${'a'.repeat(64)}`])(
    'passes the pinned image %s',
    (image) => {
      expect(check('image-pinned', ...appWith((d) => (firstContainer(d).image = image)))).toEqual([]);
    },
  );
});

describe('pdb', () => {
  it('reports a replicated Deployment without a PDB', () => {
    const findings = check('pdb', goodDeployment());
    expect(findings[0].message).toBe(
      '2 replicas but no PodDisruptionBudget selects its pods; add one with maxUnavailable: 1',
    );
  });

  it('reports a workload whose HPA keeps more than one replica', () => {
    const d = goodDeployment();
    delete (d.spec as Record<string, unknown>).replicas;
    const hpa: KubeObject = {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'web', namespace: 'shop' },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
        minReplicas: 3,
        maxReplicas: 6,
      },
    };
    expect(check('pdb', d, hpa)[0].message).toMatch(/^3 replicas but no PodDisruptionBudget/);
  });

  it('ignores a PDB in another namespace', () => {
    const pdb = goodPdb();
    pdb.metadata.namespace = 'other';
    expect(check('pdb', goodDeployment(), pdb)).toHaveLength(1);
  });

  it('reports a PDB that allows no eviction', () => {
    const pdb = goodPdb();
    pdb.spec = { ...(pdb.spec as object), maxUnavailable: 0 };
    expect(check('pdb', goodDeployment(), pdb)[0].message).toMatch(
      /maxUnavailable is 0, so nodes can never be drained/,
    );
  });

  it('does not ask a single-replica Deployment for a PDB', () => {
    const d = goodDeployment();
    (d.spec as Record<string, unknown>).replicas = 1;
    expect(check('pdb', d)).toEqual([]);
  });

  it('passes a matching PDB', () => {
    expect(check('pdb', goodDeployment(), goodPdb())).toEqual([]);
  });
});

describe('network-policy', () => {
  it('reports pods that no NetworkPolicy selects', () => {
    expect(check('network-policy', goodDeployment())[0].message).toMatch(
      /^no NetworkPolicy in namespace shop selects its pods/,
    );
  });

  it('reports a policy that selects other pods', () => {
    const np = goodNetworkPolicy();
    np.spec = { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'db' } } };
    expect(check('network-policy', goodDeployment(), np)).toHaveLength(1);
  });

  it('passes a policy that selects the pods by label', () => {
    const np = goodNetworkPolicy();
    np.spec = {
      podSelector: { matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'In', values: ['web'] }] },
    };
    expect(check('network-policy', goodDeployment(), np)).toEqual([]);
  });

  it('passes an empty podSelector, which selects every pod of the namespace', () => {
    expect(check('network-policy', goodDeployment(), goodNetworkPolicy())).toEqual([]);
  });
});

describe('no-nodeport', () => {
  it('reports a NodePort Service', () => {
    const svc = goodService();
    (svc.spec as Record<string, unknown>).type = 'NodePort';
    expect(check('no-nodeport', svc)[0].message).toMatch(/^spec.type is NodePort/);
  });

  it('passes a ClusterIP Service', () => {
    expect(check('no-nodeport', goodService())).toEqual([]);
  });
});

describe('secret-data', () => {
  it('reports a Secret with data', () => {
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's', namespace: 'shop' },
      data: { password: 'aHVudGVyMg==' },
    };
    expect(check('secret-data', secret)[0].message).toMatch(/^has data; remove the Secret from the chart/);
  });

  it('passes a Secret without values', () => {
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'shop' }, type: 'Opaque' };
    expect(check('secret-data', secret)).toEqual([]);
  });
});

describe('secret-literal-env', () => {
  function withEnv(env: Record<string, unknown>[]): KubeObject[] {
    return appWith((d) => (firstContainer(d).env = env));
  }

  it('reports a literal value in a secret-sounding variable', () => {
    const findings = check('secret-literal-env', ...withEnv([{ name: 'DB_PASSWORD', value: 'hunter2' }]));
    expect(findings[0].message).toBe(
      'spec.template.spec.containers[0] "web".env[0] DB_PASSWORD has a secret-sounding name and a literal value; use valueFrom.secretKeyRef',
    );
  });

  it('reports a key-shaped value whatever the variable name', () => {
    const findings = check('secret-literal-env', ...withEnv([{ name: 'S3_ID', value: 'AKIAIOSFODNN7EXAMPLE' }]));
    expect(findings[0].message).toMatch(/S3_ID contains an AWS access key id/);
  });

  it('reports a long random token', () => {
    const findings = check(
      'secret-literal-env',
      ...withEnv([{ name: 'SETTING', value: 'q8ZtV3xLp0aR7mKc2YhN5uWb9eJsFd4G' }]),
    );
    expect(findings[0].message).toMatch(/contains a long random-looking token/);
  });

  it('reports a URL with a literal password', () => {
    const findings = check(
      'secret-literal-env',
      ...withEnv([{ name: 'DATABASE_URL', value: 'postgres://app:s3cret@db:5432/app' }]),
    );
    expect(findings[0].message).toMatch(/embeds a password in a URL/);
  });

  it('passes references to other variables, alone or inside a URL', () => {
    const env = [
      { name: 'DB_PASSWORD', value: '$(DATABASE_PASSWORD)' },
      { name: 'DATABASE_URL', value: 'postgresql://$(DATABASE_USER):$(DATABASE_PASSWORD)@db:5432/app' },
      { name: 'POSTGRES_PASSWORD_FILE', value: '/run/secrets/password' },
      { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'api', key: 'token' } } },
    ];
    expect(check('secret-literal-env', ...withEnv(env))).toEqual([]);
  });

  it('reports a private key in a ConfigMap', () => {
    const cm = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c', namespace: 'shop' },
      data: { 'tls.key': '-----BEGIN RSA PRIVATE KEY-----\nMIIE...\n-----END RSA PRIVATE KEY-----\n' },
    };
    expect(check('secret-literal-env', cm)[0].message).toBe(
      'data.tls.key contains a PEM private key; move it to a Secret created at deploy time',
    );
  });

  it('passes a ConfigMap of ordinary settings', () => {
    const cm = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c', namespace: 'shop' },
      data: { LOG_LEVEL: 'info' },
    };
    expect(check('secret-literal-env', cm, ...clone(goodApp()))).toEqual([]);
  });
});

describe('service-targets-pod', () => {
  it('reports a Service whose selector matches no pod', () => {
    const svc = goodService();
    (svc.spec as Record<string, unknown>).selector = { 'app.kubernetes.io/name': 'wbe' };
    expect(check('service-targets-pod', goodDeployment(), svc)[0].message).toMatch(
      /matches no pod template in namespace shop/,
    );
  });

  it('reports a named targetPort that no container declares', () => {
    const svc = goodService();
    (svc.spec as Record<string, unknown>).ports = [{ name: 'http', port: 80, targetPort: 'web' }];
    expect(check('service-targets-pod', goodDeployment(), svc)[0].message).toBe(
      'spec.ports[0].targetPort "web" is not a container port name of the selected pods; use one of http',
    );
  });

  it('passes a Service that selects the pods and names their port', () => {
    const svc = goodService();
    (svc.spec as Record<string, unknown>).ports = [{ name: 'http', port: 80, targetPort: 'http' }];
    expect(check('service-targets-pod', goodDeployment(), svc)).toEqual([]);
  });
});

describe('hpa-target', () => {
  const hpa = (name: string): KubeObject => ({
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'web', namespace: 'shop' },
    spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name }, minReplicas: 2, maxReplicas: 4 },
  });

  it('reports an HPA whose target does not exist', () => {
    expect(check('hpa-target', goodDeployment(), hpa('api'))[0].message).toMatch(
      /Deployment\/api does not exist in namespace shop/,
    );
  });

  it('reports a scaled workload that also sets spec.replicas', () => {
    const findings = check('hpa-target', goodDeployment(), hpa('web'));
    expect(findings[0]).toEqual(
      expect.objectContaining({
        object: 'Deployment/shop/web',
        message: 'spec.replicas is set while HorizontalPodAutoscaler web scales it; remove spec.replicas',
      }),
    );
  });

  it('passes an HPA whose workload leaves replicas to it', () => {
    const d = goodDeployment();
    delete (d.spec as Record<string, unknown>).replicas;
    expect(check('hpa-target', d, hpa('web'))).toEqual([]);
  });
});

describe('pod-spread', () => {
  it('reports replicas that nothing spreads across nodes', () => {
    const findings = check('pod-spread', ...appWith((d) => delete podSpec(d).topologySpreadConstraints));
    expect(findings[0].message).toBe(
      'up to 2 replicas may land on one node; add a topologySpreadConstraint on kubernetes.io/hostname',
    );
  });

  it('accepts pod anti-affinity on the hostname instead', () => {
    const antiAffinity = {
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: {} } },
        ],
      },
    };
    const objects = appWith((d) => {
      delete podSpec(d).topologySpreadConstraints;
      podSpec(d).affinity = antiAffinity;
    });
    expect(check('pod-spread', ...objects)).toEqual([]);
  });

  it('passes a hostname topology spread constraint', () => {
    expect(check('pod-spread', ...goodApp())).toEqual([]);
  });
});
