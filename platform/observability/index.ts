export * from './monitors';
export * from './tracing';
