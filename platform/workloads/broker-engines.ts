/** The presets of the `MessageBroker` construct, by engine (see `broker-preset.ts`). */
import type { BrokerEngine } from '../core/graph';
import type { BrokerPreset } from './broker-preset';
import { KAFKA_PRESET } from './kafka-preset';
import { RABBITMQ_PRESET } from './rabbitmq-preset';

export type { BrokerEngine };
export type { BrokerClient, BrokerContext, BrokerExporter, BrokerPreset } from './broker-preset';
export { BROKER_BOOT_TIMEOUT_SECONDS } from './broker-preset';

/** The presets, by engine. */
export const BROKER_ENGINES: Readonly<Record<BrokerEngine, BrokerPreset>> = {
  rabbitmq: RABBITMQ_PRESET,
  kafka: KAFKA_PRESET,
};
