/**
 * The e2e suite (`npm run e2e`): against a local control plane and the real Pulumi engine, one suite file at a
 * time per Jest (each starts its own cluster), inside the network and PID namespaces of scripts/cluster/netns.sh;
 * `npm run e2e` runs the real-node suite and the others as two Jests at once (scripts/e2e/groups.js).
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test/e2e'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testTimeout: 300_000,
  maxWorkers: 1,
};
