import type * as k8s from '@pulumi/kubernetes';
import type * as pulumi from '@pulumi/pulumi';
import { TEMPO_OTLP } from '../../contract';
import { TEMPO_CHART } from '../versions';
import type { AddonInstaller } from './installer';
import { RELEASE_NAMES, RELEASE_NAMESPACES } from './names';

/** An OTLP receiver endpoint (`host:port`). */
interface Endpoint {
  readonly endpoint: string;
}

/** The Tempo chart values the platform sets. */
export interface TempoValues {
  readonly tempo: {
    readonly reportingEnabled: boolean;
    readonly receivers: { readonly otlp: { readonly protocols: { readonly grpc: Endpoint; readonly http: Endpoint } } };
  };
}

/** Values of Tempo: the receivers traced workloads export to (platform/contract.ts), explicit rather than defaults. */
export function tempoValues(): TempoValues {
  return {
    tempo: {
      reportingEnabled: false,
      receivers: {
        otlp: {
          protocols: {
            grpc: { endpoint: `0.0.0.0:${TEMPO_OTLP.ports.grpc}` },
            http: { endpoint: `0.0.0.0:${TEMPO_OTLP.ports['http/protobuf']}` },
          },
        },
      },
    },
  };
}

/** Installs Tempo (single binary) under the Service name traced workloads export to. */
export function installTempo(installer: AddonInstaller, dependsOn: readonly pulumi.Resource[]): k8s.helm.v3.Release {
  return installer.release(
    { name: RELEASE_NAMES.tempo, chart: TEMPO_CHART, namespace: RELEASE_NAMESPACES.monitoring, values: tempoValues() },
    dependsOn,
  );
}
