/**
 * Issue 26, item 5: mistakes that used to fail raw (at synth) or with a misleading message now fail when the
 * construct is created, with the construct path, the prop, the value and the fix.
 */
import { Testing } from 'cdk8s';
import { Route, Service, Worker } from '../../platform';
import { newChart, platformError } from '../helpers';

const IMAGE = 'ghcr.io/stefanprodan/podinfo:6.7.1';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const untyped = (value: unknown): any => value;

test('a Route to a Worker fails at construction, not at synth with IntOrString', () => {
  const app = newChart();
  const jobs = new Worker(app, 'jobs', { image: IMAGE, liveness: { exec: ['true'] } });
  const e = platformError(() => {
    new Route(app, 'web', { host: 'shop.example.com', via: 'gateway', paths: [{ to: untyped(jobs) }] });
    Testing.synth(app);
  });
  expect(e.message).toBe(
    'shop/web: paths[0].to is Worker "jobs", which serves no port; route to a Service (a Worker has no Service and admits no traffic); make it a Service with a port if it should be reachable',
  );
});

test('a Worker given a port is told what to do with it, instead of dropping it', () => {
  const e = platformError(
    () => new Worker(newChart(), 'jobs', untyped({ image: IMAGE, port: 8080, liveness: { http: '/healthz' } })),
  );
  expect([e.constructPath, e.prop, e.problem]).toEqual(['shop/jobs', 'port', '8080 is not a Worker prop']);
  expect(e.fix).toMatch(/a Worker serves no port .* make it a Service .* metrics: \{ port \}/);
});

test("port: '8080' says it is a string, not that it is out of range", () => {
  const e = platformError(() => new Service(newChart(), 'api', untyped({ image: IMAGE, port: '8080' })));
  expect(e.message).toBe('shop/api: port "8080" is a string, not a number; write the number without quotes: 8080');
});

test('a quoted replica count gets the same fix', () => {
  const e = platformError(() => new Service(newChart(), 'api', untyped({ image: IMAGE, port: 8080, replicas: '3' })));
  expect([e.prop, e.fix]).toEqual(['replicas', 'write the number without quotes: 3']);
});

test('secretEnv given a plain string says it needs a Secret reference, not "secret undefined"', () => {
  const e = platformError(
    () => new Service(newChart(), 'api', untyped({ image: IMAGE, port: 8080, secretEnv: { API_TOKEN: 's3cr3t' } })),
  );
  expect([e.constructPath, e.prop, e.problem]).toEqual([
    'shop/api',
    'secretEnv.API_TOKEN',
    'is a plain string (6 characters), not a Secret reference',
  ]);
  expect(e.fix).toMatch(/app\.requireSecret\(.*plain values go in env/);
  expect(e.message).not.toContain('s3cr3t'); // likely the secret itself: never into a log
});
