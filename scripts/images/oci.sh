# OCI image layouts without a registry or a container engine, sourced by build.sh.
#
#   oci_layer DIR OUT.tar      a layer tar of DIR's contents (owners as they are in DIR, deterministic order and times)
#   oci_image OUT.tar REF CONFIG.json LAYER.tar...
#                              an OCI image layout, packed as one tar, whose index names REF in its normalized form
#                              (`postgres:16.4` is `docker.io/library/postgres:16.4`, the name the kubelet asks
#                              containerd for): `ctr -n k8s.io images import OUT.tar` stores it under that name.
#                              CONFIG.json is the image's "config" object (User, Env, Entrypoint, Cmd, ...).
#                              Layers are uncompressed.

# normalized_ref REF: REF as a full reference (registry and, on Docker Hub, the `library/` of official images).
normalized_ref() {
  local ref=$1 first=${1%%/*}
  if [[ $ref != */* ]]; then
    echo "docker.io/library/$ref"
  elif [[ $first != *.* && $first != *:* && $first != localhost ]]; then
    echo "docker.io/$ref"
  else
    echo "$ref"
  fi
}

oci_layer() {
  tar --sort=name --mtime=@0 --numeric-owner --xattrs -C "$1" -cf "$2" .
}

# oci_blob LAYOUT FILE: moves FILE into LAYOUT's blobs by its digest; prints "sha256:<hex> <size>".
oci_blob() {
  local hex size
  hex=$(sha256sum "$2" | cut -d' ' -f1)
  size=$(stat -c %s "$2")
  if [[ -f $1/blobs/sha256/$hex ]]; then rm -f "$2"; else mv "$2" "$1/blobs/sha256/$hex"; fi
  echo "sha256:$hex $size"
}

oci_image() {
  local out=$1 ref=$2 config=$3 layout layer d s diffs='[]' layers='[]' cfg
  layout=$(mktemp -d)
  mkdir -p "$layout/blobs/sha256"
  for layer in "${@:4}"; do
    cp "$layer" "$layout/layer.tar"
    read -r d s < <(oci_blob "$layout" "$layout/layer.tar")
    diffs=$(jq -c --arg d "$d" '. + [$d]' <<<"$diffs")
    layers=$(jq -c --arg d "$d" --argjson s "$s" \
      '. + [{mediaType: "application/vnd.oci.image.layer.v1.tar", digest: $d, size: $s}]' <<<"$layers")
  done
  jq -c --argjson diffs "$diffs" '{architecture: "amd64", os: "linux", config: ., rootfs: {type: "layers", diff_ids: $diffs}}' \
    "$config" >"$layout/config.json"
  read -r cfg s < <(oci_blob "$layout" "$layout/config.json")
  jq -n -c --arg c "$cfg" --argjson s "$s" --argjson layers "$layers" \
    '{schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $c, size: $s}, layers: $layers}' \
    >"$layout/manifest.json"
  read -r d s < <(oci_blob "$layout" "$layout/manifest.json")
  jq -n -c --arg d "$d" --argjson s "$s" --arg ref "$(normalized_ref "$ref")" \
    '{schemaVersion: 2, manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $d, size: $s,
      annotations: {"org.opencontainers.image.ref.name": $ref}}]}' >"$layout/index.json"
  echo '{"imageLayoutVersion": "1.0.0"}' >"$layout/oci-layout"
  tar --sort=name --mtime=@0 --numeric-owner -C "$layout" -cf "$out.part" oci-layout index.json blobs
  mv "$out.part" "$out"
  rm -rf "$layout"
}

# oci_merge OUT.tar IMAGE.tar...: one layout holding every image (each blob once, so a shared base layer is read
# once by `ctr images import`), its index naming each image as its own tar did.
oci_merge() {
  local out=$1 layout f manifests='[]'
  layout=$(mktemp -d)
  for f in "${@:2}"; do
    tar -xf "$f" -C "$layout" blobs
    manifests=$(tar -xOf "$f" index.json | jq -c --argjson m "$manifests" '$m + .manifests')
  done
  jq -n -c --argjson m "$manifests" '{schemaVersion: 2, manifests: $m}' >"$layout/index.json"
  echo '{"imageLayoutVersion": "1.0.0"}' >"$layout/oci-layout"
  tar --sort=name --mtime=@0 --numeric-owner -C "$layout" -cf "$out.part" oci-layout index.json blobs
  mv "$out.part" "$out"
  rm -rf "$layout"
}
