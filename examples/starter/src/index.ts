/** The Pulumi program (`main` in Pulumi.yaml): the platform program on this project's charts-out/. */
import { join } from 'node:path';
import { platformProgram } from 'k8s-platform/cloud';

export = platformProgram(join(__dirname, '..', 'charts-out'));
