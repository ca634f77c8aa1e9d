# ghcr.io/stefanprodan/podinfo: upstream's source at the tag (../shared/images-src), upstream's ldflags; the
# image's layout: /home/app/podinfo run from /home/app (the UI template is read from ./ui on each request),
# podcli in /usr/local/bin, user app (Alpine's system ids 100:101). Not reproduced: Alpine itself (sh, curl, nc).
podinfo_build() {
  local src d=$TMP/podinfo
  src=$(go_src "podinfo-$PODINFO_VERSION.tar.gz")
  mkdir -p "$d/home/app/ui" "$d/usr/local/bin"
  local ld="-s -w -X github.com/stefanprodan/podinfo/pkg/version.REVISION=$PODINFO_COMMIT"
  (cd "$src" && go build -trimpath -ldflags "$ld" -o "$d/home/app/podinfo" ./cmd/podinfo &&
    go build -trimpath -ldflags "$ld" -o "$d/usr/local/bin/podcli" ./cmd/podcli)
  cp "$src/ui/vue.html" "$d/home/app/ui/"
  chmod -R a+rX "$d/home/app"
  users "$d" app:100:101:/home/app
  chown -R 100:101 "$d/home/app"
  certs "$d"
  mkdir -p "$d/tmp" && chmod 1777 "$d/tmp"
  single_layer "$1" "$2" "$d" '{"User": "app", "WorkingDir": "/home/app", "Cmd": ["./podinfo"],
    "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]}'
  rm -rf "$src"
}
image_podinfo() { image podinfo "ghcr.io/stefanprodan/podinfo:$PODINFO_VERSION" "$PODINFO_VERSION" podinfo_build; }
