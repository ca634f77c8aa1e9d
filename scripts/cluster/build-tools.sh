#!/usr/bin/env bash
# Builds the local control plane, the Pulumi engine and the manifest checkers from the package registries
# into a cache outside the repository, keyed by version, and links them into "$CACHE/bin".
# Idempotent: a tool whose stamp (version, Go version, hash of its inputs) matches is skipped.
#
#   scripts/cluster/build-tools.sh [k8s] [kwok] [helm] [pulumi] [checkers] [contour] [etcd] [node] [images]
#
# Default: all but `node` and `images`, which only the runtime e2e suite needs (scripts/e2e.sh asks for them):
# `node` is a real node's kubelet, kube-proxy and CoreDNS (Go) plus containerd, runc and the CNI plugins (Debian);
# `images` is the reference apps' images (scripts/images/build.sh).
#
# Cache: $K8S_PLATFORM_CACHE, else ${XDG_CACHE_HOME:-~/.cache}/k8s-platform. Go's own module and build caches
# (go env GOMODCACHE GOCACHE) are kept too, so a warm rerun takes seconds.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# shellcheck source=versions.sh
source "$HERE/versions.sh"
CACHE=${K8S_PLATFORM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/k8s-platform}
BIN=$CACHE/bin
mkdir -p "$BIN" "$CACHE/stamps"

command -v go >/dev/null || {
  echo "build-tools: Go is not installed; install Go >= 1.26 (e.g. 'apt-get install golang-go' or from go.dev) and rerun" >&2
  exit 1
}
export GOTOOLCHAIN=local GOFLAGS="-mod=mod -buildvcs=false" CGO_ENABLED=0
GOVER=$(go env GOVERSION)

# up_to_date NAME STAMP: true when NAME was built with STAMP and its binaries are all present
up_to_date() {
  local name=$1 want=$2 f
  [[ -f $CACHE/stamps/$name && "$(cat "$CACHE/stamps/$name")" == "$want" ]] || return 1
  for f in "${@:3}"; do [[ -x $f ]] || return 1; done
}
built() { echo "$2" >"$CACHE/stamps/$1"; }
link() { local f; for f in "$@"; do ln -sf "$f" "$BIN/$(basename "$f")"; done; }
timed() { local t0=$SECONDS; "$@"; echo "== $1: $((SECONDS - t0)) s"; }
hash_of() { cat "$@" | sha256sum | cut -c1-12; }

