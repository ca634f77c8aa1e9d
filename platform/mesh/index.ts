export * from './linkerd';
