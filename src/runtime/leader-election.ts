// Leader election on a coordination.k8s.io/v1 Lease, as client-go does it: 15 s lease, renew every
// 2 s and give up leadership when a renewal has not succeeded for 10 s, release on shutdown (the
// holder is cleared so another replica takes over at once). Lease times are real time, never the
// test clock: a fake clock jump must not depose the leader.
import { type KubeClient, isConflict, isNotFound, resourcePath } from './kube-client.ts';
import type { Logger } from './logger.ts';
import { SystemClock } from './clock.ts';

/** Lease times are wall-clock time whatever clock the operator runs on. */
const wall = new SystemClock();

export interface LeaderElectionOptions {
  namespace: string;
  name: string;
  identity: string;
  leaseDurationSeconds?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  log: Logger;
}

interface Lease {
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec: {
    holderIdentity?: string | null;
    leaseDurationSeconds?: number;
    acquireTime?: string | null;
    renewTime?: string | null;
    leaseTransitions?: number;
  };
}

/** Lease timestamps are MicroTime: RFC 3339 with microseconds. */
function microTime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '000Z');
}

export class LeaderElector {
  private readonly client: KubeClient;
  private readonly o: Required<LeaderElectionOptions>;
  private leading = false;
  private stopped = false;
  private lastRenew = 0;
  private timer: NodeJS.Timeout | null = null;
  private observed: { holder: string; renewTime: string; seenAt: number } | null = null;
  private onStart: () => void = () => undefined;
  private onStop: () => void = () => undefined;

  constructor(client: KubeClient, opts: LeaderElectionOptions) {
    this.client = client;
    this.o = { leaseDurationSeconds: 15, renewDeadlineMs: 10_000, retryPeriodMs: 2_000, ...opts };
  }

  isLeader(): boolean {
    return this.leading;
  }

  /** Runs until stop(): calls onStart when leadership is won and onStop when it is lost. */
  run(onStart: () => void, onStop: () => void): void {
    this.onStart = onStart;
    this.onStop = onStop;
    void this.tick();
  }

  private path(name?: string): string {
    return resourcePath({ group: 'coordination.k8s.io', version: 'v1', plural: 'leases', namespace: this.o.namespace, ...(name ? { name } : {}) });
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    const ok = await this.tryAcquireOrRenew().catch((e: unknown) => {
      this.o.log.warn('lease update failed', { lease: this.o.name, error: e instanceof Error ? e.message : String(e) });
      return false;
    });
    const now = performance.now();
    if (ok) {
      this.lastRenew = now;
      if (!this.leading) {
        this.leading = true;
        this.o.log.info('became leader', { lease: this.o.name, identity: this.o.identity });
        this.onStart();
      }
    } else if (this.leading && now - this.lastRenew > this.o.renewDeadlineMs) {
      this.leading = false;
      this.o.log.warn('lost leadership', { lease: this.o.name });
      this.onStop();
    }
    if (!this.stopped) {
      this.timer = setTimeout(() => void this.tick(), this.o.retryPeriodMs);
    }
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const nowWall = wall.now();
    const lease = await this.client.get<Lease>(this.path(this.o.name));
    if (!lease) {
      await this.client.create(this.path(), {
        apiVersion: 'coordination.k8s.io/v1', kind: 'Lease',
        metadata: { name: this.o.name, namespace: this.o.namespace },
        spec: { holderIdentity: this.o.identity, leaseDurationSeconds: this.o.leaseDurationSeconds, acquireTime: microTime(nowWall), renewTime: microTime(nowWall), leaseTransitions: 0 },
      }).catch((e: unknown) => { if (!isConflict(e)) throw e; return null; });
      return (await this.client.get<Lease>(this.path(this.o.name)))?.spec.holderIdentity === this.o.identity;
    }
    const holder = lease.spec.holderIdentity ?? '';
    const renewTime = lease.spec.renewTime ?? '';
    // Expiry is judged by when *we* saw the record change (local monotonic time), not by comparing
    // clocks across machines, as client-go does.
    if (!this.observed || this.observed.holder !== holder || this.observed.renewTime !== renewTime) {
      this.observed = { holder, renewTime, seenAt: performance.now() };
    }
    const expired = holder === '' || performance.now() - this.observed.seenAt > (lease.spec.leaseDurationSeconds ?? this.o.leaseDurationSeconds) * 1000;
    if (holder !== this.o.identity && !expired) return false;
    const takeover = holder !== this.o.identity;
    const spec = {
      ...lease.spec,
      holderIdentity: this.o.identity,
      leaseDurationSeconds: this.o.leaseDurationSeconds,
      renewTime: microTime(nowWall),
      ...(takeover ? { acquireTime: microTime(nowWall), leaseTransitions: (lease.spec.leaseTransitions ?? 0) + 1 } : {}),
    };
    try {
      await this.client.replace(this.path(this.o.name), { ...lease, spec });
      return true;
    } catch (e) {
      if (isConflict(e) || isNotFound(e)) return false;
      throw e;
    }
  }

  /** Stops campaigning; a leader clears the holder so a standby takes over without waiting. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (!this.leading) return;
    this.leading = false;
    try {
      const lease = await this.client.get<Lease>(this.path(this.o.name));
      if (lease?.spec.holderIdentity === this.o.identity) {
        await this.client.replace(this.path(this.o.name), { ...lease, spec: { ...lease.spec, holderIdentity: null, leaseDurationSeconds: 1, renewTime: microTime(wall.now()) } });
      }
    } catch (e) {
      this.o.log.warn('could not release the lease', { error: e instanceof Error ? e.message : String(e) });
    }
  }
}
