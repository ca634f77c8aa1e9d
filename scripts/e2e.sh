#!/usr/bin/env bash
# npm run e2e [-- jest args]: builds (or reuses) the local tools, then runs the e2e suite against local control
# planes inside an isolated network and PID namespace (scripts/cluster/netns.sh).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/cluster/build-tools.sh >&2
# The runtime suite's real nodes and images (cold: about 4 min of Go for kubelet and kube-proxy with the control
# plane's Go cache warm, and the images' build; warm: seconds).
bin=$(bash scripts/cluster/build-tools.sh node images | tail -n 1)
export PATH="$bin:$PATH"
# Every suite: the real-node suite and the others as two groups at once, each in its own namespaces
# (scripts/e2e/groups.js). A test path given, or E2E_SERIAL=1: one Jest, one suite after another.
for arg in "$@"; do [[ $arg == -* ]] || E2E_SERIAL=1; done
if [[ ${E2E_SERIAL:-} == 1 ]]; then exec bash scripts/cluster/netns.sh npx jest -c jest.e2e.config.js "$@"; fi
exec node scripts/e2e/groups.js "$@"
