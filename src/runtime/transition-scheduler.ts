// Wakes objects at the next-transition instants that src/domain computes (architecture section 3:
// "time never polls"). With the system clock a timer per key fires at the instant; with the fake clock
// nothing fires by itself, and every move of the clock fires at once every key that is due.
import type { Clock } from './clock.ts';

const MAX_TIMER_MS = 2 ** 31 - 1; // setTimeout's limit; longer waits are re-armed

export class TransitionScheduler {
  private readonly due = new Map<string, { at: number; timer?: NodeJS.Timeout }>();
  private readonly unsubscribe: () => void;
  private readonly clock: Clock;
  private readonly fire: (key: string) => void;

  constructor(clock: Clock, fire: (key: string) => void) {
    this.clock = clock;
    this.fire = fire;
    this.unsubscribe = clock.onChange((now) => this.fireDue(now));
  }

  /** Wakes `key` at `at` (replacing what it had); null clears it. An instant already due fires at once. */
  schedule(key: string, at: number | null): void {
    this.cancel(key);
    if (at === null) return;
    const now = this.clock.now();
    if (at <= now) {
      this.fire(key);
      return;
    }
    const entry: { at: number; timer?: NodeJS.Timeout } = { at };
    if (this.clock.kind === 'system') entry.timer = this.arm(key, at - now);
    this.due.set(key, entry);
  }

  cancel(key: string): void {
    const e = this.due.get(key);
    if (e?.timer) clearTimeout(e.timer);
    this.due.delete(key);
  }

  /** The instant a key is scheduled for, if any (for status and tests). */
  scheduledAt(key: string): number | undefined {
    return this.due.get(key)?.at;
  }

  size(): number {
    return this.due.size;
  }

  stop(): void {
    this.unsubscribe();
    for (const e of this.due.values()) if (e.timer) clearTimeout(e.timer);
    this.due.clear();
  }

  private arm(key: string, delay: number): NodeJS.Timeout {
    const t = setTimeout(() => {
      const e = this.due.get(key);
      if (!e) return;
      const left = e.at - this.clock.now();
      if (left > 0) {
        e.timer = this.arm(key, left);
        return;
      }
      this.due.delete(key);
      this.fire(key);
    }, Math.min(delay, MAX_TIMER_MS));
    t.unref();
    return t;
  }

  private fireDue(now: number): void {
    for (const [key, e] of [...this.due]) {
      if (e.at <= now) {
        this.cancel(key);
        this.fire(key);
      }
    }
  }
}
