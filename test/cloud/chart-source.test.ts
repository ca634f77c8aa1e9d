import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as k8s from '@pulumi/kubernetes';
import { installMocks, named, ofType, settle } from './harness';

const recorded = installMocks();

import { PlatformAddons } from '../../platform/cloud/platform-addons';
import { ADDONS } from '../../platform/contract';

/** The official charts at the pinned versions, beside the project (`../shared/charts`). */
const SHARED_CHARTS = join(__dirname, '..', '..', '..', 'shared', 'charts');
const RELEASE = 'kubernetes:helm.sh/v3:Release';

const provider = new k8s.Provider('test-k8s', {});
const local = new PlatformAddons('local', {
  provider,
  addons: ADDONS,
  metricsServer: 'install',
  chartSource: { localDir: SHARED_CHARTS },
});
const upstream = new PlatformAddons('upstream', { provider, addons: ['contour', 'gateway-api'] });

beforeAll(() => settle(recorded));

const releasesOf = (prefix: string) => ofType(recorded, RELEASE).filter((r) => r.name.startsWith(`${prefix}-`));

describe('chart source', () => {
  test('with a local directory, every release installs <dir>/<chart>-<version>.tgz', () => {
    expect(releasesOf('local').length).toBe(Object.keys(local.releases).length);
    releasesOf('local').forEach((r) => {
      expect(r.inputs.chart).toMatch(new RegExp(`^${SHARED_CHARTS}/[a-z0-9-]+-v?[0-9][0-9.]*\\.tgz$`));
      expect(r.inputs.repositoryOpts).toBeUndefined();
      expect(r.inputs.version).toBeUndefined();
    });
  });

  test('a local release keeps its name, namespace and values', () => {
    const kps = named(recorded, 'local-kube-prometheus-stack', RELEASE).inputs;
    expect(kps.chart).toBe(join(SHARED_CHARTS, 'kube-prometheus-stack-88.2.0.tgz'));
    expect(kps).toMatchObject({ name: 'kube-prometheus-stack', namespace: 'monitoring', atomic: true });
    expect(kps.values.crds).toBeDefined();
  });

  test('with a local directory, the Gateway API CRDs come from its manifest file', () => {
    expect(named(recorded, 'local-gateway-api').inputs.file).toBe(
      join(SHARED_CHARTS, 'gateway-api-v1.6.1-standard-install.yaml'),
    );
  });

  test('by default, releases come from the upstream repositories', () => {
    const contour = named(recorded, 'upstream-contour', RELEASE).inputs;
    expect(contour).toMatchObject({ chart: 'contour', version: '0.7.0' });
    expect(contour.repositoryOpts.repo).toMatch(/^https:\/\//);
    expect(upstream.installed).toContain('contour');
  });

  test('a missing chart archive is named in the error, with the command that fetches it', () => {
    const empty = mkdtempSync(join(tmpdir(), 'charts-'));
    expect(
      () => new PlatformAddons('missing', { provider, addons: ['contour'], chartSource: { localDir: empty } }),
    ).toThrow(
      `chartSource.localDir: ${join(empty, 'contour-0.7.0.tgz')} does not exist; fetch the pinned chart with: ` +
        `helm pull contour --repo https://projectcontour.github.io/helm-charts --version 0.7.0 -d ${empty}`,
    );
  });

  test('a missing Gateway API manifest is named in the error', () => {
    const empty = mkdtempSync(join(tmpdir(), 'charts-'));
    expect(
      () => new PlatformAddons('nogw', { provider, addons: ['gateway-api'], chartSource: { localDir: empty } }),
    ).toThrow(`chartSource.localDir: ${join(empty, 'gateway-api-v1.6.1-standard-install.yaml')} does not exist`);
  });
});
