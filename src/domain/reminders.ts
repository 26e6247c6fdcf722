// R-NOTIFY: expiry reminders 30, 15 and 7 days before notAfter, once each per revision, none once a
// successor has been issued, and only the nearest when several thresholds passed at once.
import { type Instant, DAY } from './time.ts';

export const DEFAULT_REMINDER_DAYS: readonly number[] = [30, 15, 7];

export interface ReminderInput {
  notAfter: Instant;
  now: Instant;
  /** Thresholds (days) already settled for this revision: sent, or skipped because a nearer one was sent. */
  settled: readonly number[];
  successorIssued: boolean;
  daysBefore?: readonly number[];
}

export type ReminderDecision =
  | { kind: 'none'; nextAt: Instant | null }
  | { kind: 'send'; daysBefore: number; /** thresholds to record as settled, the sent one included */ settle: number[]; nextAt: Instant | null };

export function reminderDecision(input: ReminderInput): ReminderDecision {
  const thresholds = [...new Set(input.daysBefore ?? DEFAULT_REMINDER_DAYS)].filter((d) => d > 0).sort((a, b) => b - a);
  if (input.successorIssued || input.now >= input.notAfter) return { kind: 'none', nextAt: null };
  const open = thresholds.filter((d) => !input.settled.includes(d));
  const passed = open.filter((d) => input.now >= input.notAfter - d * DAY);
  const future = open.filter((d) => input.now < input.notAfter - d * DAY);
  const nextAt = future.length > 0 ? input.notAfter - Math.max(...future) * DAY : null;
  if (passed.length === 0) return { kind: 'none', nextAt };
  // The nearest threshold is the smallest number of days; the others passed are skipped for good.
  const nearest = Math.min(...passed);
  return { kind: 'send', daysBefore: nearest, settle: passed, nextAt };
}
