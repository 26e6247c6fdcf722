// The next instant at which anything changes for a certificate, so the controller sleeps until then
// instead of polling (architecture section 3).
import type { Instant } from './time.ts';

export type TransitionReason =
  | 'WindowOpens'
  | 'SuccessorDue'
  | 'ReminderDue'
  | 'Expiry'
  | 'ReviewCheck'
  | 'RefundPeriodEnds'
  | 'QuotaYearEnds';

export interface Transition {
  at: Instant;
  reason: TransitionReason;
}

/**
 * The earliest candidate strictly after `now`; a candidate at or before `now` is due already and is
 * handled by the reconcile that asks, so it does not count. Ties go to the first listed.
 */
export function nextTransition(candidates: readonly (Transition | null | undefined)[], now: Instant): Transition | null {
  let best: Transition | null = null;
  for (const c of candidates) {
    if (!c || !Number.isFinite(c.at) || c.at <= now) continue;
    if (best === null || c.at < best.at) best = c;
  }
  return best;
}

import type { IssuerProfile } from './issuer-profile.ts';
import { type IssuedValidity, windowOpensAt } from './validity.ts';

export interface CertificateTimeline {
  profile: IssuerProfile;
  current: IssuedValidity | null;
  /** submitAt of queued (Inactive) successors. */
  successorSubmitAt: readonly Instant[];
  /** From reminderDecision().nextAt. */
  reminderAt: Instant | null;
  /** From reviewStep() while an application is under review. */
  reviewCheckAt: Instant | null;
}

export function certificateNextTransition(t: CertificateTimeline, now: Instant): Transition | null {
  const candidates: (Transition | null)[] = [
    t.reviewCheckAt === null ? null : { at: t.reviewCheckAt, reason: 'ReviewCheck' },
    ...t.successorSubmitAt.map((at): Transition => ({ at, reason: 'SuccessorDue' })),
    t.current === null ? null : { at: windowOpensAt(t.profile, t.current), reason: 'WindowOpens' },
    t.reminderAt === null ? null : { at: t.reminderAt, reason: 'ReminderDue' },
    t.current === null ? null : { at: t.current.notAfter, reason: 'Expiry' },
  ];
  return nextTransition(candidates, now);
}
