# rclone/rclone:<version>: the uploader of the databases' bucket backups (platform/workloads/backup-bucket.ts),
# rclone built from the Go module proxy at upstream's tag with upstream's version stamp, on the Debian base layer
# (upstream's is Alpine: the job's script needs only sh, ls, grep, sort and tail, which both have). The same binary
# is kept in CACHE/rclone-<version>/ for the backup drill's S3 stand-in (`rclone serve s3`).
rclone_build() {
  local d=$TMP/rclone work bin=$CACHE/rclone-$RCLONE_VERSION/rclone
  if [[ ! -x $bin || "$(cat "$CACHE/stamps/rclone-bin" 2>/dev/null)" != "$RCLONE_VERSION $GOVER" ]]; then
    work=$(module_copy "github.com/rclone/rclone@$RCLONE_VERSION")
    mkdir -p "$(dirname "$bin")"
    (cd "$work" && go build -trimpath -ldflags "-s -w -X github.com/rclone/rclone/fs.Version=$RCLONE_VERSION" -o "$bin" .)
    rm -rf "$work"
    echo "$RCLONE_VERSION $GOVER" >"$CACHE/stamps/rclone-bin"
  fi
  mkdir -p "$d/usr/local/bin" "$d/data"
  cp "$bin" "$d/usr/local/bin/rclone"
  debian_image "$1" "$2" "$d" "{\"WorkingDir\": \"/data\", \"Entrypoint\": [\"rclone\"], \"Env\": [\"PATH=$DEBIAN_PATH\"]}"
}
image_rclone() { image rclone "rclone/rclone:${RCLONE_VERSION#v}" "$(debian_stamp "$RCLONE_VERSION")" rclone_build; }
