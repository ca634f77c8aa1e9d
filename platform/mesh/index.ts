export * from './linkerd';
export * from './policy';
