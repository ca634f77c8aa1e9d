export * from './egress';
export * from './network-policies';
export * from './routes';
export * from './route-tls';
