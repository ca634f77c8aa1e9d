/**
 * The harness can fail: what a real cluster refuses, or never schedules, fails the e2e checks with the API
 * server's or the scheduler's own words and the object's name.
 */
import { KubeApiError } from '../../scripts/cluster/kube-client';
import { waitForWorkloads } from '../../scripts/cluster/rollout';
import type { KubeObject } from '../../scripts/lib/manifests';
import { applyAll, useLocalCluster } from './support';

const cluster = useLocalCluster();
const NS = 'e2e-negative';

/** A Deployment in the restricted namespace whose one container takes `container` and whose pod takes `pod`. */
function deployment(name: string, container: Record<string, unknown>, pod: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: NS },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          automountServiceAccountToken: false,
          securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [
            {
              name: 'main',
              image: 'ghcr.io/stefanprodan/podinfo:6.7.1',
              securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
              resources: { requests: { cpu: '10m', memory: '16Mi' } },
              ...container,
            },
          ],
          ...pod,
        },
      },
    },
  };
}

describe('negative controls', () => {
  beforeAll(async () => {
    const { refused } = await applyAll(cluster().client, [
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: NS, labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } },
      },
    ]);
    expect(refused).toEqual([]);
  });

  test('a compliant control rolls out (the negative cases below fail for their own reason)', async () => {
    await applyAll(cluster().client, [deployment('compliant', {})]);
    await waitForWorkloads(
      cluster().client,
      [{ kind: 'Deployment', namespace: NS, name: 'compliant', replicas: 1 }],
      60_000,
    );
  });

  test('a pod template that breaks the restricted profile: warned at apply, refused at pod creation', async () => {
    const { refused, warnings } = await applyAll(cluster().client, [
      deployment('privileged', { securityContext: { privileged: true } }),
    ]);
    expect(refused).toEqual([]);
    expect(warnings.map((w) => w.message).join('\n')).toMatch(
      /would violate PodSecurity "restricted:latest".*privileged/,
    );
    const rollout = waitForWorkloads(
      cluster().client,
      [{ kind: 'Deployment', namespace: NS, name: 'privileged', replicas: 1 }],
      15_000,
    );
    await expect(rollout).rejects.toThrow(
      /Deployment e2e-negative\/privileged: 0\/1 ready[\s\S]*FailedCreate: .*violates PodSecurity "restricted:latest": privileged/,
    );
  });

  test('an unknown field is refused by strict field validation, naming the field', async () => {
    const bad = deployment('unknown-field', { imagePullPolicyy: 'IfNotPresent' });
    const error = await cluster()
      .client.apply(bad)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KubeApiError);
    expect((error as KubeApiError).message).toMatch(
      /Deployment.*\.spec\.template\.spec\.containers\[name="main"\]\.imagePullPolicyy: field not declared in schema/,
    );
  });

  test("a request no node can meet leaves the pod Pending, and the failure names it with the scheduler's reason", async () => {
    await applyAll(cluster().client, [
      deployment('too-big', { resources: { requests: { cpu: '64', memory: '16Mi' } } }),
    ]);
    const rollout = waitForWorkloads(
      cluster().client,
      [{ kind: 'Deployment', namespace: NS, name: 'too-big', replicas: 1 }],
      15_000,
    );
    await expect(rollout).rejects.toThrow(
      /pod too-big-\S+: Pending, PodScheduled=False Unschedulable: 0\/6 nodes are available: 6 Insufficient cpu/,
    );
  });

  test('a topology spread no node can satisfy leaves the pod Pending, named', async () => {
    const spread = {
      topologySpreadConstraints: [
        {
          maxSkew: 1,
          topologyKey: 'example.com/rack',
          whenUnsatisfiable: 'DoNotSchedule',
          labelSelector: { matchLabels: { app: 'unspreadable' } },
        },
      ],
    };
    await applyAll(cluster().client, [deployment('unspreadable', {}, spread)]);
    const rollout = waitForWorkloads(
      cluster().client,
      [{ kind: 'Deployment', namespace: NS, name: 'unspreadable', replicas: 1 }],
      15_000,
    );
    await expect(rollout).rejects.toThrow(
      /pod unspreadable-\S+: Pending, PodScheduled=False Unschedulable: .*topology spread constraints/,
    );
  });
});
