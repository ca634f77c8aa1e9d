// The folder's public names, listed one by one: its internals (resolve*, add*, render* builders and the
// types only they use) are imported by module path inside the package, not re-exported here.
export {
  LINKERD_OPAQUE_PORTS_ANNOTATION,
  LINKERD_PROXY_RESOURCE_ANNOTATIONS,
  DEFAULT_PROXY_RESOURCES,
  MESH_INJECTIONS,
} from './linkerd';
export type { MeshInjection, ProxyResources, MeshOptions } from './linkerd';
export { LINKERD_DEFAULT_INBOUND_POLICY_ANNOTATION, DEFAULT_INBOUND_POLICY } from './policy';
export { HTTP_METHODS, IDEMPOTENT_METHODS } from './route-metrics';
export type { HttpMethod, RouteMetric } from './route-metrics';
