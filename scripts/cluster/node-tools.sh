# What a real node of the local cluster runs, sourced by build-tools.sh (target `node`): kubelet and kube-proxy
# from the control plane's own Go module, CoreDNS from the Go module proxy, and from Debian containerd, runc, the
# CNI plugins and the kernel tools kube-proxy needs (iptables, conntrack).

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
  apt_install containerd runc containernetworking-plugins iptables conntrack
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
  link "$dir/kubelet" "$dir/kube-proxy" "$dns/coredns" "$(system_command containerd)" \
    "$(system_command containerd-shim-runc-v2)" "$(system_command ctr)" "$(system_command runc)"
}
