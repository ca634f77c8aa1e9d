/** The cdk8s app (`app` in cdk8s.yaml): writes charts-out/ (manifests and index.json). */
import { App } from 'cdk8s';
import { synthesize } from 'k8s-platform';
import { shop } from './shop';

const app = new App();
shop(app);
synthesize(app); // into $CDK8S_OUTDIR, else charts-out
