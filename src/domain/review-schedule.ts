// R-REVIEW: validation is checked every 10 minutes during the first hour after submission, every hour
// after that, until it passes or the application times out (default 7 days: ReviewFailed).
import { type Duration, type Instant, DAY, HOUR, MINUTE } from './time.ts';

export const DEFAULT_REVIEW_TIMEOUT: Duration = 7 * DAY;
const FAST_PHASE: Duration = HOUR;
const FAST_INTERVAL: Duration = 10 * MINUTE;
const SLOW_INTERVAL: Duration = HOUR;

export type ReviewStep =
  | { kind: 'check'; nextCheckAt: Instant }
  | { kind: 'timed-out'; at: Instant };

/**
 * The first scheduled check strictly after `now` (checks sit on the grid submittedAt + k·10 min during
 * the first hour, then submittedAt + 1 h + k·1 h), or timed-out once the timeout has passed.
 */
export function reviewStep(submittedAt: Instant, now: Instant, timeout: Duration = DEFAULT_REVIEW_TIMEOUT): ReviewStep {
  const deadline = submittedAt + timeout;
  if (now >= deadline) return { kind: 'timed-out', at: deadline };
  const elapsed = Math.max(0, now - submittedAt);
  let next: Instant;
  if (elapsed < FAST_PHASE) {
    next = submittedAt + (Math.floor(elapsed / FAST_INTERVAL) + 1) * FAST_INTERVAL;
  } else {
    next = submittedAt + FAST_PHASE + (Math.floor((elapsed - FAST_PHASE) / SLOW_INTERVAL) + 1) * SLOW_INTERVAL;
  }
  // The last check happens at the deadline itself, where the application times out if still unproven.
  return { kind: 'check', nextCheckAt: Math.min(next, deadline) };
}
