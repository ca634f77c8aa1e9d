/** The Pulumi program (`main` in Pulumi.yaml): this project's app stack on the platform stack it names. */
import { join } from 'node:path';
import { appProgram } from 'k8s-platform/cloud';

export = appProgram(join(__dirname, '..', 'charts-out'));
