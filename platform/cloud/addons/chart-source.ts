import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ChartRef } from '../versions';
import { GATEWAY_API } from '../versions';

/**
 * Where the add-ons' charts come from. Without `localDir`, each release pulls its pinned chart from the upstream
 * repository in {@link ChartRef}; with it, from `<localDir>/<chart>-<version>.tgz` (the layout of
 * `../shared/charts` and of `helm pull --version`), and the Gateway API CRDs from
 * `<localDir>/gateway-api-<version>-standard-install.yaml`. Releases and values are the same either way.
 */
export interface ChartSource {
  /** Absolute directory of pinned chart archives; absent means the upstream repositories. */
  readonly localDir?: string;
}

/** The Helm release fields that say where a chart comes from. */
export interface ChartOrigin {
  /** Chart name (upstream) or path of the local archive. */
  readonly chart: string;
  /** Exact version (upstream only: a local archive is one version). */
  readonly version?: string;
  /** Repository (upstream only). */
  readonly repositoryOpts?: { readonly repo: string };
}

function requireFile(path: string, fix: string): string {
  if (!existsSync(path)) {
    throw new Error(`chartSource.localDir: ${path} does not exist; ${fix}`);
  }
  return path;
}

/** File name of a pinned chart's archive in a local chart directory. */
export function chartArchiveName(chart: ChartRef): string {
  return `${chart.chart}-${chart.version}.tgz`;
}

/** Where a release gets `chart` from; throws, naming the missing file and how to get it, if a local one is absent. */
export function chartOrigin(source: ChartSource, chart: ChartRef): ChartOrigin {
  if (source.localDir === undefined) {
    return { chart: chart.chart, version: chart.version, repositoryOpts: { repo: chart.repo } };
  }
  const path = join(source.localDir, chartArchiveName(chart));
  return {
    chart: requireFile(
      path,
      `fetch the pinned chart with: helm pull ${chart.chart} --repo ${chart.repo} --version ${chart.version} ` +
        `-d ${source.localDir}`,
    ),
  };
}

/** File name of the pinned Gateway API manifest in a local chart directory. */
export const GATEWAY_API_FILE = `gateway-api-${GATEWAY_API.version}-standard-install.yaml`;

/** Where the Gateway API CRDs manifest comes from (URL or local file). */
export function gatewayApiManifest(source: ChartSource): string {
  if (source.localDir === undefined) return GATEWAY_API.url;
  const path = join(source.localDir, GATEWAY_API_FILE);
  return requireFile(path, `download it with: curl -fsSLo ${path} ${GATEWAY_API.url}`);
}
