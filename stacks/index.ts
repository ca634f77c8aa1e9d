/**
 * Pulumi entry point (`main` in Pulumi.yaml): reads and validates the stack config once, then runs the program
 * on this repository's charts-out/. The exports are the stack outputs (`pulumi stack output`).
 */
import { join } from 'node:path';
import { platformProgram } from './cloud';

// K8S_PLATFORM_CHARTS_DIR points the program at another charts-out/ (tests, or CI deploying a built artifact).
const outputs = platformProgram(process.env.K8S_PLATFORM_CHARTS_DIR ?? join(__dirname, '..', 'charts-out'));

/** Kubeconfig of the cluster (secret; `pulumi stack output kubeconfig --show-secrets > kubeconfig`). */
export const kubeconfig = outputs.kubeconfig;
/** External address of each ingress controller (point your DNS records here). */
export const ingressAddresses = outputs.ingressAddresses;
/** Where Grafana is served. */
export const grafanaUrl = outputs.grafanaUrl;
/** Grafana `admin` password (secret). */
export const grafanaAdminPassword = outputs.grafanaAdminPassword;
/** The apps deployed from charts-out/. */
export const apps = outputs.apps;
/** Namespace and hosts of each deployed app (point the hosts' DNS at the matching ingress address). */
export const appEndpoints = outputs.appEndpoints;
/** The add-ons installed, in dependency order. */
export const addons = outputs.addons;
/** Which cloud the stack runs on. */
export const cloud = outputs.cloud;
