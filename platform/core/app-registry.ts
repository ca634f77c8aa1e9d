/**
 * What the charts of one cdk8s app share: the namespaces the apps took and the hosts and paths their routes claim,
 * where a second claim is an error. One record per cdk8s app, kept as a construct at the app's root and found by
 * its id, so that two cdk8s apps of one process (tests, a consumer's own tooling) never see each other's claims.
 */
import type { IConstruct } from 'constructs';
import { Construct } from 'constructs';

/** A host claimed by a route. */
export interface HostClaim {
  /** The ingress implementation serving it. */
  readonly via: string;
  /** The construct path of the route that claimed it first. */
  readonly route: string;
  /** Its paths routed so far, by every route of the host. */
  readonly paths: Set<string>;
}

/** Upper-case id: chart ids are DNS labels, so it never collides with an app. */
const REGISTRY_ID = 'PlatformRegistry';

/** The shared record of one cdk8s app (see the module comment). */
export class AppRegistry extends Construct {
  /** The record of the cdk8s app `scope` belongs to, created with the first call. */
  static of(scope: IConstruct): AppRegistry {
    const root = scope.node.root;
    const found = root.node.tryFindChild(REGISTRY_ID);
    return found instanceof AppRegistry ? found : new AppRegistry(root as Construct, REGISTRY_ID);
  }

  /** App namespaces, each with the name of the app that took it. */
  readonly namespaces = new Map<string, string>();
  /** Hosts routed, each with its first route and every path claimed on it. */
  readonly hosts = new Map<string, HostClaim>();
}
