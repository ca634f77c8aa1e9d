export * from './alerts';
export * from './dashboards';
export * from './grafana';
export * from './monitors';
export * from './signals';
export * from './tracing';
export * from './broker-signals';
export * from './database-metrics';
