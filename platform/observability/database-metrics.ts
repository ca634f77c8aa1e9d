/**
 * The metric names of each database engine's preset exporter, in one place: what the database panels and the
 * database-down alert read (`signals.ts` builds the PromQL).
 */
import type { DatabaseEngine } from '../core/graph';

/** One series of a database panel. */
export interface EngineSeries {
  /** Metric name. */
  readonly metric: string;
  /** Extra label matchers. */
  readonly matchers?: readonly string[];
  /** Grafana legend (may use `{{label}}`). */
  readonly legend: string;
  /** Label to keep in the sum (the legend's label). */
  readonly by?: string;
}

/** What a database exporter says about its server. */
export interface EngineMetrics {
  /** Gauge that is 1 while the exporter reaches the server. */
  readonly up: string;
  /** Gauge of client connections. */
  readonly connections: EngineSeries;
  /** Title of the throughput panel. */
  readonly throughputTitle: string;
  /** Counters of work done, shown as per-second rates. */
  readonly throughput: readonly EngineSeries[];
}

/**
 * The exporter metrics of each engine's preset exporter: postgres_exporter (`pg_*`), mysqld_exporter
 * (`mysql_*`), Percona's mongodb_exporter (`mongodb_up` and the `mongodb_ss_*` serverStatus metrics, present with
 * or without `--compatible-mode`) and redis_exporter (`redis_*`).
 */
export const ENGINE_METRICS: Readonly<Record<DatabaseEngine, EngineMetrics>> = {
  postgres: {
    up: 'pg_up',
    connections: { metric: 'pg_stat_database_numbackends', legend: 'connections' },
    throughputTitle: 'Transactions',
    throughput: [
      { metric: 'pg_stat_database_xact_commit', legend: 'commits' },
      { metric: 'pg_stat_database_xact_rollback', legend: 'rollbacks' },
    ],
  },
  mysql: {
    up: 'mysql_up',
    connections: { metric: 'mysql_global_status_threads_connected', legend: 'connections' },
    throughputTitle: 'Queries',
    throughput: [{ metric: 'mysql_global_status_queries', legend: 'queries' }],
  },
  mongodb: {
    up: 'mongodb_up',
    connections: { metric: 'mongodb_ss_connections', matchers: ['conn_type="current"'], legend: 'connections' },
    throughputTitle: 'Operations',
    throughput: [{ metric: 'mongodb_ss_opcounters', legend: '{{legacy_op_type}}', by: 'legacy_op_type' }],
  },
  redis: {
    up: 'redis_up',
    connections: { metric: 'redis_connected_clients', legend: 'clients' },
    throughputTitle: 'Commands',
    throughput: [{ metric: 'redis_commands_processed_total', legend: 'commands' }],
  },
};
