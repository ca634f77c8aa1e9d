# The pod sandbox image containerd's CRI plugin starts for every pod (its `sandbox_image`): a static Go program.
PAUSE_REF=k8s-platform.local/pause:1
pause_build() {
  local d=$TMP/pause
  mkdir -p "$d"
  (cd "$HERE/pause" && go build -trimpath -ldflags "-s -w" -o "$d/pause" .)
  single_layer "$1" "$2" "$d" '{"User": "65535:65535", "Entrypoint": ["/pause"]}'
}
image_pause() { image pause "$PAUSE_REF" "1 $(hash_of "$HERE/pause/main.go")" pause_build; }
