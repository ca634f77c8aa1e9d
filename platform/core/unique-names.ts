/**
 * Object names are unique per kind and namespace: two constructs that render the same `Kind/name` would make the
 * second apply overwrite the first. Derived names (`<db>-headless`, `<app>-alerts`) can collide with a user's own
 * objects, which only the whole chart shows, so this runs at synth.
 */
import { ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';
import { PropValidator } from './validate';

/** Throws the project's error, naming both constructs, when two objects of `scope` share kind, namespace and name. */
export function assertUniqueObjectNames(scope: Construct): void {
  const seen = new Map<string, string>();
  for (const child of scope.node.findAll()) {
    if (!ApiObject.isApiObject(child)) continue;
    const key = `${child.apiGroup}/${child.kind}/${child.metadata.namespace ?? ''}/${child.name}`;
    const first = seen.get(key);
    if (first !== undefined) {
      new PropValidator(scope.node.path).fail(
        `${child.kind}/${child.name}`,
        `is written twice, by ${first} and ${child.node.path}`,
        'rename one of them: object names are unique per kind and namespace',
      );
    }
    seen.set(key, child.node.path);
  }
}
