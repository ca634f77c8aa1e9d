# mongo:7.0.14's stand-in: MongoDB is in no reachable registry. FerretDB (Go module proxy; SQLite backend; speaks
# MongoDB's wire protocol, reports 7.0.42) as the server, mongosh (npm) on Debian's nodejs for the probes, and
# stand-ins of mongodump and mongorestore for the backup job,
# laid out as upstream's image: user mongodb 999:999 (home /data/db), /data/db and /data/configdb, HOME=/data/db,
# the entrypoint contract (rootfs/mongo), CMD mongod. What it cannot prove is in the README.
mongo_build() {
  local d=$TMP/mongo src
  mkdir -p "$d/usr/local/bin" "$d/usr/local/lib/mongosh" "$d/data/db" "$d/data/configdb"
  src=$(module_copy "github.com/FerretDB/FerretDB@$FERRETDB_VERSION")
  echo "$FERRETDB_VERSION" >"$src/build/version/version.txt"
  (cd "$src" && go build -trimpath -o "$d/usr/local/bin/ferretdb" ./cmd/ferretdb)
  rm -rf "$src"
  # mongosh is plain JavaScript; its optional native addons (kerberos, client-side encryption) are left out. Its
  # dependency ranges now resolve to releases that need Node 20 (mongodb 7, bson 7, whatwg-url 15: "Cannot read
  # properties of undefined (reading 'get')" on Debian's Node 18), so rootfs/mongo/mongosh-package.json holds them
  # to the last Node 18 lines.
  jq --arg v "$MONGOSH_VERSION" '.dependencies.mongosh = $v' "$HERE/rootfs/mongo/mongosh-package.json" \
    >"$d/usr/local/lib/mongosh/package.json"
  (cd "$d/usr/local/lib/mongosh" && npm install --silent --no-audit --no-fund --ignore-scripts --omit=dev --omit=optional \
    --no-package-lock >/dev/null)
  ln -s ../lib/mongosh/node_modules/mongosh/bin/mongosh.js "$d/usr/local/bin/mongosh"
  # mongodump and mongorestore: MongoDB's database tools are in no reachable registry either; stand-ins on the
  # same driver (rootfs/mongo/mongo-archive.js) take the flags the backup job passes.
  install -m 0755 "$HERE/rootfs/mongo/mongo-archive.js" "$d/usr/local/lib/mongo-archive.js"
  ln -s ../lib/mongo-archive.js "$d/usr/local/bin/mongodump"
  ln -s ../lib/mongo-archive.js "$d/usr/local/bin/mongorestore"
  rm -rf "$d/usr/local/lib/mongosh/package.json"
  cp "$HERE/rootfs/mongo/docker-entrypoint.sh" "$d/usr/local/bin/"
  users "$d" mongodb:999:999:/data/db
  chown 999:999 "$d/data/db" "$d/data/configdb"
  debian_image "$1" "$2" "$d" "{\"Entrypoint\": [\"docker-entrypoint.sh\"], \"Cmd\": [\"mongod\"],
    \"ExposedPorts\": {\"27017/tcp\": {}}, \"Volumes\": {\"/data/db\": {}, \"/data/configdb\": {}},
    \"Env\": [\"PATH=$DEBIAN_PATH\", \"HOME=/data/db\", \"MONGO_MAJOR=7.0\", \"MONGO_VERSION=7.0.14\"]}"
}
