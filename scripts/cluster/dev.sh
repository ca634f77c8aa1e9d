#!/usr/bin/env bash
# dev.sh up|down|kubectl ARGS|shell: a local cluster to poke at, kept in the named network namespace
# "k8s-platform" (only loopback inside; needs root for `ip netns`). Use `dev.sh kubectl ...` or `dev.sh shell`
# to reach it: from outside that namespace its 127.0.0.1 is not yours.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
NS=k8s-platform
in_ns() { ip netns exec "$NS" env K8S_PLATFORM_IN_NETNS=1 "$@"; }
cli() { in_ns node -r ts-node/register/transpile-only scripts/cluster/cli.ts "$@"; }
case ${1:-} in
  up)
    bash scripts/cluster/build-tools.sh etcd k8s kwok >/dev/null
    ip netns list | grep -qw "$NS" || ip netns add "$NS"
    ip netns exec "$NS" ip link set lo up
    cli up
    ;;
  down)
    if ip netns list | grep -qw "$NS"; then cli down; ip netns del "$NS"; else echo "no local cluster is running"; fi
    ;;
  kubectl) shift; in_ns kubectl --kubeconfig "$(cli kubeconfig)" "$@" ;;
  shell) KUBECONFIG=$(cli kubeconfig) in_ns bash ;;
  *) echo "usage: $0 up|down|kubectl ARGS|shell" >&2; exit 2 ;;
esac
