# The cluster DNS relay of the real nodes (scripts/cluster/cluster-dns.ts): the CoreDNS that build-tools.sh `node`
# builds, in a single layer, run as a pod labelled like GKE's and EKS's DNS pods so that the apps' derived egress
# policies (DNS to `k8s-app: kube-dns` in kube-system) meet the cluster DNS as they do on the clouds.
COREDNS_REF=k8s-platform.local/coredns:$COREDNS_VERSION
coredns_build() {
  local bin=$CACHE/coredns-$COREDNS_VERSION/coredns d=$TMP/coredns
  [[ -x $bin ]] || { echo "images: $bin is missing; run build-tools.sh node first" >&2; exit 1; }
  mkdir -p "$d"
  cp "$bin" "$d/coredns"
  single_layer "$1" "$2" "$d" '{"User": "65532:65532", "Entrypoint": ["/coredns"]}'
}
image_coredns() { image coredns "$COREDNS_REF" "$COREDNS_VERSION $(hash_of "$CACHE/coredns-$COREDNS_VERSION/coredns")" coredns_build; }
