// A list-and-watch cache supervised against the known failure modes of @kubernetes/client-node's own
// informer (which stops for good on most errors): every watch end or error restarts the watch from the
// last resourceVersion with jittered backoff, 410 Gone relists, watches end periodically
// (timeoutSeconds) and carry bookmarks, and a watch that goes quiet is cut by the library's
// inactivity timeout and resumed, so a stalled connection cannot freeze the cache.
import { Watch } from '@kubernetes/client-node';
import type { KubeClient } from './kube-client.ts';
import type { Logger } from './logger.ts';

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    generation?: number;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    deletionTimestamp?: string;
    finalizers?: string[];
    ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean }[];
    creationTimestamp?: string;
  };
}

export type EventType = 'add' | 'update' | 'delete';
export type Handler<T> = (type: EventType, obj: T, old?: T) => void;

export function objectKey(o: KubeObject): string {
  const ns = o.metadata?.namespace;
  return ns ? `${ns}/${o.metadata?.name ?? ''}` : (o.metadata?.name ?? '');
}

interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: KubeObject & { code?: number; message?: string; reason?: string };
}

export interface InformerOptions<T> {
  /** Collection path, e.g. /apis/certhost.io/v1alpha1/certificates or .../namespaces/x/certificates. */
  path: string;
  labelSelector?: string;
  log: Logger;
  name: string;
  /**
   * What of each object to keep in memory. metadata.managedFields is always dropped; a Secret
   * informer drops `data` too, so memory does not grow with key material nobody reads from the cache.
   */
  transform?: (obj: T) => T;
}

export class Informer<T extends KubeObject> {
  private readonly cache = new Map<string, T>();
  private readonly handlers: Handler<T>[] = [];
  private readonly client: KubeClient;
  private readonly opts: InformerOptions<T>;
  private resourceVersion = '';
  private abort: AbortController | null = null;
  private stopped = false;
  private synced = false;
  private failures = 0;
  private syncWaiters: (() => void)[] = [];
  private retryTimer: NodeJS.Timeout | null = null;
  /** Restarts so far (for tests and the log). */
  restarts = 0;

  constructor(client: KubeClient, opts: InformerOptions<T>) {
    this.client = client;
    this.opts = opts;
  }

  on(handler: Handler<T>): void {
    this.handlers.push(handler);
  }

  get(key: string): T | undefined {
    return this.cache.get(key);
  }

  list(namespace?: string): T[] {
    const all = [...this.cache.values()];
    return namespace === undefined ? all : all.filter((o) => o.metadata?.namespace === namespace);
  }

  hasSynced(): boolean {
    return this.synced;
  }

  async waitForSync(): Promise<void> {
    if (this.synced) return;
    await new Promise<void>((r) => this.syncWaiters.push(r));
  }

  start(): void {
    this.stopped = false;
    void this.relist();
  }

  stop(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.abort?.abort();
    this.abort = null;
  }

  private query(): Record<string, string | undefined> {
    return this.opts.labelSelector ? { labelSelector: this.opts.labelSelector } : {};
  }

  private async relist(): Promise<void> {
    if (this.stopped) return;
    try {
      const res = await this.client.listAll<T>(this.opts.path, this.query());
      const seen = new Set<string>();
      for (const item of res.items) {
        const key = objectKey(item);
        seen.add(key);
        this.apply(this.cache.has(key) ? 'update' : 'add', item);
      }
      for (const [key, old] of [...this.cache]) if (!seen.has(key)) this.apply('delete', old);
      this.resourceVersion = res.metadata.resourceVersion ?? '';
      if (!this.synced) {
        this.synced = true;
        for (const w of this.syncWaiters.splice(0)) w();
      }
      this.failures = 0;
      void this.watch();
    } catch (e) {
      this.retry(e, true);
    }
  }

  private async watch(): Promise<void> {
    if (this.stopped) return;
    const w = new Watch(this.client.config);
    let gone = false;
    try {
      this.abort = await w.watch(
        this.opts.path,
        {
          ...this.query(),
          resourceVersion: this.resourceVersion,
          allowWatchBookmarks: true,
          // Periodic end of every watch (5-10 min), so connections are renewed and load spreads.
          timeoutSeconds: 300 + Math.floor(Math.random() * 300),
        },
        (phase: string, obj: unknown) => {
          const ev = { type: phase, object: obj } as WatchEvent;
          if (ev.type === 'ERROR') {
            if (ev.object.code === 410) gone = true;
            return;
          }
          const rv = ev.object.metadata?.resourceVersion;
          if (rv) this.resourceVersion = rv;
          if (ev.type === 'BOOKMARK') return;
          this.apply(ev.type === 'DELETED' ? 'delete' : this.cache.has(objectKey(ev.object)) ? 'update' : 'add', ev.object as T);
          this.failures = 0;
        },
        (err: unknown) => {
          this.abort = null;
          if (this.stopped) return;
          if (gone) {
            this.opts.log.info('watch expired (410 Gone); relisting', { informer: this.opts.name });
            void this.relist();
          } else if (err && !isTimeout(err)) {
            this.retry(err, false);
          } else {
            // A normal end (timeoutSeconds) or the inactivity timeout: resume from where we are.
            void this.watch();
          }
        },
      );
    } catch (e) {
      this.retry(e, false);
    }
  }

  private retry(err: unknown, relist: boolean): void {
    if (this.stopped) return;
    this.failures += 1;
    this.restarts += 1;
    const base = Math.min(30_000, 200 * 2 ** Math.min(this.failures, 8));
    const delay = base / 2 + Math.random() * (base / 2); // jitter
    this.opts.log.warn('informer error; restarting', { informer: this.opts.name, error: errorText(err), retryInMs: Math.round(delay), relist });
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (relist || this.resourceVersion === '') void this.relist();
      else void this.watch();
    }, delay);
    this.retryTimer.unref();
  }

  private apply(type: EventType, raw: T): void {
    const slim = raw.metadata && 'managedFields' in raw.metadata ? { ...raw, metadata: { ...raw.metadata, managedFields: undefined } } : raw;
    const obj = this.opts.transform ? this.opts.transform(slim) : slim;
    const key = objectKey(obj);
    const old = this.cache.get(key);
    if (type === 'delete') this.cache.delete(key);
    else this.cache.set(key, obj);
    for (const h of this.handlers) {
      try {
        h(type, obj, old);
      } catch (e) {
        this.opts.log.error('informer handler failed', { informer: this.opts.name, error: errorText(e) });
      }
    }
  }
}

function isTimeout(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'name' in err && (err as { name: string }).name === 'TimeoutError';
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
