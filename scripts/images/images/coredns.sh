# Cluster DNS of the real nodes: CoreDNS (build-tools.sh node builds the binary), laid out like upstream's image
# (distroless: /coredns as the entrypoint, user nonroot 65532).
COREDNS_REF=k8s-platform.local/coredns:$COREDNS_VERSION
coredns_build() {
  local d=$TMP/coredns
  mkdir -p "$d"
  cp "$CACHE/coredns-$COREDNS_VERSION/coredns" "$d/coredns"
  users "$d" nonroot:65532:65532:/home/nonroot
  single_layer "$1" "$2" "$d" '{"User": "65532:65532", "Entrypoint": ["/coredns"], "ExposedPorts": {"53/tcp": {}, "53/udp": {}}}'
}
image_coredns() { image coredns "$COREDNS_REF" "$COREDNS_VERSION" coredns_build; }
