// A rate-limited work queue in the manner of client-go's: a key is never processed by two workers at
// once, a key added while it is processed is processed once more afterwards, failures back off per
// key exponentially, and a global token bucket bounds the overall rate of retries.

export interface WorkQueueOptions {
  /** Per-key backoff: base * 2^failures, capped. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Global token bucket for rate-limited adds (retries). */
  qps?: number;
  burst?: number;
}

type Waiter = (key: string | undefined) => void;

export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly delayed = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private readonly waiters: Waiter[] = [];
  private shuttingDown = false;
  private tokens: number;
  private lastRefill = performance.now();
  private readonly opts: Required<WorkQueueOptions>;

  constructor(opts: WorkQueueOptions = {}) {
    this.opts = { baseDelayMs: 5, maxDelayMs: 5 * 60_000, qps: 10, burst: 100, ...opts };
    this.tokens = this.opts.burst;
  }

  /** Adds a key now. A key already waiting is not added twice; one being processed is re-run after. */
  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return;
    this.queue.push(key);
    this.wake();
  }

  /** Adds a key after a delay; an earlier pending delay for the key wins. */
  addAfter(key: string, delayMs: number): void {
    if (this.shuttingDown) return;
    if (delayMs <= 0) return this.add(key);
    const at = performance.now() + delayMs;
    const existing = this.delayed.get(key);
    if (existing && existing.at <= at) return;
    if (existing) clearTimeout(existing.timer);
    const timer = setTimeout(() => {
      this.delayed.delete(key);
      this.add(key);
    }, Math.min(delayMs, 2 ** 31 - 1));
    timer.unref();
    this.delayed.set(key, { at, timer });
  }

  /** Re-adds a failed key after its backoff (per key, and within the global rate). */
  addRateLimited(key: string): void {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    const perKey = Math.min(this.opts.maxDelayMs, this.opts.baseDelayMs * 2 ** n);
    this.addAfter(key, Math.max(perKey, this.takeToken()));
  }

  /** Forgets a key's failures (call after a success). */
  forget(key: string): void {
    this.failures.delete(key);
  }

  failureCount(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  /** Waits for the next key; undefined once the queue shuts down. */
  async get(): Promise<string | undefined> {
    if (this.shuttingDown) return undefined;
    const key = this.queue.shift();
    if (key !== undefined) return this.start(key);
    if (this.shuttingDown) return undefined;
    const next = await new Promise<string | undefined>((resolve) => this.waiters.push(resolve));
    return next === undefined ? undefined : this.start(next);
  }

  /** Marks a key done; if it was added meanwhile, it goes back in the queue. */
  done(key: string): void {
    this.processing.delete(key);
    if (this.dirty.has(key)) {
      this.queue.push(key);
      this.wake();
    }
  }

  len(): number {
    return this.queue.length;
  }

  /** Stops handing out keys; workers finish what they hold. */
  shutDown(): void {
    this.shuttingDown = true;
    for (const d of this.delayed.values()) clearTimeout(d.timer);
    this.delayed.clear();
    for (const w of this.waiters.splice(0)) w(undefined);
  }

  isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  private start(key: string): string {
    this.dirty.delete(key);
    this.processing.add(key);
    return key;
  }

  private wake(): void {
    while (this.waiters.length > 0 && this.queue.length > 0) {
      const w = this.waiters.shift();
      const key = this.queue.shift();
      if (w && key !== undefined) w(key);
    }
  }

  /** Takes a token from the global bucket; returns how long to wait for it (0 when one is there). */
  private takeToken(): number {
    const now = performance.now();
    this.tokens = Math.min(this.opts.burst, this.tokens + ((now - this.lastRefill) / 1000) * this.opts.qps);
    this.lastRefill = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens / this.opts.qps) * 1000;
  }
}
