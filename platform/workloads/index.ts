export * from './database';
export * from './database-engines';
export * from './deployment-workload';
export * from './scaling';
export * from './service';
export * from './worker';
export * from './workload';
