// R-YEARS, R-HOSTING-AT-APPLY, R-HOSTING-LATER, R-EARLY, R-CANCEL: the chain of certificates a service
// period needs, and how queued successors follow changes of the period.
import type { IssuerProfile } from './issuer-profile.ts';
import { type IssuedValidity, planValidity, windowOpensAt } from './validity.ts';
import type { Instant } from './time.ts';

export interface ProjectedCertificate {
  /** 1 for the first successor of `current`, and so on. */
  index: number;
  /** When it is submitted to the CA: its predecessor's window opens. */
  submitAt: Instant;
  notBefore: Instant;
  notAfter: Instant;
}

/**
 * The next `count` certificates of a renewal chain, assuming each is issued as soon as it is submitted.
 * With the default profile each one carries 30 days and ends exactly 365 days after its predecessor
 * (R-CARRY), so the chain keeps its expiry date.
 */
export function projectChain(profile: IssuerProfile, current: IssuedValidity, count: number): ProjectedCertificate[] {
  const out: ProjectedCertificate[] = [];
  let pred = current;
  for (let i = 1; i <= count; i++) {
    const submitAt = windowOpensAt(profile, pred);
    const v = planValidity({ profile, notBefore: submitAt, predecessorNotAfter: pred.notAfter });
    out.push({ index: i, submitAt, notBefore: v.notBefore, notAfter: v.notAfter });
    pred = { notBefore: v.notBefore, notAfter: v.notAfter };
  }
  return out;
}

export type SuccessorState = 'Inactive' | 'Submitted';

export interface QueuedSuccessor {
  revision: number;
  state: SuccessorState;
}

export interface SuccessorChange {
  /** Revisions of new Inactive successors to create, each reserving its credits (R-CONSUME). */
  create: number[];
  /** Inactive successors to cancel, newest first; their credits return (R-CANCEL). */
  cancel: number[];
  /** Submitted successors the lowered period no longer needs: they cannot be cancelled. */
  cannotCancel: number[];
}

/**
 * Given how many certificates the service period still needs after the current one and the queue
 * there is, which successors to create and which to cancel. Revisions count up from the newest known.
 */
export function reconcileSuccessors(needed: number, queued: readonly QueuedSuccessor[], newestRevision: number): SuccessorChange {
  const sorted = [...queued].sort((a, b) => a.revision - b.revision);
  if (sorted.length === needed) return { create: [], cancel: [], cannotCancel: [] };
  if (sorted.length < needed) {
    const start = Math.max(newestRevision, ...sorted.map((s) => s.revision)) + 1;
    return { create: Array.from({ length: needed - sorted.length }, (_, i) => start + i), cancel: [], cannotCancel: [] };
  }
  const surplus = sorted.slice(needed).reverse();
  // A submitted successor is past cancelling; only Inactive ones after it can still go.
  const cancel: number[] = [];
  const cannotCancel: number[] = [];
  for (const s of surplus) (s.state === 'Inactive' ? cancel : cannotCancel).push(s.revision);
  return { create: [], cancel: cannotCancel.length > 0 ? cancel.filter((r) => r > Math.max(...cannotCancel)) : cancel, cannotCancel };
}

/**
 * How many more certificates a service period of `years` needs after the certificates already issued
 * in it (`issuedInPeriod`, the first one included). One per service year under the default profile.
 */
export function successorsNeeded(years: number, issuedInPeriod: number): number {
  return Math.max(0, years - issuedInPeriod);
}

/** The end of a service period of `years` whose first certificate is `first`: the last projected notAfter. */
export function servicePeriodEnd(profile: IssuerProfile, first: IssuedValidity, years: number): Instant {
  if (years <= 1) return first.notAfter;
  const chain = projectChain(profile, first, years - 1);
  return chain[chain.length - 1]?.notAfter ?? first.notAfter;
}

/** Hosted: hosting is on and the service period reaches past the current certificate (spec section 1). */
export function isHosted(hostingEnabled: boolean, current: IssuedValidity | null, servicePeriodEndAt: Instant | null): boolean {
  return hostingEnabled && current !== null && servicePeriodEndAt !== null && servicePeriodEndAt > current.notAfter;
}
