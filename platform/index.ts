/**
 * The public API of the platform's cdk8s constructs. The Pulumi components live in `platform/cloud` and are
 * imported from there, so that synthesizing manifests never loads a cloud SDK.
 */
export * from './chart';
export * from './contract';
export * from './core';
export * from './mesh';
export * from './networking';
export * from './observability';
export * from './workloads';
export * from './synth';
export * from './settings';
