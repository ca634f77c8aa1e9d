export * from './errors';
export * from './graph';
export * from './names';
export * from './probes';
export * from './quantity';
export * from './resources';
export * from './security';
export * from './validate';
