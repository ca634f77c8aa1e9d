# The three exporters, each from upstream's source at the pinned tag with upstream's ldflags, laid out like its
# image: binary path, entrypoint, user, port. postgres_exporter and mongodb_exporter come from ../shared/images-src
# (the Go module proxy refuses those versions), redis_exporter from the proxy.
PG_EXPORTER_REF=quay.io/prometheuscommunity/postgres-exporter:v$POSTGRES_EXPORTER_VERSION
pg_exporter_build() {
  local src d=$TMP/pgx V=github.com/prometheus/common/version
  src=$(go_src "postgres_exporter-$POSTGRES_EXPORTER_VERSION.tar.gz")
  mkdir -p "$d/bin"
  (cd "$src" && go build -trimpath -ldflags "-X $V.Version=$POSTGRES_EXPORTER_VERSION -X $V.Revision=$POSTGRES_EXPORTER_COMMIT \
    -X $V.Branch=HEAD -X $V.BuildUser=x -X $V.BuildDate=20231027-16:25:39" -o "$d/bin/postgres_exporter" ./cmd/postgres_exporter)
  users "$d" nobody:65534:65534:/home
  single_layer "$1" "$2" "$d" '{"User": "nobody", "Entrypoint": ["/bin/postgres_exporter"], "ExposedPorts": {"9187/tcp": {}}}'
  rm -rf "$src"
}

MONGODB_EXPORTER_REF=percona/mongodb_exporter:$MONGODB_EXPORTER_VERSION
mongodb_exporter_build() {
  local src d=$TMP/mgx
  src=$(go_src "mongodb_exporter-$MONGODB_EXPORTER_VERSION.tar.gz")
  mkdir -p "$d"
  (cd "$src" && go build -trimpath -ldflags "-s -w -X main.version=v$MONGODB_EXPORTER_VERSION -X main.commit=cb3db89 \
    -X main.buildDate=2023-11-08T07:29:10Z" -o "$d/mongodb_exporter" .)
  certs "$d"
  single_layer "$1" "$2" "$d" '{"User": "65535:65535", "Entrypoint": ["/mongodb_exporter"], "ExposedPorts": {"9216/tcp": {}}}'
  rm -rf "$src"
}

REDIS_EXPORTER_REF=oliver006/redis_exporter:$REDIS_EXPORTER_VERSION
redis_exporter_build() {
  local src d=$TMP/rdx
  src=$(module_copy "github.com/oliver006/redis_exporter@$REDIS_EXPORTER_VERSION")
  mkdir -p "$d/etc"
  (cd "$src" && go build -trimpath -ldflags "-s -w -X main.BuildVersion=$REDIS_EXPORTER_VERSION" -o "$d/redis_exporter" .)
  certs "$d"
  echo 'hosts: files dns' >"$d/etc/nsswitch.conf"
  single_layer "$1" "$2" "$d" '{"User": "59000:59000", "Entrypoint": ["/redis_exporter"], "ExposedPorts": {"9121/tcp": {}}}'
  rm -rf "$src"
}

image_exporters() {
  image postgres-exporter "$PG_EXPORTER_REF" "$POSTGRES_EXPORTER_VERSION" pg_exporter_build
  image mongodb-exporter "$MONGODB_EXPORTER_REF" "$MONGODB_EXPORTER_VERSION" mongodb_exporter_build
  image redis-exporter "$REDIS_EXPORTER_REF" "$REDIS_EXPORTER_VERSION" redis_exporter_build
}
