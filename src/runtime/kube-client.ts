// A small REST client over @kubernetes/client-node's configuration and authentication: one place where
// every API request is made, rate limited (--qps/--burst) and counted (kube_api_requests_total).
// The generated typed clients of the library need one class per API group and no status subresource
// for custom resources; the operator only needs get/list/create/update/patch/delete on paths.
import { HttpMethod, type KubeConfig, RequestContext } from '@kubernetes/client-node';
import { fetch } from 'undici';

export interface ResourceRef {
  group: string; // '' for the core group
  version: string;
  plural: string;
  namespace?: string;
  name?: string;
  subresource?: string;
}

export function resourcePath(r: ResourceRef): string {
  const base = r.group === '' ? `/api/${r.version}` : `/apis/${r.group}/${r.version}`;
  const ns = r.namespace ? `/namespaces/${encodeURIComponent(r.namespace)}` : '';
  const name = r.name ? `/${encodeURIComponent(r.name)}` : '';
  const sub = r.name && r.subresource ? `/${r.subresource}` : '';
  return `${base}${ns}/${r.plural}${name}${sub}`;
}

export interface Status {
  kind?: string;
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
}

/** A non-2xx answer of the API server. The message is the server's (never request bodies). */
export class ApiError extends Error {
  readonly code: number;
  readonly reason: string;
  constructor(code: number, reason: string, message: string) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.reason = reason;
  }
}

export const isNotFound = (e: unknown): boolean => e instanceof ApiError && e.code === 404;
export const isConflict = (e: unknown): boolean => e instanceof ApiError && e.code === 409;
export const isAlreadyExists = (e: unknown): boolean => e instanceof ApiError && e.code === 409 && e.reason === 'AlreadyExists';

export type RequestObserver = (verb: string, resource: string, code: number) => void;

export interface KubeClientOptions {
  qps?: number;
  burst?: number;
  onRequest?: RequestObserver;
}

type PatchType = 'merge' | 'json' | 'strategic';
const patchContentType: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  strategic: 'application/strategic-merge-patch+json',
};

export interface ListResult<T> {
  items: T[];
  metadata: { resourceVersion?: string; continue?: string };
}

export class KubeClient {
  readonly config: KubeConfig;
  private readonly server: string;
  private readonly opts: KubeClientOptions;
  private tokens: number;
  private last = performance.now();

  constructor(config: KubeConfig, opts: KubeClientOptions = {}) {
    const cluster = config.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster');
    this.config = config;
    this.server = cluster.server.replace(/\/$/, '');
    this.opts = opts;
    this.tokens = opts.burst ?? 100;
  }

  async get<T>(path: string): Promise<T | null> {
    try {
      return await this.request<T>('GET', path);
    } catch (e) {
      if (isNotFound(e)) return null;
      throw e;
    }
  }

  async list<T>(path: string, query: Record<string, string | number | undefined> = {}): Promise<ListResult<T>> {
    return this.request<ListResult<T>>('GET', path, undefined, undefined, query);
  }

  /** Lists every page. */
  async listAll<T>(path: string, query: Record<string, string | number | undefined> = {}): Promise<ListResult<T>> {
    const items: T[] = [];
    let cont: string | undefined;
    let rv: string | undefined;
    do {
      const page = await this.list<T>(path, { ...query, limit: 500, continue: cont });
      items.push(...page.items);
      cont = page.metadata.continue || undefined;
      rv = page.metadata.resourceVersion;
    } while (cont);
    return rv === undefined ? { items, metadata: {} } : { items, metadata: { resourceVersion: rv } };
  }

