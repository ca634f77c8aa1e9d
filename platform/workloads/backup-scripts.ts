/**
 * The program a database's backup job runs: a POSIX shell script over the engine's own dump and restore tools,
 * run in the database's own image (so the tools match the server's version). One script, three modes (variable
 * `BACKUP_MODE`): `backup` (the CronJob), `list` and `restore` (jobs made from the CronJob's template by
 * `k8s-platform restore`).
 *
 * A backup is written beside its final name and renamed only once complete, with a `.sha256` file beside it; a
 * restore refuses, before it touches the database, a backup that does not exist, is of another engine, was never
 * completed or no longer matches its checksum. Backups older than the retention are removed only after a new one
 * succeeded, so failing backups never remove the last good one.
 */
import type { DatabaseEngine } from '../core/graph';

/** Where the backup volume is mounted in the job's container. */
export const BACKUP_DIR = '/backups';
/** How long the job waits for its database to answer before it gives up. */
export const READY_WAIT_SECONDS = 120;
/** Exit code of a refused restore (the backup is missing, of another engine, incomplete or corrupt). */
export const RESTORE_REFUSED_EXIT = 3;
/** A backup file's name: `<database>-<UTC time>.<engine>.dump`. */
export const BACKUP_NAME_PATTERN = '^[a-z0-9-]+-[0-9]{8}T[0-9]{6}Z\\.[a-z]+\\.dump$';

/**
 * Each engine's consistent logical dump into file `$1` and its restore from file `$1`, with the connection in
 * `DB_HOST`, `DB_PORT`, `DB_NAME`, `DB_USER` and `DB_PASSWORD` (passwords go through the tools' environment
 * variables, never their arguments, where the tool allows it).
 */
const ENGINE_COMMANDS: Readonly<Record<DatabaseEngine, { ready: string; dump: string; restore: string }>> = {
  // pg_dump reads one snapshot (a repeatable-read transaction): consistent while the app writes. The custom
  // format is compressed and lets pg_restore replace every object it holds (--clean) in one transaction.
  postgres: {
    ready: `pg_isready -q -h "$DB_HOST" -p "$DB_PORT"`,
    dump: `PGPASSWORD="$DB_PASSWORD" pg_dump -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" -d "$DB_NAME" --format=custom --no-owner --no-privileges -f "$1"`,
    restore: `PGPASSWORD="$DB_PASSWORD" pg_restore -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" -d "$DB_NAME" --clean --if-exists --no-owner --no-privileges --single-transaction --exit-on-error "$1"`,
  },
  // --single-transaction: one consistent InnoDB snapshot without locking the tables; --no-tablespaces: the app
  // user has no PROCESS privilege, which tablespace information needs.
  mysql: {
    // Answers as soon as the server is up, before credentials are checked.
    ready: `mysqladmin ping -h "$DB_HOST" -P "$DB_PORT" --silent`,
    dump: `MYSQL_PWD="$DB_PASSWORD" mysqldump -h "$DB_HOST" -P "$DB_PORT" -u "$DB_USER" --single-transaction --no-tablespaces --routines --triggers --databases "$DB_NAME" >"$1"`,
    restore: `MYSQL_PWD="$DB_PASSWORD" mysql -h "$DB_HOST" -P "$DB_PORT" -u "$DB_USER" <"$1"`,
  },
  // The app's database only, as one gzip archive; a restore drops each collection it holds before loading it.
  mongodb: {
    ready: `mongosh --quiet "mongodb://$DB_USER:$DB_PASSWORD@$DB_HOST:$DB_PORT/admin" --eval 'db.runCommand({ ping: 1 }).ok' | grep -qx 1`,
    dump: `mongodump --quiet --uri="mongodb://$DB_USER:$DB_PASSWORD@$DB_HOST:$DB_PORT/?authSource=admin" --db="$DB_NAME" --archive="$1" --gzip`,
    restore: `mongorestore --quiet --uri="mongodb://$DB_USER:$DB_PASSWORD@$DB_HOST:$DB_PORT/?authSource=admin" --nsInclude="$DB_NAME.*" --archive="$1" --gzip --drop`,
  },
  // The server's own RDB snapshot, sent over the replication protocol. Restore without stopping the server: the
  // RDB is loaded by a server of the job's own (loopback, no persistence, reading it where it lies), which
  // MIGRATEs every key to the database (COPY REPLACE), database by database, and the key counts are compared.
  redis: {
    ready: `REDISCLI_AUTH="$DB_PASSWORD" redis-cli -h "$DB_HOST" -p "$DB_PORT" ping | grep -qx PONG`,
    dump: `REDISCLI_AUTH="$DB_PASSWORD" redis-cli -h "$DB_HOST" -p "$DB_PORT" --rdb "$1" >/dev/null`,
    restore: [
      `redis-server --port 6390 --bind 127.0.0.1 --dir "$(dirname "$1")" --dbfilename "$(basename "$1")" --appendonly no --save '' >/tmp/redis.log 2>&1 &`,
      `server=$!; tries=0`,
      `until [ "$(redis-cli -p 6390 ping 2>/dev/null)" = PONG ]; do`,
      `  tries=$((tries + 1))`,
      `  if ! kill -0 "$server" 2>/dev/null || [ "$tries" -gt 300 ]; then cat /tmp/redis.log >&2; fail "the backup does not load as an RDB file"; fi`,
      `  sleep 1`,
      `done`,
      `migrate() {`,
      `  [ $# -gt 0 ] || return 0`,
      `  out=$(redis-cli --no-auth-warning -p 6390 -n "$db" MIGRATE "$DB_HOST" "$DB_PORT" "" "$db" 60000 COPY REPLACE AUTH "$DB_PASSWORD" KEYS "$@")`,
      `  case "$out" in OK | NOKEY) ;; *) echo "restore failed: MIGRATE answered $out" >&2; exit 1 ;; esac`,
      `}`,
      `for db in $(redis-cli -p 6390 info keyspace | sed -n 's/^db\\([0-9]*\\):.*/\\1/p'); do`,
      `  redis-cli -p 6390 -n "$db" --scan | {`,
      `    set --`,
      `    while IFS= read -r key; do`,
      `      set -- "$@" "$key"`,
      `      if [ $# -ge 100 ]; then migrate "$@"; set --; fi`,
      `    done`,
      `    migrate "$@"`,
      `  }`,
      `  want=$(redis-cli -p 6390 -n "$db" dbsize); have=$(REDISCLI_AUTH="$DB_PASSWORD" redis-cli -h "$DB_HOST" -p "$DB_PORT" -n "$db" dbsize)`,
      `  [ "$have" -ge "$want" ] || { echo "restore failed: db $db has $have keys, the backup $want" >&2; exit 1; }`,
      `  echo "db $db: $want keys restored"`,
      `done`,
      `kill "$server"`,
    ].join('\n'),
  },
};

