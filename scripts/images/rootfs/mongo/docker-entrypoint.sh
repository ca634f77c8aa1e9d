#!/bin/sh
# The mongo image's entrypoint contract (docker-library/mongo 7.0), written for a stand-in server: FerretDB (SQLite
# backend under /data/db) in place of mongod. MONGO_INITDB_ROOT_USERNAME and MONGO_INITDB_ROOT_PASSWORD (or their
# *_FILE forms) together or not at all; with them the server requires authentication and has that user;
# MONGO_INITDB_* are unset before the server starts; it listens on all addresses (--bind_ip_all) on 27017.
# A first argument that is a flag runs mongod with it. Not reproduced: mongod's own options (only --port and
# --bind_ip/--bind_ip_all are understood), /docker-entrypoint-initdb.d scripts, numactl, the root path (gosu).
set -e
file_env() {
  var=$1 file="${1}_FILE"
  eval "val=\${$var:-} fval=\${$file:-}"
  if [ -n "$val" ] && [ -n "$fval" ]; then echo "error: both $var and $file are set (but are exclusive)" >&2; exit 1; fi
  if [ -n "$fval" ]; then val=$(cat "$fval"); fi
  export "$var=$val"
  unset "$file"
}
case $1 in -*) set -- mongod "$@" ;; esac
if [ "$1" = mongod ]; then
  shift
  port=27017 bind=
  while [ $# -gt 0 ]; do
    case $1 in
      --port) port=$2; shift ;;
      --port=*) port=${1#--port=} ;;
      --bind_ip) bind=$2; shift ;;
      --bind_ip=*) bind=${1#--bind_ip=} ;;
      --bind_ip_all) bind= ;;
      *) echo "mongo stand-in: ignoring mongod option $1" >&2 ;;
    esac
    shift
  done
  file_env MONGO_INITDB_ROOT_USERNAME
  file_env MONGO_INITDB_ROOT_PASSWORD
  if [ -n "$MONGO_INITDB_ROOT_USERNAME" ] && [ -z "$MONGO_INITDB_ROOT_PASSWORD" ] ||
    [ -z "$MONGO_INITDB_ROOT_USERNAME" ] && [ -n "$MONGO_INITDB_ROOT_PASSWORD" ]; then
    echo "error: missing MONGO_INITDB_ROOT_USERNAME or MONGO_INITDB_ROOT_PASSWORD; both must be specified for a user to be created" >&2
    exit 1
  fi
  export FERRETDB_HANDLER=sqlite FERRETDB_SQLITE_URL=file:/data/db/ FERRETDB_STATE_DIR=/data/db \
    FERRETDB_TELEMETRY=disable FERRETDB_LISTEN_ADDR="${bind:-}:$port" FERRETDB_DEBUG_ADDR=127.0.0.1:8088
  # The root user lives in `admin`, where mongod's entrypoint creates it (clients authenticate with
  # authSource=admin); MONGO_INITDB_DATABASE only names the database of the init scripts, which are not run here.
  if [ -n "$MONGO_INITDB_ROOT_USERNAME" ]; then
    export FERRETDB_TEST_ENABLE_NEW_AUTH=true FERRETDB_SETUP_USERNAME="$MONGO_INITDB_ROOT_USERNAME" \
      FERRETDB_SETUP_PASSWORD="$MONGO_INITDB_ROOT_PASSWORD" FERRETDB_SETUP_DATABASE=admin
  fi
  unset MONGO_INITDB_ROOT_USERNAME MONGO_INITDB_ROOT_PASSWORD MONGO_INITDB_DATABASE
  set -- ferretdb
fi
exec "$@"
