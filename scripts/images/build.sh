#!/usr/bin/env bash
# Builds the container images of every image reference in charts-out/ (plus the real nodes' sandbox "pause"
# image) from the package registries only, as OCI layout tars that scripts/cluster/real-nodes.ts
# imports into each node's containerd under the exact reference the manifests name: no manifest is changed and no
# registry is contacted at run time. What each image reproduces of its upstream is in its builder's comment; what the
# stand-ins cannot prove is in the README (End-to-end tests).
#
#   scripts/images/build.sh CACHE        (build-tools.sh images)
#
# Each image is cached by version in CACHE/images/<name>.tar with a stamp (version, Go version, hash of the files
# here that make it); a warm run only checks stamps. CACHE/images/all.tar holds them all, and CACHE/images/index.tsv
# lists "reference<TAB>the tar that holds it".
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
CACHE=$1
SRC=$ROOT/../shared/images-src
OUT=$CACHE/images
mkdir -p "$OUT" "$CACHE/stamps"
# shellcheck source=oci.sh
source "$HERE/oci.sh"
# shellcheck source=versions.sh
source "$HERE/versions.sh"
# shellcheck source=../cluster/versions.sh
source "$HERE/../cluster/versions.sh"
# shellcheck source=../cluster/node-tools.sh
source "$HERE/../cluster/node-tools.sh"
export GOTOOLCHAIN=local GOFLAGS="-mod=mod -buildvcs=false" CGO_ENABLED=0
GOVER=$(go env GOVERSION)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
apt_install mmdebstrap jq

hash_of() { cat "$@" | sha256sum | cut -c1-12; }

# image NAME REF STAMP BUILDER: runs BUILDER (which writes $OUT/NAME.tar) unless the stamp matches.
image() {
  # The stamp also covers the layout code and the file that defines the image's builder.
  local name=$1 ref=$2 stamp="$3 $GOVER $(hash_of "$HERE/oci.sh" "${BASH_SOURCE[1]}")" t0=$SECONDS
  if [[ ! -f $OUT/$name.tar || "$(cat "$CACHE/stamps/image-$name" 2>/dev/null)" != "$stamp" ]]; then
    echo "== image $ref"
    "$4" "$OUT/$name.tar" "$ref"
    echo "$stamp" >"$CACHE/stamps/image-$name"
    echo "== image $ref: $((SECONDS - t0)) s"
  fi
  printf '%s\t%s\n' "$ref" "$OUT/$name.tar" >>"$OUT/index.tsv.part"
}

# users DIR "name:uid:gid:home"...: /etc/passwd and /etc/group of an image (root first, then the given users).
users() {
  local dir=$1 u name uid gid home
  mkdir -p "$dir/etc"
  printf 'root:x:0:0:root:/root:/bin/sh\n' >"$dir/etc/passwd"
  printf 'root:x:0:\n' >"$dir/etc/group"
  for u in "${@:2}"; do
    IFS=: read -r name uid gid home <<<"$u"
    printf '%s:x:%s:%s::%s:/sbin/nologin\n' "$name" "$uid" "$gid" "$home" >>"$dir/etc/passwd"
    grep -q ":$gid:" "$dir/etc/group" || printf '%s:x:%s:\n' "$name" "$gid" >>"$dir/etc/group"
  done
}

# certs DIR: the CA bundle of Debian's ca-certificates (from the Debian base layer, not this machine's, which may
# trust more) at the path Go and OpenSSL read.
certs() {
  tar -xf "$OUT/debian-base.tar" -C "$1" ./etc/ssl/certs/ca-certificates.crt
}

# go_src ARCHIVE: unpacks one of ../shared/images-src's archives; prints its directory.
go_src() {
  tar -xzf "$SRC/$1" -C "$TMP"
  echo "$TMP/${1%.tar.gz}"
}

# single_layer OUT REF DIR CONFIG: an image of one layer made of DIR.
single_layer() {
  oci_layer "$3" "$TMP/layer.tar"
  oci_image "$1" "$2" <(echo "$4") "$TMP/layer.tar"
  rm -rf "$3" "$TMP/layer.tar"
}

for f in "$HERE"/images/*.sh; do
  # shellcheck source=/dev/null
  source "$f"
done

rm -f "$OUT/index.tsv.part"
for f in "$HERE"/images/*.sh; do "image_$(basename "$f" .sh)"; done
# All images in one tar for the nodes to import (scripts/cluster/real-nodes.ts): the Debian base once, not five
# times; remade when any image's stamp changed.
all_stamp=$(cut -f2 "$OUT/index.tsv.part" | sed 's|.*/||; s|\.tar$||' | sed "s|^|$CACHE/stamps/image-|" | xargs cat | sha256sum | cut -c1-12)
if [[ ! -f $OUT/all.tar || "$(cat "$CACHE/stamps/image-all" 2>/dev/null)" != "$all_stamp" ]]; then
  echo "== one tar of every image"
  # shellcheck disable=SC2046 # one tar per line of the index
  oci_merge "$OUT/all.tar" $(cut -f2 "$OUT/index.tsv.part")
  echo "$all_stamp" >"$CACHE/stamps/image-all"
fi
cut -f1 "$OUT/index.tsv.part" | sed "s|\$|\t$OUT/all.tar|" >"$OUT/index.tsv"
rm "$OUT/index.tsv.part"
