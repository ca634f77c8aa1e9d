export * from './monitors';
