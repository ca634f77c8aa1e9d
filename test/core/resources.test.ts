import { DEFAULT_EPHEMERAL_STORAGE, Database, Service, WRITABLE_DIR_SIZE_LIMIT } from '../../platform';
import { newChart, synth } from '../helpers';
import type { Obj } from '../helpers';
import { parseQuantity } from '../../platform/core/quantity';

const containersOf = (objects: Obj[]): Obj[] =>
  objects.filter((o) => o.spec?.template?.spec).flatMap((o) => o.spec.template.spec.containers as Obj[]);

describe('container resources', () => {
  test('every container requests and limits ephemeral storage, so a full disk evicts it, not its neighbours', () => {
    const chart = newChart();
    new Service(chart, 'web', { image: 'ghcr.io/stefanprodan/podinfo:6.7.1', port: 9898 });
    new Database(chart, 'db', { engine: 'mysql' });
    const containers = containersOf(synth(chart));
    expect(containers.map((c) => c.name)).toEqual(['web', 'db', 'exporter']);
    for (const c of containers) {
      expect(c.resources.requests['ephemeral-storage']).toBe(DEFAULT_EPHEMERAL_STORAGE.request);
      expect(c.resources.limits['ephemeral-storage']).toBe(DEFAULT_EPHEMERAL_STORAGE.limit);
    }
  });

  test('the ephemeral-storage limit holds the writable directories of a database (three capped emptyDirs)', () => {
    expect(parseQuantity(DEFAULT_EPHEMERAL_STORAGE.limit)).toBeGreaterThanOrEqual(
      3 * parseQuantity(WRITABLE_DIR_SIZE_LIMIT),
    );
  });
});
