import type * as k8s from '@pulumi/kubernetes';
import { METRICS_SERVER_CHART } from '../versions';
import type { AddonInstaller } from './installer';
import { RELEASE_NAMES, RELEASE_NAMESPACES } from './names';

/** Whether and how to install metrics-server (the resource metrics API behind CPU/memory HPAs). */
export type MetricsServerMode = 'none' | 'install' | 'install-insecure-kubelet-tls';

/** The metrics-server chart values the platform sets. */
export interface MetricsServerValues {
  /** Extra command-line flags of metrics-server. */
  readonly args: readonly string[];
}

/** Values of metrics-server: kind and minikube kubelets serve self-signed certificates. */
export function metricsServerValues(mode: Exclude<MetricsServerMode, 'none'>): MetricsServerValues {
  return { args: mode === 'install-insecure-kubelet-tls' ? ['--kubelet-insecure-tls'] : [] };
}

/** Installs metrics-server unless `mode` is `none`. */
export function installMetricsServer(
  installer: AddonInstaller,
  mode: MetricsServerMode,
): k8s.helm.v3.Release | undefined {
  if (mode === 'none') return undefined;
  return installer.release(
    {
      name: RELEASE_NAMES.metricsServer,
      chart: METRICS_SERVER_CHART,
      namespace: RELEASE_NAMESPACES.metricsServer,
      values: metricsServerValues(mode),
    },
    [],
  );
}
