/**
 * The public stand-in images of the reference apps (`../shared/reference-apps.md`), pinned. Every app passes
 * them as props, so a user swaps in their own image per service.
 */
import { LOCUST_IMAGE } from '../platform';

export const IMAGES = {
  /** HTTP/gRPC microservice: `/healthz`, `/readyz`, Prometheus `/metrics`; 9898 http, 9999 grpc, 9797 metrics. */
  microservice: 'ghcr.io/stefanprodan/podinfo:6.7.1',
  /** Static web front end running as non-root on 8080. */
  staticWeb: 'nginxinc/nginx-unprivileged:1.27.5',
  /** Locust load generator (`LoadGenerator` master and workers): web UI on 8089, workers on 5557, uid 1000. */
  locust: LOCUST_IMAGE,
} as const;
