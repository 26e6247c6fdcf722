// The one clock (conventions: "every now comes from the injected clock"). The fake clock is the test
// clock of architecture section 5: it only moves when told, and tells listeners when it does, so the
// scheduler re-evaluates every object whose transition is due at once.

export interface Clock {
  now(): number;
  /** Called after the clock is set or advanced (never for the real clock's natural flow). */
  onChange(listener: (now: number) => void): () => void;
  readonly kind: 'system' | 'fake';
}

export class SystemClock implements Clock {
  readonly kind = 'system' as const;
  now(): number {
    return Date.now();
  }
  onChange(): () => void {
    return () => undefined;
  }
}

export class FakeClock implements Clock {
  readonly kind = 'fake' as const;
  private current: number;
  private readonly listeners = new Set<(now: number) => void>();

  constructor(start: number) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  onChange(listener: (now: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Moves to an instant. Going backwards is allowed (a test may need it) and also notifies. */
  set(at: number): void {
    this.current = at;
    for (const l of [...this.listeners]) l(at);
  }

  advance(ms: number): void {
    this.set(this.current + ms);
  }
}

/** Milliseconds of real time, for measuring durations of work (metrics), never for product decisions. */
export function monotonicMs(): number {
  return performance.now();
}
