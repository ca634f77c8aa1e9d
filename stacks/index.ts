/**
 * Pulumi entry point (`main` in Pulumi.yaml): reads and validates the stack config once, then runs the program.
 * The exports are the stack outputs (`pulumi stack output`).
 */
import { join } from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { parseStackConfig, readRawConfig } from './config';
import { deployPlatform } from './program';

const config = parseStackConfig(readRawConfig(new pulumi.Config(), new pulumi.Config('aws'), new pulumi.Config('gcp')));
// K8S_PLATFORM_CHARTS_DIR points the program at another charts-out/ (tests, or CI deploying a built artifact).
const chartsDir = process.env.K8S_PLATFORM_CHARTS_DIR ?? join(__dirname, '..', 'charts-out');
const platform = deployPlatform(config, { chartsDir });

/** Kubeconfig of the cluster (secret; `pulumi stack output kubeconfig --show-secrets > kubeconfig`). */
export const kubeconfig = platform.kubeconfig;
/** External address of each ingress controller (point your DNS records here). */
export const ingressAddresses = platform.ingressAddresses;
/** Where Grafana is served. */
export const grafanaUrl = platform.grafanaUrl;
/** Grafana `admin` password (secret). */
export const grafanaAdminPassword = platform.grafanaAdminPassword;
/** The apps deployed from charts-out/. */
export const apps = platform.apps;
/** Namespace and hosts of each deployed app (point the hosts' DNS at the matching ingress address). */
export const appEndpoints = platform.appEndpoints;
/** The add-ons installed, in dependency order. */
export const addons = platform.installedAddons;
/** Which cloud the stack runs on. */
export const cloud = config.cloud;
