import { Database, PlatformChart, Service } from '../platform';
import { synthApp } from '../platform/testing';

const app = synthApp((scope) => {
  const shop = new PlatformChart(scope, 'shop');
  const db = new Database(shop, 'postgres', { engine: 'postgres' });
  new Service(shop, 'api', { image: 'ghcr.io/stefanprodan/podinfo:6.7.1', port: 9898 }).connectTo(db);
  return shop;
});

test('synthApp returns the objects by kind and name', () => {
  expect(app.objects.Deployment.api).toBe(app.get('Deployment', 'api'));
  expect(app.get('StatefulSet', 'postgres').metadata.namespace).toBe('shop');
  expect(app.names('Deployment')).toEqual(['api']);
});

test('synthApp gives the index.json entry of the app', () => {
  expect(app.index.secrets.map((s) => s.name)).toEqual(['postgres-credentials']);
});

test('get names the objects of the kind when the name is missing', () => {
  expect(() => app.get('Deployment', 'web')).toThrow('no Deployment "web" in app shop; Deployment objects: api');
});
