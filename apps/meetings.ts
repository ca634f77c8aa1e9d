/**
 * `meetings`: event scheduling behind an API gateway (reference app 5, seed 004). Customers create and join
 * events from a web front end or a Telegram bot; every request enters through one API gateway that rate-limits
 * users with Redis and routes to the auth and scheduler services. The three pillars of observability reach
 * Grafana: metrics (Prometheus), logs (Loki) and traces (Tempo, through OpenTelemetry).
 *
 * Seed component → construct:
 * - Web (front end) → static-site `Service` `web`, routed at `/` on `meetings.<domain>` (Gateway API);
 * - API Gateway (single entry point, rate limiter middleware) → `Service` `api-gateway`, routed at `/api`; the only
 *   caller of `auth` and `scheduler`; its rate limiter's counters live in `redis`;
 * - Auth (validates users' credentials) → `Service` `auth`, reads and writes `mongodb`;
 * - SchedulerApplication (events and their workflows) → `Service` `scheduler`, reads and writes `mongodb`;
 * - Bot (Telegram interface) → `Worker` `bot`: no port and no route, calls `api-gateway` and, outbound only, the
 *   Telegram Bot API over HTTPS (`allowEgress` to the Internet on 443); its token is the config-supplied Secret
 *   `bot-telegram`;
 * - the database of scheduler and auth → `Database` `mongodb` (StatefulSet); the rate limiter's store →
 *   `Database` `redis`;
 * - metrics → a monitor for every podinfo workload and database exporter; logs → `logs: 'loki'` (Alloy ships
 *   every container's output to Loki); traces → `tracing` on each FastAPI service and the bot (OTLP to Tempo);
 *   the per-service dashboard → the app's Grafana dashboard.
 *
 * The web front end is a static site: browsers call the API gateway through the route, so it has no dependency.
 */
import type { Construct } from 'constructs';
import { Database, PlatformChart, Route, Service, Worker } from '../platform';
import type { ServiceProps, WorkerProps } from '../platform';
import { AppSettings } from './settings';
import { backgroundWorker, database, microservice, staticSite } from './stand-ins';

/** The Secret holding the bot's Telegram token (supplied through stack config, never generated). */
export const TELEGRAM_SECRET = 'bot-telegram';
/** Requests a user may make per minute through the API gateway before the rate limiter answers 429. */
export const RATE_LIMIT_PER_MINUTE = 60;
/** HTTPS: the Telegram Bot API (`api.telegram.org`) is reached on this port only. */
const HTTPS_PORT = 443;

/** Exports traces; the podinfo stand-in names its spans after the `--otel-service-name` flag. */
function traced<P extends ServiceProps | WorkerProps>(props: P): P {
  return { ...props, tracing: true, args: [...(props.args ?? []), '--otel-service-name=$(OTEL_SERVICE_NAME)'] };
}

/** Builds the meetings app. */
export function meetings(scope: Construct): PlatformChart {
  const app = new PlatformChart(scope, 'meetings', { logs: 'loki' });
  const settings = new AppSettings(app);
  const mongodb = new Database(
    app,
    'mongodb',
    database(settings, 'mongodb', { engine: 'mongodb', database: 'meetings', storage: '10Gi' }),
  );
  const redis = new Database(app, 'redis', database(settings, 'redis', { engine: 'redis', storage: '1Gi' }));

  const auth = new Service(app, 'auth', traced(microservice(settings, 'auth', { min: 2, max: 6 })));
  auth.connectTo(mongodb, { envPrefix: 'MONGODB' });
  const scheduler = new Service(app, 'scheduler', traced(microservice(settings, 'scheduler', { min: 2, max: 8 })));
  scheduler.connectTo(mongodb, { envPrefix: 'MONGODB' });
  const gateway = new Service(app, 'api-gateway', {
    // The stand-in forwards each `POST /api/echo` to auth and scheduler: one trace spans the three services.
    ...traced(microservice(settings, 'api-gateway', { min: 2, max: 10 }, ['AUTH_SERVICE', 'SCHEDULER_SERVICE'])),
    env: { RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT_PER_MINUTE) },
  });
  gateway
    .connectTo(redis, { envPrefix: 'RATE_LIMITER_REDIS' })
    .connectTo(auth, { envPrefix: 'AUTH_SERVICE' })
    .connectTo(scheduler, { envPrefix: 'SCHEDULER_SERVICE' });

  const telegram = app.requireSecret(TELEGRAM_SECRET, ['token'], {
    generate: false,
    description: 'Telegram Bot API token of the meetings bot (from @BotFather)',
  });
  // One replica: Telegram delivers each update to one long-polling client, so a second bot would steal them.
  const bot = new Worker(app, 'bot', {
    ...traced(backgroundWorker(settings, 'bot', 1)),
    secretEnv: { TELEGRAM_TOKEN: telegram.token },
  });
  bot.connectTo(gateway, { envPrefix: 'API_GATEWAY' }).allowEgress({ to: 'internet', ports: [HTTPS_PORT] });

  const web = new Service(app, 'web', staticSite(settings, 'web', { min: 2, max: 4 }));
  new Route(app, 'public', {
    host: settings.host('meetings'),
    via: 'gateway',
    paths: [
      { path: '/', to: web },
      { path: '/api', to: gateway },
    ],
  });
  return app;
}
