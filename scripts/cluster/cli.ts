/**
 * `cluster:up` / `cluster:down` / `cluster:status`: a local cluster that outlives the command, to poke at. Run it
 * through `scripts/cluster/dev.sh`, which keeps it in a named network namespace (`k8s-platform`).
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readClusterState, startLocalCluster, stopLocalCluster, toolsBin } from './local-cluster';

const pointer = join(dirname(toolsBin()), 'dev-cluster');

async function main(command: string | undefined): Promise<void> {
  const running = existsSync(pointer) ? readFileSync(pointer, 'utf8').trim() : undefined;
  switch (command) {
    case 'up': {
      if (running && existsSync(join(running, 'cluster.json'))) {
        process.stdout.write(`already running: KUBECONFIG=${join(running, 'kubeconfig')}\n`);
        return;
      }
      const state = await startLocalCluster();
      writeFileSync(pointer, `${state.dir}\n`);
      process.stdout.write(
        `KUBECONFIG=${state.kubeconfig}\nkubectl: bash scripts/cluster/dev.sh kubectl get nodes\nstop: npm run cluster:down\n`,
      );
      return;
    }
    case 'down':
      if (!running || !existsSync(join(running, 'cluster.json'))) {
        process.stdout.write('no local cluster is running\n');
      } else {
        stopLocalCluster(readClusterState(running));
        process.stdout.write(`stopped the cluster in ${running}\n`);
      }
      rmSync(pointer, { force: true });
      return;
    case 'kubeconfig':
      if (!running) throw new Error('no local cluster is running: npm run cluster:up');
      process.stdout.write(`${join(running, 'kubeconfig')}\n`);
      return;
    default:
      throw new Error('usage: cli.ts up|down|kubeconfig');
  }
}

main(process.argv[2]).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
