# What a real node of the local cluster runs, sourced by build-tools.sh (target `node`): kubelet and kube-proxy
# from the control plane's own Go module; CoreDNS and metrics-server (the HPAs' resource metrics) from the Go module
# proxy; kube-router's NetworkPolicy controller from its release source in ../shared/images-src (the proxy refuses
# its module); and from Debian containerd, runc, the CNI plugins and the kernel tools kube-proxy and kube-router
# need (iptables, conntrack, ipset).

# apt_install PKG...: installs the Debian packages that are missing (an `apt-get update` only when needed).
apt_install() {
  local missing=() p
  for p in "$@"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p"); done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  command -v apt-get >/dev/null || { echo "build-tools: install the Debian packages ${missing[*]}" >&2; exit 1; }
  echo "== installing ${missing[*]} from Debian"
  apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq "${missing[@]}"; }
}

# module_copy MODULE@VERSION: prints a writable copy of a module's source from the Go module proxy (a temp dir the
# caller removes). `go install M@V` would read the module's version list, which the proxy refuses for some modules.
module_copy() {
  local src work
  src=$(go mod download -json "$1" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
  [[ -n $src ]] || { echo "build-tools: the Go module proxy did not serve $1" >&2; exit 1; }
  work=$(mktemp -d)
  cp -r "$src/." "$work"
  chmod -R u+w "$work"
  echo "$work"
}

build_node() {
  apt_install containerd runc containernetworking-plugins iptables conntrack ipset
  local dir=$CACHE/k8s-$KUBERNETES_VERSION
  local stamp="$KUBERNETES_VERSION $GOVER $(hash_of "$HERE/tools/go.mod" "$HERE/tools/go.sum")"
  if ! up_to_date node "$stamp" "$dir/kubelet" "$dir/kube-proxy"; then
    k8s_cmds "$dir" kubelet kube-proxy
    built node "$stamp"
  fi
  local dns=$CACHE/coredns-$COREDNS_VERSION
  if ! up_to_date coredns "$COREDNS_VERSION $GOVER" "$dns/coredns"; then
    local work
    work=$(module_copy "github.com/coredns/coredns@$COREDNS_VERSION")
    mkdir -p "$dns"
    (cd "$work" && go build -trimpath -ldflags "-s -w" -o "$dns/coredns" .)
    rm -rf "$work"
    built coredns "$COREDNS_VERSION $GOVER"
  fi
  build_kube_router
  build_metrics_server
  link "$dir/kubelet" "$dir/kube-proxy" "$dns/coredns" "$CACHE/kube-router-$KUBE_ROUTER_VERSION/kube-router" \
    "$CACHE/metrics-server-$METRICS_SERVER_VERSION/metrics-server" \
    "$(system_command containerd)" \
    "$(system_command containerd-shim-runc-v2)" "$(system_command ctr)" "$(system_command runc)"
}

# kube-router (NetworkPolicy enforcement only: iptables + ipset) from ../shared/images-src/kube-router-<v>.tar.gz.
# One dependency's pinned pseudo-version is refused by the Go module proxy; v1.3.1 (the one kube-router v2.9 used)
# is served, and the bump only touched policy routing, which the firewall does not use (images-src/README.md).
build_kube_router() {
  local v=$KUBE_ROUTER_VERSION dir=$CACHE/kube-router-$KUBE_ROUTER_VERSION
  local src=$ROOT/../shared/images-src/kube-router-${v#v}.tar.gz
  [[ -f $src ]] || { echo "build-tools: $src is missing (../shared beside the repo)" >&2; exit 1; }
  local stamp="$v $GOVER $(hash_of "$src")"
  up_to_date kube-router "$stamp" "$dir/kube-router" && return 0
  local work pkg=github.com/cloudnativelabs/kube-router/v2/pkg/version
  work=$(mktemp -d)
  tar -xzf "$src" -C "$work"
  mkdir -p "$dir"
  (cd "$work/kube-router-${v#v}" &&
    go mod edit -replace github.com/vishvananda/netlink=github.com/vishvananda/netlink@v1.3.1 &&
    go build -trimpath -ldflags "-s -w -X $pkg.Version=$v -X $pkg.BuildDate=$KUBE_ROUTER_BUILD_DATE" \
      -o "$dir/kube-router" ./cmd/kube-router)
  rm -rf "$work"
  built kube-router "$stamp"
}

# metrics-server (the resource metrics API the HPAs read) from the Go module proxy, with upstream's version ldflags.
build_metrics_server() {
  local v=$METRICS_SERVER_VERSION dir=$CACHE/metrics-server-$METRICS_SERVER_VERSION
  up_to_date metrics-server "$v $GOVER" "$dir/metrics-server" && return 0
  local work pkg=sigs.k8s.io/metrics-server/pkg/version
  work=$(module_copy "sigs.k8s.io/metrics-server@$v")
  mkdir -p "$dir"
  (cd "$work" && go build -trimpath -ldflags "-s -w -X $pkg.gitVersion=$v" -o "$dir/metrics-server" ./cmd/metrics-server)
  rm -rf "$work"
  built metrics-server "$v $GOVER"
}
