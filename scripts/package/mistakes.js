/**
 * Run in a consumer of the packed library (`node mistakes.js`): a plain JavaScript user's mistakes, each refused at
 * construction by the package with the project's error (construct path, prop, value, fix), as stated here.
 * Exits 1 naming the first mistake that is accepted or fails otherwise.
 */
const { Testing } = require('cdk8s');
const { PlatformChart, PlatformValidationError, Route, Service, Worker } = require('k8s-platform');

const IMAGE = 'ghcr.io/stefanprodan/podinfo:6.7.1';

const mistakes = [
  {
    what: 'a misspelt prop',
    build: (app) => new Service(app, 'api', { image: IMAGE, port: 9898, replica: 6 }),
    message: 'shop/api: replica 6 is not a Service prop; did you mean "replicas"?',
  },
  {
    what: 'a misspelt nested prop',
    build: (app) => new Service(app, 'api', { image: IMAGE, port: 9898, liveness: { http: '/healthz', prot: 80 } }),
    message: 'shop/api: liveness.prot 80 is not a health check prop; did you mean "port"?',
  },
  {
    what: 'a Route to a Worker',
    build: (app) => {
      const jobs = new Worker(app, 'jobs', { image: IMAGE, liveness: { exec: ['true'] } });
      new Route(app, 'web', { host: 'shop.example.com', via: 'gateway', paths: [{ to: jobs }] });
    },
    message:
      'shop/web: paths[0].to is Worker "jobs", which serves no port; route to a Service (a Worker has no Service and admits no traffic); make it a Service with a port if it should be reachable',
  },
  {
    what: 'a Worker given a port',
    build: (app) => new Worker(app, 'jobs', { image: IMAGE, port: 8080, liveness: { http: '/healthz' } }),
    message: /^shop\/jobs: port 8080 is not a Worker prop; a Worker serves no port .*metrics: \{ port \}/,
  },
  {
    what: "port: '8080'",
    build: (app) => new Service(app, 'api', { image: IMAGE, port: '8080' }),
    message: 'shop/api: port "8080" is a string, not a number; write the number without quotes: 8080',
  },
  {
    what: 'secretEnv given a plain string',
    build: (app) => new Service(app, 'api', { image: IMAGE, port: 8080, secretEnv: { API_TOKEN: 's3cr3t' } }),
    message:
      /^shop\/api: secretEnv\.API_TOKEN is a plain string \(6 characters\), not a Secret reference; declare the Secret .*requireSecret/,
  },
];

let failed = 0;
for (const { what, build, message } of mistakes) {
  const app = new PlatformChart(Testing.app(), 'shop');
  let error;
  try {
    build(app);
    Testing.synth(app);
  } catch (e) {
    error = e;
  }
  const ok =
    error instanceof PlatformValidationError &&
    (typeof message === 'string' ? error.message === message : message.test(error.message));
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}: ${error ? error.message : 'accepted'}`);
  if (!ok) failed++;
}
process.exit(failed ? 1 : 0);
