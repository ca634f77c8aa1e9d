export * from './network-policies';
export * from './routes';
