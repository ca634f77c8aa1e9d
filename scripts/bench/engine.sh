#!/usr/bin/env bash
# engine.sh [--services N] [--out FILE]: the real engine's benchmark (npm run bench -- --cases engine). Builds (or
# reuses) the local tools, then runs scripts/bench/engine.ts against a local cluster inside an isolated network and
# PID namespace, like npm run e2e.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
bin=$(bash scripts/cluster/build-tools.sh | tail -n 1)
export PATH="$bin:$PATH"
exec bash scripts/cluster/netns.sh node node_modules/ts-node/dist/bin.js --swc scripts/bench/engine.ts "$@"
