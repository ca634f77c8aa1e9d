import { Service, Worker } from '../../platform';
import { find, newChart, synth } from '../helpers';

const IMAGE = 'ghcr.io/stefanprodan/podinfo:6.7.1';

describe('cloudIdentity', () => {
  test('a Service naming a cloud identity records its ServiceAccount in index.json', () => {
    const chart = newChart();
    new Service(chart, 'uploads', { image: IMAGE, port: 8080, cloudIdentity: 'media-writer' });
    expect(chart.indexEntry('app.k8s.yaml', 'sha256:0').identities).toEqual([
      { serviceAccount: 'uploads', identity: 'media-writer' },
    ]);
  });

  test('a Worker can name one too, and the entries are sorted by ServiceAccount', () => {
    const chart = newChart();
    new Worker(chart, 'thumbnails', { image: IMAGE, liveness: { exec: ['true'] }, cloudIdentity: 'media-reader' });
    new Service(chart, 'api', { image: IMAGE, port: 8080, cloudIdentity: 'media-writer' });
    expect(chart.indexEntry('app.k8s.yaml', 'sha256:0').identities).toEqual([
      { serviceAccount: 'api', identity: 'media-writer' },
      { serviceAccount: 'thumbnails', identity: 'media-reader' },
    ]);
  });

  test('an app without cloud identities records none', () => {
    const chart = newChart();
    new Service(chart, 'api', { image: IMAGE, port: 8080 });
    expect(chart.indexEntry('app.k8s.yaml', 'sha256:0').identities).toBeUndefined();
  });

  test('the ServiceAccount still mounts no token (the clouds inject their own credentials)', () => {
    const chart = newChart();
    new Service(chart, 'uploads', { image: IMAGE, port: 8080, cloudIdentity: 'media-writer' });
    expect(find(synth(chart), 'ServiceAccount', 'uploads').automountServiceAccountToken).toBe(false);
  });

  test('an identity name that is not a DNS label is refused', () => {
    expect(
      () => new Service(newChart(), 'uploads', { image: IMAGE, port: 8080, cloudIdentity: 'Media_Writer' }),
    ).toThrow('shop/uploads: cloudIdentity "Media_Writer" is not a valid DNS-1123 label');
  });
});
