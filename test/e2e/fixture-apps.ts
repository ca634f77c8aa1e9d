/**
 * Apps the e2e deploys besides charts-out/: what the reference apps do not use but the library offers. `events` is
 * a Kafka quorum of three brokers (topic `orders`, six partitions, three replicas), a producer service and a consumer
 * worker scaling on its group's lag with KEDA, on the reference apps' podinfo stand-ins. The control-plane suite
 * applies it with the exporter (kwok runs no container); the real-node suite without it (`metrics: false`): no
 * registry serves kafka_exporter's sources to build its image from.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Construct } from 'constructs';
import { MessageBroker, PlatformChart, Service, Worker } from '../../platform';
import type { ChartsIndex } from '../../platform';
import { synthesizeApps } from '../../apps/main';
import type { AppBuilder } from '../../apps';
import { AppSettings } from '../../apps/settings';
import { backgroundWorker, microservice } from '../../apps/stand-ins';
import { INDEX_FILE, loadManifestDir } from '../../scripts/lib/manifests';
import type { ManifestObject } from '../../scripts/lib/manifests';

/** The Kafka fixture app's name (and namespace). */
export const EVENTS_APP = 'events';

/** The Kafka fixture: with or without its brokers' metrics exporter. */
export function eventsApp(options: { metrics: boolean }): AppBuilder {
  return (scope: Construct) => {
    const app = new PlatformChart(scope, EVENTS_APP);
    const settings = new AppSettings(app);
    const kafka = new MessageBroker(app, 'kafka', {
      engine: 'kafka',
      brokers: 3,
      queues: [{ name: 'orders', partitions: 6 }],
      metrics: options.metrics,
      // Three JVMs on a two-core test machine: a smaller heap than the preset's default (half of 768Mi).
      resources: { cpu: { request: '100m' }, memory: { request: '512Mi', limit: '768Mi' } },
    });
    const orders = new Service(app, 'orders', microservice(settings, 'orders', 1));
    orders.publishesTo(kafka.queue('orders'));
    new Worker(
      app,
      'fulfilment',
      backgroundWorker(settings, 'fulfilment', {
        min: 1,
        max: 6,
        queue: kafka.queue('orders'),
        messagesPerReplica: 50,
      }),
    );
    return app;
  };
}

/** Synthesizes fixture apps as `npm run synth` does charts-out/ (manifests and index), in a folder of their own. */
export function synthFixtures(apps: Readonly<Record<string, AppBuilder>>): {
  index: ChartsIndex;
  manifests: ManifestObject[];
  dir: string;
} {
  const dir = mkdtempSync(join(tmpdir(), 'k8s-platform-fixtures-'));
  synthesizeApps(dir, apps);
  const index = JSON.parse(readFileSync(join(dir, INDEX_FILE), 'utf8')) as ChartsIndex;
  return { index, manifests: loadManifestDir(dir).objects, dir };
}

/** Removes a fixture folder. */
export function removeFixtures(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
