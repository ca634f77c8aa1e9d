#!/usr/bin/env bash
# Installs the peer manifest checkers into a cache outside the repository, keyed by version, and prints their
# paths as one JSON line (read by scripts/check-peers.ts). Idempotent: a warm rerun takes well under a second.
#
#   kube-score, kubeconform: ../cluster/build-tools.sh checkers (go install at the versions of ../cluster/versions.sh)
#   checkov, kubernetes-validate (the Kubernetes JSON schemas for kubeconform): pip, into a venv
#
# Cache: $K8S_PLATFORM_CACHE, else ${XDG_CACHE_HOME:-~/.cache}/k8s-platform. Needs Go >= 1.26 and Python >= 3.9.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=versions.sh
source "$HERE/versions.sh"
# shellcheck source=../cluster/versions.sh
source "$HERE/../cluster/versions.sh"
CACHE=${K8S_PLATFORM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/k8s-platform}

stamp="kube-score $KUBE_SCORE_VERSION kubeconform $KUBECONFORM_VERSION"
if [[ ! -x $CACHE/bin/kube-score || ! -x $CACHE/bin/kubeconform || "$(cat "$CACHE/stamps/peer-go" 2>/dev/null)" != "$stamp" ]]; then
  bash "$HERE/../cluster/build-tools.sh" checkers >&2
  mkdir -p "$CACHE/stamps" && echo "$stamp" >"$CACHE/stamps/peer-go"
fi

venv=$CACHE/checkov-$CHECKOV_VERSION
want="checkov==$CHECKOV_VERSION kubernetes-validate==$KUBERNETES_VALIDATE_VERSION"
if [[ ! -x $venv/bin/checkov || "$(cat "$venv/.installed" 2>/dev/null)" != "$want" ]]; then
  command -v python3 >/dev/null || { echo "install.sh: python3 is not installed (Debian: python3-venv)" >&2; exit 1; }
  echo "== installing $want into $venv" >&2
  python3 -m venv "$venv"
  # shellcheck disable=SC2086
  "$venv/bin/pip" install --quiet --disable-pip-version-check $want >&2
  echo "$want" >"$venv/.installed"
fi

schemas=$("$venv/bin/python" -c 'import kubernetes_validate, os; print(os.path.join(os.path.dirname(kubernetes_validate.__file__), "kubernetes-json-schema"))')
printf '{"kubeScore":"%s","kubeconform":"%s","checkov":"%s","kubernetesSchemas":"%s/%s-local-strict","kubernetesVersion":"%s","cache":"%s"}\n' \
  "$CACHE/bin/kube-score" "$CACHE/bin/kubeconform" "$venv/bin/checkov" "$schemas" "$KUBERNETES_SCHEMA_VERSION" "$KUBERNETES_SCHEMA_VERSION" "$CACHE"
