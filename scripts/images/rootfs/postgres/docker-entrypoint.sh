#!/usr/bin/env bash
# The postgres image's entrypoint contract (docker-library/postgres 16, bookworm), written for this stand-in:
# POSTGRES_PASSWORD (required unless POSTGRES_HOST_AUTH_METHOD=trust), POSTGRES_USER (default postgres),
# POSTGRES_DB (default: the user), POSTGRES_INITDB_ARGS, POSTGRES_INITDB_WALDIR, each of the first four also as
# *_FILE; PGDATA made and chmod 700; initdb on first start only, `host all all all <method>` appended to
# pg_hba.conf, a socket-only temporary server for creating the database and running /docker-entrypoint-initdb.d,
# then exec, so postgres is PID 1. Not reproduced: the root path (chown + gosu), which a pod under the restricted
# profile never takes.
set -Eeo pipefail

file_env() {
  local var=$1 def=${2:-} file=${1}_FILE val
  if [[ -n ${!var:-} && -n ${!file:-} ]]; then
    echo "error: both $var and $file are set (but are exclusive)" >&2
    exit 1
  fi
  val=$def
  if [[ -n ${!var:-} ]]; then val=${!var}; elif [[ -n ${!file:-} ]]; then val=$(<"${!file}"); fi
  export "$var"="$val"
  unset "$file"
}

wants_help() {
  local arg
  for arg; do case $arg in -'?' | --help | --describe-config | -V | --version) return 0 ;; esac; done
  return 1
}

psql_run() { psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --no-password --no-psqlrc "$@"; }

run_init_files() {
  local f
  for f in /docker-entrypoint-initdb.d/*; do
    case $f in
      *.sh) if [[ -x $f ]]; then echo "running $f"; "$f"; else echo "sourcing $f"; . "$f"; fi ;;
      *.sql) echo "running $f"; psql_run --dbname "$POSTGRES_DB" -f "$f" ;;
      *.sql.gz) echo "running $f"; gunzip -c "$f" | psql_run --dbname "$POSTGRES_DB" ;;
      *.sql.xz) echo "running $f"; xzcat "$f" | psql_run --dbname "$POSTGRES_DB" ;;
      *.sql.zst) echo "running $f"; zstd -dc "$f" | psql_run --dbname "$POSTGRES_DB" ;;
      *) if [[ -e $f ]]; then echo "ignoring $f"; fi ;;
    esac
  done
}

init_database() {
  file_env POSTGRES_PASSWORD
  file_env POSTGRES_USER postgres
  file_env POSTGRES_DB "$POSTGRES_USER"
  file_env POSTGRES_INITDB_ARGS
  : "${POSTGRES_HOST_AUTH_METHOD:=}"
  if [[ -z $POSTGRES_PASSWORD && $POSTGRES_HOST_AUTH_METHOD != trust ]]; then
    echo "error: database is uninitialized and superuser password is not specified." >&2
    echo "  Set POSTGRES_PASSWORD (or POSTGRES_HOST_AUTH_METHOD=trust)." >&2
    exit 1
  fi
  # A uid without a passwd entry (an arbitrary runAsUser): initdb needs a user name, give it one.
  if ! getent passwd "$(id -u)" >/dev/null && [[ -e /usr/lib/libnss_wrapper.so || -e /usr/lib/x86_64-linux-gnu/libnss_wrapper.so ]]; then
    NSS_WRAPPER_PASSWD=$(mktemp) NSS_WRAPPER_GROUP=$(mktemp)
    export LD_PRELOAD=libnss_wrapper.so NSS_WRAPPER_PASSWD NSS_WRAPPER_GROUP
    echo "postgres:x:$(id -u):$(id -g):PostgreSQL:$PGDATA:/bin/false" >"$NSS_WRAPPER_PASSWD"
    echo "postgres:x:$(id -g):" >"$NSS_WRAPPER_GROUP"
  fi
  if [[ -n ${POSTGRES_INITDB_WALDIR:-} ]]; then
    mkdir -p "$POSTGRES_INITDB_WALDIR"
    chmod 700 "$POSTGRES_INITDB_WALDIR"
    set -- --waldir "$POSTGRES_INITDB_WALDIR"
  fi
  # shellcheck disable=SC2086 # POSTGRES_INITDB_ARGS is words, as upstream evaluates it
  eval 'initdb --username="$POSTGRES_USER" --pwfile=<(printf "%s\n" "$POSTGRES_PASSWORD") '"$POSTGRES_INITDB_ARGS"' "$@"'
  unset LD_PRELOAD NSS_WRAPPER_PASSWD NSS_WRAPPER_GROUP
  # Upstream's server (Debian's build) has /var/run/postgresql as its compiled-in socket dir; this one's is /tmp,
  # and initdb writes the compiled-in one into the config: set upstream's, where its clients (psql) look.
  printf "\nunix_socket_directories = '/var/run/postgresql'\n" >>"$PGDATA/postgresql.conf"
  local method=$POSTGRES_HOST_AUTH_METHOD
  [[ -n $method ]] || method=$(postgres -C password_encryption -D "$PGDATA")
  printf '\nhost all all all %s\n' "$method" >>"$PGDATA/pg_hba.conf"
  PGUSER=$POSTGRES_USER PGPASSWORD=$POSTGRES_PASSWORD pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -p ${PGPORT:-5432}" -w start
  export PGPASSWORD=$POSTGRES_PASSWORD
  # From stdin: psql interpolates variables there, not in -c.
  if [[ -z $(psql_run --dbname postgres -tA -v db="$POSTGRES_DB" <<<"SELECT 1 FROM pg_database WHERE datname = :'db';") ]]; then
    psql_run --dbname postgres -v db="$POSTGRES_DB" <<<'CREATE DATABASE :"db";'
  fi
  run_init_files
  pg_ctl -D "$PGDATA" -m fast -w stop
  unset PGPASSWORD
  echo "PostgreSQL init process complete; ready for start up."
}

if [[ ${1:0:1} == - ]]; then set -- postgres "$@"; fi
if [[ $1 == postgres ]] && ! wants_help "$@"; then
  mkdir -p "$PGDATA"
  chmod 00700 "$PGDATA" || :
  if [[ ! -s $PGDATA/PG_VERSION ]]; then init_database; else echo "PostgreSQL Database directory appears to contain a database; Skipping initialization"; fi
fi
exec "$@"
