/**
 * Bench case, the floor: N services written with bare cdk8s-plus-27 (Deployment, Service, HPA each), synthesized
 * like `npm run synth` does (one YAML file per chart).
 *
 * Usage: `ts-node --swc scripts/bench/case-bare-app.ts <services> <outdir>`
 */
import { ApiObject, App, Chart, YamlOutputType } from 'cdk8s';
import { Deployment, HorizontalPodAutoscaler } from 'cdk8s-plus-27';
import { report, sinceStart } from './case-output';

const loaded = sinceStart();

const [services, outdir] = [Number(process.argv[2]), process.argv[3]];
if (!Number.isInteger(services) || services < 1 || !outdir) throw new Error('usage: <services> <outdir>');
const app = new App({ outdir, outputFileExtension: '.k8s.yaml', yamlOutputType: YamlOutputType.FILE_PER_CHART });
const chart = new Chart(app, 'bench', { namespace: 'bench' });
for (let i = 0; i < services; i++) {
  const deployment = new Deployment(chart, `svc-${i}`, {
    containers: [{ image: 'ghcr.io/stefanprodan/podinfo:6.7.1', portNumber: 9898 }],
  });
  deployment.exposeViaService({ name: `svc-${i}` });
  new HorizontalPodAutoscaler(chart, `svc-${i}-hpa`, { target: deployment, minReplicas: 2, maxReplicas: 5 });
}
const built = sinceStart();
app.synth();
const synthesized = sinceStart();
report({
  phases: { load: loaded, build: built, synth: synthesized },
  objects: chart.node.findAll().filter((c) => c instanceof ApiObject).length,
});
