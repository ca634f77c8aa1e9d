import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as versions from '../../platform/cloud/versions';
import type { ChartRef } from '../../platform/cloud/versions';

const charts = Object.entries(versions).filter(([name]) => name.endsWith('_CHART')) as Array<[string, ChartRef]>;
const source = readFileSync(join(__dirname, '../../platform/cloud/versions.ts'), 'utf8');

describe('pinned versions', () => {
  test.each(charts)('%s pins an exact chart version from an https repository', (_name, chart) => {
    expect(chart.version).toMatch(/^v?\d+\.\d+\.\d+$/);
    expect(chart.repo).toMatch(/^https:\/\//);
  });

  test.each(charts.map(([name]) => name))(
    '%s is documented with the upstream release it was checked against',
    (name) => {
      const declaration = source.indexOf(`export const ${name}`);
      const comment = source.slice(source.lastIndexOf('/**', declaration), declaration);
      expect(comment).toMatch(/\d+\.\d+/);
    },
  );

  test('no Bitnami chart is used', () => {
    charts.forEach(([, chart]) => expect(chart.repo).not.toMatch(/bitnami/));
  });

  test('the Linkerd charts share one edge release', () => {
    const linkerd = charts.filter(([name]) => name.startsWith('LINKERD_')).map(([, c]) => c.version);
    expect(new Set(linkerd).size).toBe(1);
  });

  test('the Gateway API manifest URL carries its pinned version', () => {
    expect(versions.GATEWAY_API.url).toContain(`/download/${versions.GATEWAY_API.version}/standard-install.yaml`);
  });
});

describe('pins that CI can test', () => {
  const shared = join(__dirname, '../../../shared/charts');

  test.each(charts)('%s is in ../shared/charts at exactly the pinned version', (_name, chart) => {
    expect(existsSync(join(shared, `${chart.chart}-${chart.version}.tgz`))).toBe(true);
  });

  test('the Gateway API manifest is in ../shared/charts at the pinned version', () => {
    expect(existsSync(join(shared, `gateway-api-${versions.GATEWAY_API.version}-standard-install.yaml`))).toBe(true);
  });
});
