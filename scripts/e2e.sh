#!/usr/bin/env bash
# npm run e2e [-- jest args]: builds (or reuses) the local tools, then runs the e2e suite against local control
# planes inside an isolated network and PID namespace (scripts/cluster/netns.sh).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bin=$(bash scripts/cluster/build-tools.sh | tail -n 1)
export PATH="$bin:$PATH"
exec bash scripts/cluster/netns.sh npx jest -c jest.e2e.config.js "$@"
