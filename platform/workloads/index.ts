export * from './database';
export * from './database-engines';
export * from './deployment-workload';
export * from './scaling';
export * from './service';
export * from './vertical-scaling';
export * from './worker';
export * from './workload';
