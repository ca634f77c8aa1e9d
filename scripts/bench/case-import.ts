/**
 * Bench case: module load alone, of the platform (`platform`) or of cdk8s-plus-27 (`cdk8s-plus-27`).
 *
 * Usage: `ts-node --swc scripts/bench/case-import.ts platform|cdk8s-plus-27`
 */
import { report, sinceStart } from './case-output';

const start = sinceStart();
const target = process.argv[2];
if (target === 'platform') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the import itself is what is measured
  require('../../platform');
} else if (target === 'cdk8s-plus-27') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the import itself is what is measured
  require('cdk8s-plus-27');
} else {
  throw new Error('usage: platform|cdk8s-plus-27');
}
report({ phases: { start, load: sinceStart() } });