# k8s_cmds DIR CMD...: builds k8s.io/kubernetes/cmd/CMD from the control plane's module (tools/go.mod), with
# upstream's version ldflags, into DIR.
k8s_cmds() {
  local dir=$1 cmd v=k8s.io/component-base/version minor=${KUBERNETES_VERSION#v1.}
  minor=${minor%%.*}
  local ldflags="-s -w -X $v.gitVersion=$KUBERNETES_VERSION -X $v.gitMajor=1 -X $v.gitMinor=$minor -X $v.gitTreeState=clean"
  mkdir -p "$dir"
  for cmd in "${@:2}"; do
    echo "== building $cmd $KUBERNETES_VERSION (the first build takes 10-15 min on 2 cores)"
    (cd "$HERE/tools" && go build -trimpath -ldflags "$ldflags" -o "$dir/$cmd" "k8s.io/kubernetes/cmd/$cmd")
  done
}

build_k8s() {
  local dir=$CACHE/k8s-$KUBERNETES_VERSION
  local stamp="$KUBERNETES_VERSION $GOVER $(hash_of "$HERE/tools/go.mod" "$HERE/tools/go.sum")"
  local bins=("$dir/kube-apiserver" "$dir/kube-controller-manager" "$dir/kube-scheduler")
  if ! up_to_date k8s "$stamp" "${bins[@]}"; then
    k8s_cmds "$dir" kube-apiserver kube-controller-manager kube-scheduler
    built k8s "$stamp"
  fi
  link "${bins[@]}"
}

build_kwok() {
  local dir=$CACHE/kwok-$KWOK_VERSION stamp="$KWOK_VERSION $GOVER"
  if ! up_to_date kwok "$stamp" "$dir/kwok"; then
    mkdir -p "$dir"
    GOBIN=$dir go install "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"
    built kwok "$stamp"
  fi
  # kwok has no built-in stages: join the ones kwokctl uses, from the same module
  local src
  src=$(GOFLAGS=-mod=mod go mod download -json "sigs.k8s.io/kwok@$KWOK_VERSION" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
  local st=$src/kustomize/stage
  for f in node/fast/node-initialize.yaml node/heartbeat-with-lease/node-heartbeat-with-lease.yaml \
    pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml; do
    cat "$st/$f"
    echo "---"
  done >"$dir/stages.yaml"
  link "$dir/kwok" "$dir/stages.yaml"
}

# Contour's controller alone (no Envoy): the e2e runs it against a kwok cluster to see which routes the platform
# Gateway's listeners admit, in Contour's own words (the routes' status). Go: ~3 min cold.
build_contour() {
  local dir=$CACHE/contour-$CONTOUR_VERSION stamp="$CONTOUR_VERSION $GOVER"
  if ! up_to_date contour "$stamp" "$dir/contour"; then
    mkdir -p "$dir"
    GOBIN=$dir go install -trimpath -ldflags "-s -w" "github.com/projectcontour/contour/cmd/contour@$CONTOUR_VERSION"
    built contour "$stamp"
  fi
  link "$dir/contour"
}

build_helm() {
  local dir=$CACHE/helm-$HELM_VERSION stamp="$HELM_VERSION $GOVER" minor=${KUBERNETES_VERSION#v1.}
  minor=${minor%%.*}
  if ! up_to_date helm "$stamp" "$dir/helm"; then
    mkdir -p "$dir"
    # upstream's Makefile sets the Kubernetes version Helm assumes for .Capabilities; without it, 1.20
    local p=helm.sh/helm/v3/pkg
    GOBIN=$dir go install -trimpath -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION \
      -X $p/chartutil.k8sVersionMajor=1 -X $p/chartutil.k8sVersionMinor=$minor \
      -X $p/lint/rules.k8sVersionMajor=1 -X $p/lint/rules.k8sVersionMinor=$minor" \
      "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
    built helm "$stamp"
  fi
  link "$dir/helm"
}

build_pulumi() {
  local kit=$ROOT/../shared/pulumi-plugins
  [[ -x $kit/build.sh || -f $kit/build.sh ]] || { echo "build-tools: $kit/build.sh is missing (../shared beside the repo)" >&2; exit 1; }
  bash "$kit/build.sh" "$CACHE/pulumi"
  link "$CACHE/pulumi"/pulumi "$CACHE/pulumi"/pulumi-language-nodejs "$CACHE/pulumi"/pulumi-resource-*
}

build_checkers() {
  local dir=$CACHE/checkers stamp="$KUBE_SCORE_VERSION $KUBECONFORM_VERSION $GOVER"
  if ! up_to_date checkers "$stamp" "$dir/kube-score" "$dir/kubeconform"; then
    mkdir -p "$dir"
    GOBIN=$dir go install "github.com/zegl/kube-score/cmd/kube-score@$KUBE_SCORE_VERSION"
    GOBIN=$dir go install "github.com/yannh/kubeconform/cmd/kubeconform@$KUBECONFORM_VERSION"
    built checkers "$stamp"
  fi
  link "$dir/kube-score" "$dir/kubeconform"
}

# system_command NAME: the system's NAME, looked up without $BIN on the PATH (CI puts it there): the link made in
# $BIN last time must not become its own target.
system_command() {
  local path
  path=$(tr ':' '\n' <<<"$PATH" | grep -vxF "$BIN" | paste -sd: -)
  PATH=$path command -v "$1"
}

install_etcd() {
  local etcd
  etcd=$(system_command etcd || true)
  if [[ -z $etcd ]]; then
    command -v apt-get >/dev/null || { echo "build-tools: install etcd 3.4+ (Debian: etcd-server)" >&2; exit 1; }
    echo "== installing etcd-server from Debian"
    (apt-get install -y -qq etcd-server >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq etcd-server; })
    etcd=$(system_command etcd)
  fi
  link "$etcd"
}

# shellcheck source=node-tools.sh
source "$HERE/node-tools.sh"
build_images() { bash "$ROOT/scripts/images/build.sh" "$CACHE"; }

targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(etcd helm checkers kwok contour k8s pulumi)
for t in "${targets[@]}"; do
  case $t in
    k8s | kwok | helm | pulumi | checkers | contour | node) timed "build_$t" ;;
    images) timed build_images ;;
    etcd) install_etcd ;;
    *) echo "build-tools: unknown target '$t' (k8s kwok helm pulumi checkers contour etcd node images)" >&2; exit 2 ;;
  esac
done
echo "$BIN"
