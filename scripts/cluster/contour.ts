/**
 * Contour's controller, without Envoy, against a local cluster: it reads the platform Gateway and the routes that
 * name it and writes, in their status, which listener admitted which route and why not (`NotAllowedByListeners`,
 * `NoMatchingListenerHostname`...). That is the controller's own decision, which the API server alone cannot show.
 * Built by `build-tools.sh contour` at the contour chart's appVersion. It binds 127.0.0.1 only, on free ports, and
 * has the cluster's kubeconfig on its command line, so `stopLocalCluster` stops it with the cluster if the caller
 * did not.
 */
import { spawn } from 'node:child_process';
import { openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PLATFORM_GATEWAY } from '../../platform/contract';
import { freePort, toolsBin } from './local-cluster';
import type { ClusterState } from './local-cluster';

/** A running Contour controller. */
export interface ContourProcess {
  readonly pid: number;
  /** Its log file (in the cluster's dir). */
  readonly log: string;
  /** Stops it (SIGTERM to its process group). */
  stop(): void;
}

/**
 * Starts Contour on the cluster, serving the platform Gateway (`gateway.gatewayRef` in its config), and resolves
 * once its health endpoint answers. The cluster needs the Gateway API's standard CRDs and Contour's own.
 */
export async function startContour(state: ClusterState, timeoutMs = 60_000): Promise<ContourProcess> {
  const config = join(state.dir, 'contour.yaml');
  writeFileSync(
    config,
    `gateway:\n  gatewayRef:\n    name: ${PLATFORM_GATEWAY.name}\n    namespace: ${PLATFORM_GATEWAY.namespace}\n`,
  );
  const [xds, metrics, health, debug] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const log = join(state.dir, 'contour.log');
  const out = openSync(log, 'a');
  const child = spawn(
    join(toolsBin(), 'contour'),
    [
      'serve',
      `--kubeconfig=${state.kubeconfig}`,
      `--config-path=${config}`,
      '--disable-leader-election',
      // No Envoy connects: xDS without TLS, on loopback.
      '--insecure',
      ...['xds', 'http', 'health', 'debug-http'].flatMap((f) => [`--${f}-address=127.0.0.1`]),
      `--xds-port=${xds}`,
      `--http-port=${metrics}`,
      `--health-port=${health}`,
      `--debug-http-port=${debug}`,
      // Kinds whose CRDs the platform does not install (experimental channel or unused).
      '--disable-feature=tlsroutes',
      '--disable-feature=tcproutes',
      '--disable-feature=backendtlspolicies',
    ],
    { cwd: state.dir, detached: true, stdio: ['ignore', out, out] },
  );
  if (child.pid === undefined) throw new Error('contour: could not start (is it built? build-tools.sh contour)');
  child.unref();
  const pid = child.pid;
  const stop = () => {
    try {
      process.kill(-pid, 'SIGTERM');
    } catch {
      // already gone
    }
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(`http://127.0.0.1:${health}/healthz`)).ok) return { pid, log, stop };
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      stop();
      throw new Error(`contour did not become healthy (exit ${child.exitCode}); see ${log}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}