  async create<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('POST', path, body);
  }

  async replace<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PUT', path, body);
  }

  async patch<T>(path: string, body: unknown, type: PatchType = 'merge'): Promise<T> {
    return this.request<T>('PATCH', path, body, patchContentType[type]);
  }

  /** Deletes; a missing object is not an error. */
  async delete(path: string, body?: unknown): Promise<void> {
    try {
      await this.request<unknown>('DELETE', path, body);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  async request<T>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown, contentType?: string,
    query: Record<string, string | number | undefined> = {}): Promise<T> {
    await this.takeToken();
    const url = new URL(this.server + path);
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') url.searchParams.set(k, String(v));
    const ctx = new RequestContext(url.toString(), HttpMethod[method]);
    await this.config.applySecurityAuthentication(ctx);
    const headers: Record<string, string> = { ...ctx.getHeaders(), accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = contentType ?? 'application/json';
    const dispatcher = this.dispatcherFrom(ctx.getDispatcher());
    let res;
    try {
      res = await fetch(url, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        ...(dispatcher ? { dispatcher: dispatcher as never } : {}),
      });
    } catch (e) {
      this.opts.onRequest?.(verbOf(method, path), resourceOf(path), 0);
      // A connection error (the API server restarted, a proxy cut us off): start over with a new pool.
      this.dispatcher = undefined;
      throw e;
    }
    this.opts.onRequest?.(verbOf(method, path, url.searchParams.has('watch')), resourceOf(path), res.status);
    const text = await res.text();
    if (res.status < 200 || res.status >= 300) {
      let status: Status = {};
      try {
        status = JSON.parse(text) as Status;
      } catch {
        /* not a Status object */
      }
      throw new ApiError(res.status, status.reason ?? String(res.status), `${method} ${path}: ${status.message ?? res.statusText}`);
    }
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }

  /**
   * client-node 2.x builds a new undici Agent for every request, so every request would open a new TLS
   * connection (slow, and memory grows with the request rate). Keep one Agent per client and renew it
   * every ten minutes, so rotated client certificates are still picked up.
   */
  private dispatcher: unknown = undefined;
  private dispatcherAt = -Infinity;
  private dispatcherFrom(fresh: unknown): unknown {
    const now = performance.now();
    if (this.dispatcher === undefined || now - this.dispatcherAt > 10 * 60_000) {
      const old = this.dispatcher as { close?: () => Promise<void> } | undefined;
      this.dispatcher = fresh;
      this.dispatcherAt = now;
      if (old?.close) setTimeout(() => void old.close?.().catch(() => undefined), 60_000).unref();
    } else {
      void (fresh as { close?: () => Promise<void> } | undefined)?.close?.().catch(() => undefined);
    }
    return this.dispatcher;
  }

  private async takeToken(): Promise<void> {
    const qps = this.opts.qps ?? 50;
    const burst = this.opts.burst ?? 100;
    for (;;) {
      const now = performance.now();
      this.tokens = Math.min(burst, this.tokens + ((now - this.last) / 1000) * qps);
      this.last = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await new Promise((r) => setTimeout(r, ((1 - this.tokens) / qps) * 1000));
    }
  }
}

/** The Kubernetes verb of a request, for the metric (list vs get, watch). */
function verbOf(method: string, path: string, watch = false): string {
  if (method === 'GET') return watch ? 'watch' : resourceHasName(path) ? 'get' : 'list';
  return { POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' }[method] ?? method.toLowerCase();
}

function segments(path: string): string[] {
  const parts = path.split('?')[0]?.split('/').filter(Boolean) ?? [];
  // /api/v1/... or /apis/group/version/...
  const rest = parts[0] === 'api' ? parts.slice(2) : parts.slice(3);
  return rest[0] === 'namespaces' && rest.length >= 3 ? rest.slice(2) : rest;
}

function resourceHasName(path: string): boolean {
  return segments(path).length >= 2;
}

/** The resource (plural, with /subresource) of a path, for the metric. */
export function resourceOf(path: string): string {
  const s = segments(path);
  if (s.length === 0) return 'namespaces';
  return s.length >= 3 ? `${s[0]}/${s[2]}` : (s[0] ?? 'unknown');
}
