import type * as k8s from '@pulumi/kubernetes';
import type * as pulumi from '@pulumi/pulumi';
import { PROMETHEUS_ADAPTER_CHART } from '../versions';
import type { AddonInstaller } from './installer';
import { RELEASE_NAMES, RELEASE_NAMESPACES } from './names';

/** One prometheus-adapter discovery rule (the adapter's own configuration schema). */
export interface PrometheusAdapterRule {
  readonly seriesQuery: string;
  readonly resources: { readonly overrides: Readonly<Record<string, { readonly resource: string }>> };
  readonly name: { readonly matches: string; readonly as: string };
  readonly metricsQuery: string;
}

/** The prometheus-adapter chart values the platform sets. */
export interface PrometheusAdapterValues {
  readonly prometheus: { readonly url: string; readonly port: number };
  readonly rules: { readonly default: boolean; readonly custom: readonly PrometheusAdapterRule[] };
}

/**
 * Values of prometheus-adapter: every `<name>_total` counter with pod and namespace labels (podinfo's
 * `http_requests_total` among them) is served as `<name>_per_second` on `custom.metrics.k8s.io`, so an HPA can
 * target `http_requests_per_second`.
 */
export function prometheusAdapterValues(): PrometheusAdapterValues {
  return {
    prometheus: {
      url: `http://${RELEASE_NAMES.prometheus}-prometheus.${RELEASE_NAMESPACES.monitoring}.svc`,
      port: 9090,
    },
    rules: {
      default: false,
      custom: [
        {
          seriesQuery: '{__name__=~"^.*_total$",namespace!="",pod!=""}',
          resources: { overrides: { namespace: { resource: 'namespace' }, pod: { resource: 'pod' } } },
          name: { matches: '^(.*)_total$', as: '${1}_per_second' },
          metricsQuery: 'sum(rate(<<.Series>>{<<.LabelMatchers>>}[2m])) by (<<.GroupBy>>)',
        },
      ],
    },
  };
}

/** Installs prometheus-adapter from its pinned chart. */
export function installPrometheusAdapter(
  installer: AddonInstaller,
  dependsOn: readonly pulumi.Resource[],
): k8s.helm.v3.Release {
  return installer.release(
    {
      name: RELEASE_NAMES.prometheusAdapter,
      chart: PROMETHEUS_ADAPTER_CHART,
      namespace: RELEASE_NAMESPACES.monitoring,
      values: prometheusAdapterValues(),
    },
    dependsOn,
  );
}
