import { installMocks, isSecretOutput, named, ofType, settle } from '../cloud/harness';
import { writeChartsOut } from '../cloud/fixtures';

jest.mock('@pulumi/aws', () => {
  throw new Error('@pulumi/aws was loaded by a GKE stack');
});

const recorded = installMocks((args) =>
  args.type === 'gcp:container/cluster:Cluster'
    ? { endpoint: '34.1.2.3', masterAuth: { clusterCaCertificate: 'Q0E=' } }
    : undefined,
);

import { parseStackConfig } from '../../platform/cloud/stack/config';
import { deployPlatform } from '../../platform/cloud/stack/platform-program';

const { dir } = writeChartsOut({ chat: { identities: [{ serviceAccount: 'backend', identity: 'uploads' }] } });
const UPLOADS = 'uploads@media-project.iam.gserviceaccount.com';
const platform = deployPlatform(
  parseStackConfig({
    cloud: 'gke',
    region: 'europe-west1',
    zones: ['europe-west1-b', 'europe-west1-c'],
    nodes: { machineType: 'e2-standard-2', min: 1, max: 2 },
    gke: { project: 'demo-project', autopilot: false, authorizedNetworks: ['203.0.113.7/32'] },
    addons: ['vpa', 'gateway-api'],
    domain: 'dev.example.com',
    identities: { uploads: { serviceAccount: UPLOADS } },
  }),
  { chartsDir: dir, name: 'gke-dev' },
);

beforeAll(() => settle(recorded));

describe('a GKE stack', () => {
  test('creates a GKE cluster with the configured node pool', () => {
    expect(named(recorded, 'gke-dev-pool').inputs).toMatchObject({
      nodeLocations: ['europe-west1-b', 'europe-west1-c'],
      autoscaling: { minNodeCount: 1, maxNodeCount: 2 },
      nodeConfig: { machineType: 'e2-standard-2' },
    });
  });

  test('skips the VPA chart because GKE provides VPA', () => {
    expect(platform.addons.builtIn).toEqual(['vpa']);
    expect(
      ofType(recorded, 'kubernetes:helm.sh/v3:Release').some((r) => r.inputs.chart === 'vertical-pod-autoscaler'),
    ).toBe(false);
  });

  test('does not apply the Gateway API CRDs that GKE manages', () => {
    expect(recorded.some((r) => r.name === 'gke-dev-addons-gateway-api')).toBe(false);
  });

  test('does not install metrics-server (GKE runs one)', () => {
    expect(recorded.some((r) => r.name === 'gke-dev-addons-metrics-server')).toBe(false);
  });

  test('add-ons wait for the node pool', () => {
    expect(
      named(recorded, 'gke-dev-addons-kube-prometheus-stack', 'kubernetes:helm.sh/v3:Release').dependsOn,
    ).toContain('gke-dev-pool');
  });

  test('the add-ons wait for the node pool (app stacks start once the platform stack is complete)', () => {
    const releases = ofType(recorded, 'kubernetes:helm.sh/v3:Release');
    expect(releases.length).toBeGreaterThan(0);
    releases.forEach((r) => expect([r.name, r.dependsOn]).toEqual([r.name, expect.arrayContaining(['gke-dev-pool'])]));
  });

  test('the kubeconfig output is secret', async () => {
    expect(await isSecretOutput(platform.kubeconfig!)).toBe(true);
  });

  test('Grafana is served on the stack domain', () => {
    expect(
      named(recorded, 'gke-dev-addons-kube-prometheus-stack', 'kubernetes:helm.sh/v3:Release').inputs.values.grafana
        .ingress.hosts,
    ).toEqual(['grafana.dev.example.com']);
  });

  test('lets the control plane reach the webhooks of the installed ingress-nginx and Linkerd', () => {
    expect(named(recorded, 'gke-dev-webhooks').inputs.allows).toEqual([{ protocol: 'tcp', ports: ['8443', '9443'] }]);
  });

  test('lets the app’s ServiceAccount impersonate the Google service account its identity maps to', () => {
    expect(named(recorded, 'gke-dev-chat-backend-identity').inputs).toMatchObject({
      serviceAccountId: `projects/media-project/serviceAccounts/${UPLOADS}`,
      member: 'serviceAccount:demo-project.svc.id.goog[chat/backend]',
    });
  });

  test('a Standard cluster is created when Autopilot is off', () => {
    expect(named(recorded, 'gke-dev-cluster').inputs.enableAutopilot).toBeUndefined();
    expect(named(recorded, 'gke-dev-cluster').inputs.removeDefaultNodePool).toBe(true);
  });
});
