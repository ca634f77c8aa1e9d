/**
 * A small Kubernetes API client for the e2e suite: server-side apply of one object at a time with strict field
 * validation, so that every refusal and every warning header comes back with the object it is about; and GET/LIST
 * for the checks that follow. It speaks to the local cluster only (its CA and admin token).
 */
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import type { KubeObject } from '../lib/manifests';

/** The answer to one request: status, body and the API server's warning headers. */
export interface KubeResponse<T = unknown> {
  readonly status: number;
  readonly body: T;
  readonly warnings: readonly string[];
}

/** Thrown when the API server refuses a request: carries its own words. */
export class KubeApiError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}

interface Resource {
  readonly plural: string;
  readonly namespaced: boolean;
}

interface ApiResourceList {
  readonly groupVersion: string;
  readonly resources: ReadonlyArray<{ name: string; kind: string; namespaced: boolean }>;
}

/** Connection details, read from a kubeconfig written by `startLocalCluster`. */
export interface KubeTarget {
  readonly server: string;
  readonly ca: Buffer;
  readonly token: string;
}

/** Reads server, CA and token from one of the local cluster's kubeconfigs. */
export function targetFromKubeconfig(path: string): KubeTarget {
  const text = readFileSync(path, 'utf8');
  const field = (name: string): string => {
    const m = new RegExp(`${name}: (\\S+)`).exec(text);
    if (!m) throw new Error(`${path} has no ${name}`);
    return m[1];
  };
  return { server: field('server'), ca: readFileSync(field('certificate-authority')), token: field('token') };
}

/** Parses `Warning: 299 - "text"` headers into their texts. */
function warningTexts(header: string | string[] | undefined): string[] {
  const values = header === undefined ? [] : Array.isArray(header) ? header : [header];
  return values.flatMap((v) => [...v.matchAll(/\d{3} \S+ "((?:[^"\\]|\\.)*)"/g)].map((m) => m[1].replace(/\\"/g, '"')));
}

/** A client bound to one cluster, caching API discovery. */
export class KubeClient {
  private readonly resources = new Map<string, Resource>();

  constructor(private readonly target: KubeTarget) {}

  /** Sends one request; resolves with status, parsed body and warnings (never throws on an HTTP status). */
  send<T = unknown>(
    method: string,
    path: string,
    body?: string,
    contentType = 'application/json',
  ): Promise<KubeResponse<T>> {
    const url = new URL(path, this.target.server);
    return new Promise((resolve, reject) => {
      const req = request(
        url,
        {
          method,
          ca: this.target.ca,
          // No kept-alive sockets: a test that waits minutes on a pulumi command would find them closed by the
          // API server, and the next request would fail with EPIPE.
          agent: false,
          headers: {
            authorization: `Bearer ${this.target.token}`,
            accept: 'application/json',
            ...(body === undefined ? {} : { 'content-type': contentType }),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = text;
            try {
              parsed = text ? JSON.parse(text) : undefined;
            } catch {
              // not JSON (e.g. /readyz): keep the text
            }
            resolve({ status: res.statusCode ?? 0, body: parsed as T, warnings: warningTexts(res.headers.warning) });
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  /** Sends a request and throws {@link KubeApiError} with the server's message unless it succeeded. */
  async call<T = unknown>(method: string, path: string, body?: string, contentType?: string): Promise<KubeResponse<T>> {
    const res = await this.send<T>(method, path, body, contentType);
    if (res.status >= 300) {
      const message = (res.body as { message?: string } | undefined)?.message ?? JSON.stringify(res.body);
      throw new KubeApiError(res.status, message);
    }
    return res;
  }

  private async resource(apiVersion: string, kind: string): Promise<Resource> {
    const key = `${apiVersion}/${kind}`;
    const known = this.resources.get(key);
    if (known) return known;
    const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    const list = (await this.call<ApiResourceList>('GET', base)).body;
    for (const r of list.resources) {
      if (!r.name.includes('/'))
        this.resources.set(`${apiVersion}/${r.kind}`, { plural: r.name, namespaced: r.namespaced });
    }
    const found = this.resources.get(key);
    if (!found) throw new KubeApiError(404, `the server has no ${kind} in ${apiVersion}`);
    return found;
  }

  /** The URL path of a collection (`name` omitted) or of one object. */
  async path(apiVersion: string, kind: string, namespace?: string, name?: string): Promise<string> {
    const r = await this.resource(apiVersion, kind);
    const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    const ns = r.namespaced && namespace ? `/namespaces/${namespace}` : '';
    return `${base}${ns}/${r.plural}${name ? `/${name}` : ''}`;
  }

  /**
   * Server-side apply of one object with strict field validation (an unknown or duplicate field is an error,
   * not a warning). Resolves with the warnings the server sent.
   */
  async apply(obj: KubeObject, fieldManager = 'k8s-platform-e2e'): Promise<readonly string[]> {
    const path = await this.path(obj.apiVersion, obj.kind, obj.metadata.namespace, obj.metadata.name ?? '');
    const query = `?fieldManager=${fieldManager}&fieldValidation=Strict&force=true`;
    const res = await this.call('PATCH', `${path}${query}`, JSON.stringify(obj), 'application/apply-patch+yaml');
    return res.warnings;
  }

  /** GET one object, or undefined when it does not exist. */
  async get<T = KubeObject>(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    name: string,
  ): Promise<T | undefined> {
    const res = await this.send<T>('GET', await this.path(apiVersion, kind, namespace, name));
    if (res.status === 404) return undefined;
    if (res.status >= 300) throw new KubeApiError(res.status, JSON.stringify(res.body));
    return res.body;
  }

  /** LIST the objects of a kind, in one namespace or all; `query` e.g. `fieldSelector=...`. */
  async list<T = KubeObject>(apiVersion: string, kind: string, namespace?: string, query = ''): Promise<T[]> {
    const path = await this.path(apiVersion, kind, namespace);
    const res = await this.call<{ items: T[] }>('GET', `${path}${query ? `?${query}` : ''}`);
    return res.body.items;
  }

  /** Forgets cached discovery (after CRDs were added). */
  forgetDiscovery(): void {
    this.resources.clear();
  }
}
