// R-YEARS, R-HOSTING-AT-APPLY, R-HOSTING-LATER, R-EARLY, R-CANCEL: the chain of certificates a service
// period needs, and how queued successors follow changes of the period.
import type { IssuerProfile } from './issuer-profile.ts';
import { type IssuedValidity, planServiceYear, rolloversOfYear, windowOpensAt } from './validity.ts';
import type { Instant } from './time.ts';

export interface ProjectedCertificate {
  /** 1 for the first successor of `current`, and so on. */
  index: number;
  /** When it is submitted to the CA: the window of its predecessor's last certificate opens. */
  submitAt: Instant;
  notBefore: Instant;
  /** The end of the service year it starts: its own notAfter, except under the CA/B schedule (R-PROFILE). */
  notAfter: Instant;
  /** R-CARRY: validity carried over from the predecessor. */
  carry: number;
  /** notAfter of the first certificate of its year (R-PROFILE; the year's end when the year is one certificate). */
  firstNotAfter: Instant;
}

/** The current certificate and, under the CA/B schedule, the end of the service year it belongs to. */
export interface ChainStart extends IssuedValidity {
  serviceYearEnd?: Instant;
}

/**
 * The next `count` revisions of a renewal chain (one per service year), assuming each is issued as soon
 * as it is submitted, and a submission already due happens at `now`. With the default profile each one
 * carries 30 days and ends exactly 365 days after its predecessor (R-CARRY), so the chain keeps its
 * expiry date; under the CA/B schedule each service year runs through its rollovers first (R-PROFILE).
 */
export function projectChain(profile: IssuerProfile, current: ChainStart, count: number, now = -Infinity): ProjectedCertificate[] {
  const out: ProjectedCertificate[] = [];
  let last = lastOfYear(profile, current, current.serviceYearEnd ?? current.notAfter, now);
  for (let i = 1; i <= count; i++) {
    const submitAt = Math.max(windowOpensAt(profile, last), now);
    const v = planServiceYear({ profile, notBefore: submitAt, predecessorNotAfter: last.notAfter });
    out.push({ index: i, submitAt, notBefore: v.notBefore, notAfter: v.yearEnd, carry: v.carry, firstNotAfter: v.notAfter });
    last = lastOfYear(profile, v, v.yearEnd, now);
  }
  return out;
}

/** The certificate that ends a service year: `cert` itself unless rollovers follow it (R-PROFILE). */
export function lastOfYear(profile: IssuerProfile, cert: IssuedValidity, yearEnd: Instant, now = -Infinity): IssuedValidity {
  const rest = rolloversOfYear(profile, cert, yearEnd, now);
  return rest[rest.length - 1] ?? cert;
}

/** R-PROFILE: a rollover within the service year is still to come after this certificate. */
export function rolloverPending(current: ChainStart | undefined): boolean {
  return current?.serviceYearEnd !== undefined && current.serviceYearEnd > current.notAfter;
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
 * in it (`issuedInPeriod`, the first one included). One revision per service year; under the CA/B
 * schedule a revision's year is served by several certificates (R-PROFILE), which need no successor.
 */
export function successorsNeeded(years: number, issuedInPeriod: number): number {
  return Math.max(0, years - issuedInPeriod);
}

/** The end of a service period of `years` whose first certificate is `first`: the last projected notAfter. */
export function servicePeriodEnd(profile: IssuerProfile, first: ChainStart, years: number, now = -Infinity): Instant {
  const own = first.serviceYearEnd ?? first.notAfter;
  if (years <= 1) return own;
  const chain = projectChain(profile, first, years - 1, now);
  return chain[chain.length - 1]?.notAfter ?? own;
}

/** Hosted: hosting is on and the service period reaches past the current certificate (spec section 1). */
export function isHosted(hostingEnabled: boolean, current: IssuedValidity | null, servicePeriodEndAt: Instant | null): boolean {
  return hostingEnabled && current !== null && servicePeriodEndAt !== null && servicePeriodEndAt > current.notAfter;
}
