// Keeps the built-in CA's hierarchy in its Secret (architecture section 4): created on first start,
// reloaded when the Secret changes, and given an intermediate for a brand when one is needed. With
// autoRotate, a new intermediate is added as soon as the newest one would cut a leaf of the profile's
// maximum validity (so R-CAP truncation happens only when rotation is off or the root ends first).
import type { Clock } from '../runtime/clock.ts';
import { type KubeClient, isAlreadyExists, isConflict, resourcePath } from '../runtime/kube-client.ts';
import type { Logger } from '../runtime/logger.ts';
import { Label, managedByValue } from '../api/labels.ts';
import {
  type CaHierarchy, addIntermediate, createCaHierarchy, deserializeCaHierarchy, intermediatesOf, needsNewIntermediate,
  serializeCaHierarchy,
} from '../issuers/builtin/ca-hierarchy.ts';
import type { SecretObject } from './tls-secret.ts';

export interface CaStoreOptions {
  namespace: string;
  name: string;
  autoRotate: boolean;
}

export class CaStore {
  private hierarchy: CaHierarchy | null = null;
  private resourceVersion = '';
  private readonly client: KubeClient;
  private readonly clock: Clock;
  private readonly log: Logger;
  readonly o: CaStoreOptions;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(client: KubeClient, clock: Clock, log: Logger, o: CaStoreOptions) {
    this.client = client;
    this.clock = clock;
    this.log = log;
    this.o = o;
  }

  private path(name?: string): string {
    return resourcePath({ group: '', version: 'v1', plural: 'secrets', namespace: this.o.namespace, ...(name ? { name } : {}) });
  }

  current(): CaHierarchy {
    if (!this.hierarchy) throw new Error('the CA is not loaded yet');
    return this.hierarchy;
  }

  /** Loads the CA Secret, or creates it (racing replicas: the first create wins, the others load it). */
  async load(): Promise<void> {
    const secret = await this.client.get<SecretObject>(this.path(this.o.name));
    if (secret) {
      await this.adopt(secret);
      return;
    }
    const h = await createCaHierarchy({ now: new Date(this.clock.now()), brands: [] });
    try {
      const created = await this.client.create<SecretObject>(this.path(), this.toSecret(h));
      this.hierarchy = h;
      this.resourceVersion = created.metadata.resourceVersion ?? '';
      this.log.info('created the built-in CA', { secret: `${this.o.namespace}/${this.o.name}` });
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
      const again = await this.client.get<SecretObject>(this.path(this.o.name));
      if (!again) throw e;
      await this.adopt(again);
    }
  }

  /** Called by the Secret informer when the CA Secret changes (a rotated intermediate, R-CAP). */
  async adopt(secret: SecretObject): Promise<boolean> {
    if (secret.metadata.resourceVersion && secret.metadata.resourceVersion === this.resourceVersion) return false;
    const data: Record<string, string> = {};
    for (const [k, v] of Object.entries(secret.data ?? {})) data[k] = Buffer.from(v, 'base64').toString('utf8');
    const read = await deserializeCaHierarchy(data);
    if (!read.ok) throw new Error(`the CA Secret ${this.o.namespace}/${this.o.name} cannot be read: ${read.message}`);
    this.hierarchy = read.hierarchy;
    this.resourceVersion = secret.metadata.resourceVersion ?? '';
    return true;
  }

  /** notAfter of the longest-lived intermediate of a brand (R-CAP), null when there is none. */
  bestNotAfter(brand: string): number | null {
    if (!this.hierarchy) return null;
    const all = intermediatesOf(this.hierarchy, brand);
    return all.length === 0 ? null : Math.max(...all.map((i) => i.notAfter.getTime()));
  }

  /**
   * Makes sure the brand has an intermediate that can sign now (and, with autoRotate, one that lasts
   * for `horizonMs`). Serialized: one change at a time, written with the resourceVersion it was based on.
   */
  ensureBrand(brand: string, horizonMs: number): Promise<void> {
    const run = this.chain.then(() => this.ensureBrandNow(brand, horizonMs));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async ensureBrandNow(brand: string, horizonMs: number): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const h = this.current();
      const now = new Date(this.clock.now());
      const has = intermediatesOf(h, brand).some((i) => i.notBefore <= now && i.notAfter > now);
      const rotate = this.o.autoRotate && needsNewIntermediate(h, brand, now, Math.floor(horizonMs / 1000));
      if (has && !rotate) return;
      const next = await addIntermediate(h, brand, { now });
      try {
        const body = this.toSecret(next);
        body.metadata.resourceVersion = this.resourceVersion;
        const saved = await this.client.replace<SecretObject>(this.path(this.o.name), body);
        this.hierarchy = next;
        this.resourceVersion = saved.metadata.resourceVersion ?? '';
        this.log.info('added an intermediate CA', { brand, reason: has ? 'rotation' : 'new brand' });
        return;
      } catch (e) {
        if (!isConflict(e)) throw e;
        const fresh = await this.client.get<SecretObject>(this.path(this.o.name));
        if (fresh) await this.adopt(fresh);
      }
    }
    throw new Error(`could not add an intermediate for brand ${brand} after repeated conflicts`);
  }

  private toSecret(h: CaHierarchy): SecretObject {
    const data: Record<string, string> = {};
    for (const [k, v] of Object.entries(serializeCaHierarchy(h))) data[k] = Buffer.from(v, 'utf8').toString('base64');
    return {
      apiVersion: 'v1', kind: 'Secret', type: 'Opaque',
      metadata: { name: this.o.name, namespace: this.o.namespace, labels: { [Label.managedBy]: managedByValue, 'certhost.io/component': 'builtin-ca' } },
      data,
    };
  }
}
