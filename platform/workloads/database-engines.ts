/**
 * Presets of the `Database` construct: what each official image needs (user, writable paths, environment,
 * health check) and how clients and the Prometheus exporter connect to it.
 *
 * Every preset runs as the image's own non-root user (uid/gid 999 in the Debian-based official images) with
 * `fsGroup` 999 so the volume is writable, a read-only root filesystem with `emptyDir`s for the paths the server
 * writes besides its data, and the rest of the restricted Pod Security profile: no exception is needed.
 */
import type { k8s } from 'cdk8s-plus-27';
import type { DatabaseEngine } from '../core/graph';

/** Supported database engines (declared with the app graph, which records each database's engine). */
export type { DatabaseEngine };

/** Everything the Database construct needs to know about one engine. */
export interface EnginePreset {
  /** Official server image, pinned. */
  readonly image: string;
  /** Prometheus exporter image, pinned. */
  readonly exporterImage: string;
  /** Server port. */
  readonly port: number;
  /** Exporter metrics port. */
  readonly exporterPort: number;
  /** Where the volume is mounted. */
  readonly dataPath: string;
  /** Paths the server writes besides the data volume (each gets an `emptyDir`). */
  readonly writablePaths: readonly string[];
  /** Keys of the credentials Secret (random passwords generated at deploy time). */
  readonly secretKeys: readonly string[];
  /** Whether the engine has a database name and a user (Redis has neither). */
  readonly hasDatabaseAndUser: boolean;
  /** User names the image's entrypoint refuses for the app user (it creates them itself). */
  readonly reservedUsers?: readonly string[];
  /** Server container: plain environment. */
  env(c: EngineContext): Record<string, string>;
  /** Server container: environment from the credentials Secret (variable name to key). */
  secretEnv: Readonly<Record<string, string>>;
  /** Server container arguments. */
  args?(c: EngineContext): string[];
  /** The engine's own health check, run in the server container. */
  readonly healthCommand: readonly string[];
  /**
   * Timeout of each probe running `healthCommand`, when that program needs longer than the platform's default
   * timeouts (2-3 s).
   */
  readonly healthTimeoutSeconds?: number;
  /** Exporter container: environment (may reference the secret variables as `$(NAME)`). */
  exporterEnv(c: EngineContext): k8s.EnvVar[];
  /** Exporter container arguments. */
  exporterArgs?(c: EngineContext): string[];
  /** Environment variables for a client: `<PREFIX>_HOST`, `_PORT`, `_DB`, `_USER`, `_PASSWORD`, `_URL` (no DB or user for Redis). */
  clientEnv(c: EngineContext & { host: string; prefix: string }): k8s.EnvVar[];
}

/** Values a preset renders its environment from. */
export interface EngineContext {
  readonly secret: string;
  readonly database: string;
  readonly user: string;
}

const fromSecret = (name: string, secret: string, key: string): k8s.EnvVar => ({
  name,
  valueFrom: { secretKeyRef: { name: secret, key } },
});

/** Host, port, user, database and password variables, then a URL built from them with `$(VAR)` expansion. */
function clientEnvWithUrl(
  c: EngineContext & { host: string; prefix: string },
  port: number,
  url: (p: string) => string,
): k8s.EnvVar[] {
  const p = c.prefix;
  return [
    { name: `${p}_HOST`, value: c.host },
    { name: `${p}_PORT`, value: String(port) },
    { name: `${p}_DB`, value: c.database },
    { name: `${p}_USER`, value: c.user },
    fromSecret(`${p}_PASSWORD`, c.secret, 'password'),
    { name: `${p}_URL`, value: url(p) },
  ];
}

