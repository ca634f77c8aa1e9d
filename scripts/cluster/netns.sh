#!/usr/bin/env bash
# netns.sh CMD [ARGS...]: runs CMD in new network and PID namespaces. The network one has only loopback, so the
# local cluster and everything talking to it (kubectl, Pulumi, the tests) reach 127.0.0.1 and nothing else: the
# Service and pod IPs the simulated cluster hands out are unroutable there. The PID one ends every process left in
# it when CMD ends, however it ends (a failed test, Ctrl-C, a crash): nothing the cluster started survives it.
set -euo pipefail
if [[ ${K8S_PLATFORM_IN_NETNS:-} == 1 ]]; then exec "$@"; fi
command -v unshare >/dev/null || { echo "netns.sh: unshare (util-linux) is required" >&2; exit 1; }
command -v ip >/dev/null || { echo "netns.sh: ip (iproute2) is required" >&2; exit 1; }
flags=(--net --pid --fork --mount-proc)
[[ $(id -u) -eq 0 ]] || flags+=(--map-root-user)
# bash stays PID 1 (CMD is its child, so CMD still gets the usual signals); when it exits the namespace is torn down.
exec unshare "${flags[@]}" -- env K8S_PLATFORM_IN_NETNS=1 bash -c 'ip link set lo up && "$@"' netns.sh "$@"
