// The folder's public names, listed one by one: its internals (resolve*, add*, render* builders and the
// types only they use) are imported by module path inside the package, not re-exported here.
export { INTERNET_EXCEPT } from './egress';
export type { CidrPeer, EgressPeer, EgressRule, NamespacePeer } from './egress';
export type { IngressSource } from './network-policies';
export { ROUTE_VIAS, DEFAULT_ROUTE_TIMEOUT_SECONDS, DEFAULT_WEBSOCKET_TIMEOUT_SECONDS, Route } from './routes';
export type { RouteVia, Routable, WeightedBackend, RoutePath, RouteProps } from './routes';
export { ROUTE_TLS_EXCEPTION } from './route-tls';
export type { CertIssuer, RouteTls } from './route-tls';
