import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONTOUR_CHART } from '../../platform/cloud/versions';

const versions = readFileSync(join(__dirname, '..', '..', 'scripts', 'cluster', 'versions.sh'), 'utf8');
const pinned = (name: string) => versions.match(new RegExp(`^${name}=(\\S+)`, 'm'))?.[1];

test('the e2e runs the Contour controller of the contour chart the platform installs', () => {
  expect(pinned('CONTOUR_VERSION')).toBe(CONTOUR_CHART.appVersion);
});