/** The job's script for `engine`. */
export function backupScript(engine: DatabaseEngine): string {
  const { ready, dump, restore } = ENGINE_COMMANDS[engine];
  return `set -eu
umask 077
dir=${BACKUP_DIR}
engine=${engine}
fail() { echo "restore refused: $*" >&2; exit ${RESTORE_REFUSED_EXIT}; }
ready() {
${indent(ready)}
}
# A new pod's connections may be dropped until the node's NetworkPolicy agent has its address, and the database
# may be restarting: wait for it to answer, up to ${READY_WAIT_SECONDS} s.
wait_ready() {
  i=0
  until ready >/dev/null 2>&1; do
    i=$((i + 2))
    [ "$i" -lt ${READY_WAIT_SECONDS} ] || { echo "$engine at $DB_HOST:$DB_PORT did not answer for ${READY_WAIT_SECONDS} s" >&2; exit 1; }
    sleep 2
  done
}
dump() {
${indent(dump)}
}
restore() {
${indent(restore)}
}
backups() { ls -1 "$dir" | grep -E '${BACKUP_NAME_PATTERN}' | sort || true; }
case "\${BACKUP_MODE:-backup}" in
backup)
  name="$BACKUP_PREFIX-$(date -u +%Y%m%dT%H%M%SZ).$engine.dump"
  part="$dir/.partial-$name"
  trap 'rm -f "$part"' EXIT
  wait_ready
  dump "$part"
  [ -s "$part" ] || { echo "backup failed: the dump is empty" >&2; exit 1; }
  sum=$(sha256sum "$part" | cut -d' ' -f1)
  printf '%s  %s\\n' "$sum" "$name" >"$dir/.partial-$name.sha256"
  mv "$part" "$dir/$name"
  mv "$dir/.partial-$name.sha256" "$dir/$name.sha256"
  find "$dir" -maxdepth 1 -type f -name "$BACKUP_PREFIX-*.$engine.dump" -mmin +$((BACKUP_RETENTION_DAYS * 1440)) |
    while read -r old; do rm -f "$old" "$old.sha256"; echo "removed $(basename "$old") (older than $BACKUP_RETENTION_DAYS days)"; done
  echo "backup ok: $name ($(wc -c <"$dir/$name") bytes, sha256 $sum)"
  ;;
list)
  backups
  ;;
restore)
  name="\${BACKUP_NAME:-latest}"
  if [ "$name" = latest ]; then
    name=$(backups | grep -F ".$engine.dump" | tail -n 1)
    [ -n "$name" ] || fail "there is no $engine backup in $dir"
  fi
  case "$name" in */* | .*) fail "$name is not a backup name (list them with --list)" ;; esac
  [ -f "$dir/$name" ] || fail "backup $name does not exist (list them with --list)"
  case "$name" in *".$engine.dump") ;; *) fail "backup $name is not a $engine backup, and this database is $engine" ;; esac
  [ -f "$dir/$name.sha256" ] || fail "backup $name has no checksum: it was never completed"
  (cd "$dir" && sha256sum -c --status "$name.sha256") || fail "backup $name does not match its checksum: it is corrupt"
  wait_ready
  echo "restoring $name into $DB_HOST"
  restore "$dir/$name"
  echo "restore ok: $name"
  ;;
*)
  echo "BACKUP_MODE must be backup, list or restore" >&2
  exit 2
  ;;
esac
`;
}

const indent = (text: string): string =>
  text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
