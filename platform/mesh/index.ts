export * from './linkerd';
export * from './policy';
export * from './route-metrics';
