/** The reference apps, by name: each builds one `PlatformChart`. */
import type { Construct } from 'constructs';
import type { PlatformChart } from '../platform';
import { chat } from './chat';
import { covidVisualizer } from './covid-visualizer';
import { meetings } from './meetings';
import { messagingPlatform } from './messaging-platform';
import { rendezvous } from './rendezvous';

/** Builds one app in `scope`. */
export type AppBuilder = (scope: Construct) => PlatformChart;

/** Every reference app, in synth order. */
export const REFERENCE_APPS: Readonly<Record<string, AppBuilder>> = {
  rendezvous,
  chat,
  'covid-visualizer': covidVisualizer,
  'messaging-platform': messagingPlatform,
  meetings,
};
