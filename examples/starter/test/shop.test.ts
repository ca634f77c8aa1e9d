import { synthApp } from 'k8s-platform/testing';
import { validateDir } from 'k8s-platform/tools';
import { shop } from '../src/shop';

const app = synthApp(shop);

test('runs the API as a Deployment and PostgreSQL as a StatefulSet', () => {
  expect(app.names('Deployment')).toContain('api');
  expect(app.names('StatefulSet')).toContain('postgres');
});

test('the API reads the database address from DATABASE_HOST', () => {
  expect(app.get('Deployment', 'api')).toMatchObject({
    spec: {
      template: {
        spec: { containers: [{ env: expect.arrayContaining([expect.objectContaining({ name: 'DATABASE_HOST' })]) }] },
      },
    },
  });
});

test('the database admits the API on 5432', () => {
  const policy = app.get('NetworkPolicy', 'postgres');
  expect(JSON.stringify(policy)).toContain('5432');
});

test('index.json asks for the database credentials', () => {
  expect(app.index.secrets.map((s) => s.name)).toContain('postgres-credentials');
});

test('the committed charts-out/ passes the schemas and policy checks (run npm run synth first)', () => {
  const result = validateDir('charts-out');
  expect(result.findings).toEqual([]);
  expect(result.objects).toBeGreaterThan(5);
});
