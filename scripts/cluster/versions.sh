# Pinned versions of the local tools (sourced by build-tools.sh). The Pulumi engine's versions are pinned by
# ../shared/pulumi-plugins/build.sh; see docs/deploy.md for how they relate to the npm SDKs.
KUBERNETES_VERSION=v1.33.5 # must match tools/go.mod
KWOK_VERSION=v0.8.0
HELM_VERSION=v3.22.0
KUBE_SCORE_VERSION=v1.20.0
KUBECONFORM_VERSION=v0.8.0
CONTOUR_VERSION=v1.33.6 # the contour chart's appVersion (platform/cloud/versions.ts); the e2e's Gateway controller
COREDNS_VERSION=v1.12.2 # cluster DNS of the real nodes (scripts/cluster/node-tools.sh)
KUBE_ROUTER_VERSION=v2.11.1 # NetworkPolicy enforcement on the real nodes (../shared/images-src/kube-router-2.11.1.tar.gz)
KUBE_ROUTER_BUILD_DATE=2026-08-16T21:00:49-0700 # the tag's commit date, as upstream's Makefile stamps it
METRICS_SERVER_VERSION=v0.8.0 # resource metrics for the HPAs on the real nodes