/** The presets, by engine. */
export const ENGINES: Readonly<Record<DatabaseEngine, EnginePreset>> = {
  postgres: {
    // postgres 16.x (Debian bookworm); 18 moved PGDATA, so moving past 17 needs a data path change here.
    image: 'postgres:16.4',
    exporterImage: 'quay.io/prometheuscommunity/postgres-exporter:v0.15.0',
    port: 5432,
    exporterPort: 9187,
    dataPath: '/var/lib/postgresql/data',
    writablePaths: ['/tmp', '/var/run/postgresql'],
    secretKeys: ['password'],
    hasDatabaseAndUser: true,
    // A sub-directory, because the volume's root may hold lost+found, which initdb refuses.
    env: (c) => ({ POSTGRES_USER: c.user, POSTGRES_DB: c.database, PGDATA: '/var/lib/postgresql/data/pgdata' }),
    secretEnv: { POSTGRES_PASSWORD: 'password' },
    healthCommand: ['sh', '-c', 'pg_isready -h 127.0.0.1 -U "$POSTGRES_USER" -d "$POSTGRES_DB"'],
    exporterEnv: (c) => [
      { name: 'DATA_SOURCE_URI', value: `127.0.0.1:5432/${c.database}?sslmode=disable` },
      { name: 'DATA_SOURCE_USER', value: c.user },
      fromSecret('DATA_SOURCE_PASS', c.secret, 'password'),
    ],
    clientEnv: (c) =>
      clientEnvWithUrl(c, 5432, (p) => `postgresql://$(${p}_USER):$(${p}_PASSWORD)@${c.host}:5432/${c.database}`),
  },
  mysql: {
    image: 'mysql:8.4.2',
    exporterImage: 'prom/mysqld-exporter:v0.15.1',
    port: 3306,
    exporterPort: 9104,
    dataPath: '/var/lib/mysql',
    writablePaths: ['/tmp', '/var/run/mysqld', '/var/lib/mysql-files'],
    secretKeys: ['password', 'root-password'],
    hasDatabaseAndUser: true,
    // docker-entrypoint.sh: "MYSQL_USER="root", MYSQL_USER and MYSQL_PASSWORD are for configuring a regular user".
    reservedUsers: ['root'],
    env: (c) => ({ MYSQL_USER: c.user, MYSQL_DATABASE: c.database }),
    secretEnv: { MYSQL_PASSWORD: 'password', MYSQL_ROOT_PASSWORD: 'root-password' },
    // `mysqladmin ping` succeeds as soon as the server answers, even before credentials are checked.
    healthCommand: ['sh', '-c', 'mysqladmin ping -h 127.0.0.1 --silent'],
    exporterEnv: (c) => [fromSecret('MYSQLD_EXPORTER_PASSWORD', c.secret, 'root-password')],
    exporterArgs: () => ['--mysqld.address=127.0.0.1:3306', '--mysqld.username=root'],
    clientEnv: (c) =>
      clientEnvWithUrl(c, 3306, (p) => `mysql://$(${p}_USER):$(${p}_PASSWORD)@${c.host}:3306/${c.database}`),
  },
  mongodb: {
    image: 'mongo:7.0.14',
    exporterImage: 'percona/mongodb_exporter:0.40.0',
    port: 27017,
    exporterPort: 9216,
    dataPath: '/data/db',
    writablePaths: ['/tmp', '/data/configdb'],
    secretKeys: ['password'],
    hasDatabaseAndUser: true,
    env: (c) => ({ MONGO_INITDB_ROOT_USERNAME: c.user, MONGO_INITDB_DATABASE: c.database }),
    secretEnv: { MONGO_INITDB_ROOT_PASSWORD: 'password' },
    healthCommand: ['mongosh', '--quiet', '--eval', "db.adminCommand('ping').ok"],
    // mongosh is a Node.js program: about a second to start on an idle node, several on a busy one or a
    // CPU-limited pod, so the defaults (2-3 s) fail a healthy server (the real node's runtime suite saw 7 s).
    healthTimeoutSeconds: 10,
    exporterEnv: (c) => [
      { name: 'MONGODB_USER', value: c.user },
      fromSecret('MONGODB_PASSWORD', c.secret, 'password'),
      { name: 'MONGODB_URI', value: 'mongodb://$(MONGODB_USER):$(MONGODB_PASSWORD)@127.0.0.1:27017/admin' },
    ],
    exporterArgs: () => ['--collect-all', '--compatible-mode'],
    clientEnv: (c) =>
      clientEnvWithUrl(
        c,
        27017,
        (p) => `mongodb://$(${p}_USER):$(${p}_PASSWORD)@${c.host}:27017/${c.database}?authSource=admin`,
      ),
  },
  redis: {
    image: 'redis:7.4.0',
    exporterImage: 'oliver006/redis_exporter:v1.62.0',
    port: 6379,
    exporterPort: 9121,
    dataPath: '/data',
    writablePaths: ['/tmp'],
    secretKeys: ['password'],
    hasDatabaseAndUser: false,
    env: () => ({}),
    secretEnv: { REDIS_PASSWORD: 'password' },
    // The image's entrypoint runs redis-server when the first argument is a flag.
    args: () => ['--requirepass', '$(REDIS_PASSWORD)', '--appendonly', 'yes', '--dir', '/data'],
    healthCommand: ['sh', '-c', 'redis-cli -a "$REDIS_PASSWORD" --no-auth-warning ping | grep -q PONG'],
    exporterEnv: (c) => [
      { name: 'REDIS_ADDR', value: 'redis://127.0.0.1:6379' },
      fromSecret('REDIS_PASSWORD', c.secret, 'password'),
    ],
    clientEnv: (c) => [
      { name: `${c.prefix}_HOST`, value: c.host },
      { name: `${c.prefix}_PORT`, value: '6379' },
      fromSecret(`${c.prefix}_PASSWORD`, c.secret, 'password'),
      { name: `${c.prefix}_URL`, value: `redis://:$(${c.prefix}_PASSWORD)@${c.host}:6379/0` },
    ],
  },
};
