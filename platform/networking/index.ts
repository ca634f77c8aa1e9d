export * from './network-policies';
