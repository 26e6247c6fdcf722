// One reconciler's loop: keys from informer events and the transition scheduler go into a workqueue;
// workers take them one at a time per key, reconcile, and either forget the key, schedule it for the
// next transition instant, or back off after an error.
import type { Clock } from './clock.ts';
import { TransitionScheduler } from './transition-scheduler.ts';
import { WorkQueue } from './workqueue.ts';
import type { Logger } from './logger.ts';
import { errorText } from './informer.ts';

export interface ReconcileResult {
  /** The next instant (test clock time) at which something changes for this object; null for none. */
  nextAt?: number | null;
  /** Retry after this much real time (an external dependency that is not there yet). */
  requeueAfterMs?: number;
}

export type Reconcile = (key: string) => Promise<ReconcileResult>;

export interface ControllerOptions {
  name: string;
  workers: number;
  clock: Clock;
  log: Logger;
  reconcile: Reconcile;
  onResult?: (result: 'success' | 'error', depth: number) => void;
}

export class Controller {
  readonly name: string;
  readonly queue = new WorkQueue();
  readonly scheduler: TransitionScheduler;
  private readonly o: ControllerOptions;
  private running: Promise<void>[] = [];
  private inFlight = 0;

  constructor(o: ControllerOptions) {
    this.o = o;
    this.name = o.name;
    this.scheduler = new TransitionScheduler(o.clock, (key) => this.queue.add(key));
  }

  enqueue(key: string): void {
    this.queue.add(key);
  }

  start(): void {
    for (let i = 0; i < this.o.workers; i++) this.running.push(this.worker());
  }

  /** Stops taking keys and waits for in-flight reconciles to finish (graceful shutdown). */
  async stop(): Promise<void> {
    this.queue.shutDown();
    this.scheduler.stop();
    await Promise.all(this.running);
    this.running = [];
  }

  busy(): number {
    return this.inFlight + this.queue.len();
  }

  private async worker(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      this.inFlight += 1;
      try {
        const r = await this.o.reconcile(key);
        this.queue.forget(key);
        this.scheduler.schedule(key, r.nextAt ?? null);
        if (r.requeueAfterMs !== undefined) this.queue.addAfter(key, r.requeueAfterMs);
        this.o.onResult?.('success', this.queue.len());
      } catch (e) {
        this.o.log.warn('reconcile failed; retrying with backoff', { controller: this.name, key, error: errorText(e), attempt: this.queue.failureCount(key) + 1 });
        this.queue.addRateLimited(key);
        this.o.onResult?.('error', this.queue.len());
      } finally {
        this.inFlight -= 1;
        this.queue.done(key);
      }
    }
  }
}
