/**
 * Pulumi entry point (`main` in Pulumi.yaml) of this repository's stacks: the platform stack (`local`, `gke-dev`,
 * `eks-dev`) and one app stack per app of charts-out/ (`local-chat`, ...), told apart by their config (an app stack
 * sets `k8s-platform:platformStack`). The exports are the stack outputs (`pulumi stack output`).
 */
import { join } from 'node:path';
import { stackProgram } from '../platform/cloud/stack';

// K8S_PLATFORM_CHARTS_DIR points the program at another charts-out/ (tests, or CI deploying a built artifact).
export = stackProgram(process.env.K8S_PLATFORM_CHARTS_DIR ?? join(__dirname, '..', 'charts-out'));
