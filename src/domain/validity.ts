// R-VALIDITY, R-CARRY, R-CAP, R-WINDOW: the validity of a certificate about to be issued, and where
// its renewal window opens.
import { type IssuerProfile, baseValidityAt, maxValidityAt, windowLength } from './issuer-profile.ts';
import { type Duration, type Instant, clamp, days } from './time.ts';

/** R-CARRY: at most this much unused validity moves to the successor. */
export const MAX_CARRY: Duration = days(30);

/** A year of hosted service (spec section 1: a service period counts in years). */
export const SERVICE_YEAR: Duration = days(365);

export interface ValidityRequest {
  profile: IssuerProfile;
  /** The issue time; the certificate is valid from here. */
  notBefore: Instant;
  /**
   * notAfter of the predecessor when this certificate is a renewal of the same specification
   * (R-SAME-SPEC). Absent for a new purchase, a change of specification, or a replacement of an
   * expired certificate (R-EXPIRED): those carry nothing.
   */
  predecessorNotAfter?: Instant;
}

export interface PlannedValidity {
  notBefore: Instant;
  notAfter: Instant;
  /** R-CARRY: unused validity carried over from the predecessor. */
  carry: Duration;
  validity: Duration;
}

/**
 * R-CARRY: carry = clamp(predecessor.notAfter - successor.notBefore, 0, 30 d), further limited so the
 * total never exceeds the profile's maximum (R-VALIDITY, R-PROFILE).
 */
export function carryOver(profile: IssuerProfile, notBefore: Instant, predecessorNotAfter: Instant | undefined): Duration {
  if (predecessorNotAfter === undefined) return 0;
  const room = Math.max(0, maxValidityAt(profile, notBefore) - baseValidityAt(profile, notBefore));
  return clamp(predecessorNotAfter - notBefore, 0, Math.min(MAX_CARRY, room));
}

export function planValidity(req: ValidityRequest): PlannedValidity {
  const base = baseValidityAt(req.profile, req.notBefore);
  const carry = carryOver(req.profile, req.notBefore, req.predecessorNotAfter);
  const validity = base + carry;
  return { notBefore: req.notBefore, notAfter: req.notBefore + validity, carry, validity };
}

export interface CappedValidity {
  notAfter: Instant;
  /** R-CAP: validity lost because the issuing intermediate expires first; 0 when none. */
  truncated: Duration;
}

/** R-CAP: the leaf never outlives the intermediate that signs it. */
export function capToIssuer(notAfter: Instant, issuerNotAfter: Instant): CappedValidity {
  if (issuerNotAfter >= notAfter) return { notAfter, truncated: 0 };
  return { notAfter: issuerNotAfter, truncated: notAfter - issuerNotAfter };
}

/**
 * R-CAP: a truncated certificate is re-issued, keeping its original expiry target, as soon as an
 * intermediate covers that target.
 */
export function capCanBeLifted(targetNotAfter: Instant, bestIssuerNotAfter: Instant): boolean {
  return bestIssuerNotAfter >= targetNotAfter;
}

export interface IssuedValidity {
  notBefore: Instant;
  notAfter: Instant;
}

/** R-WINDOW: the instant the renewal window of a certificate opens. */
export function windowOpensAt(profile: IssuerProfile, cert: IssuedValidity): Instant {
  return cert.notAfter - windowLength(profile, cert.notAfter - cert.notBefore);
}

/** R-WINDOW: notAfter - now <= window. */
export function inRenewalWindow(profile: IssuerProfile, cert: IssuedValidity, now: Instant): boolean {
  return now >= windowOpensAt(profile, cert) && now < cert.notAfter;
}

/** R-EXPIRED: now >= notAfter. */
export function isExpired(cert: { notAfter: Instant }, now: Instant): boolean {
  return now >= cert.notAfter;
}

/**
 * R-PROFILE: under the CA/Browser Forum schedule a year of hosted service is delivered as several
 * consecutive certificates. `yearEnd` is the end of the service year, planned as the default profile
 * plans one certificate (365 d plus the carry-over of R-CARRY, at most 30 d, so a renewal chain keeps
 * its date); the certificate issued now has the base validity that applies today (never above the
 * maximum), or ends with the year. Without the schedule the year and the certificate are one
 * (`planValidity`).
 */
export interface ServiceYearPlan extends PlannedValidity {
  yearEnd: Instant;
}

export function planServiceYear(req: ValidityRequest): ServiceYearPlan {
  if (!req.profile.cabSchedule) {
    const v = planValidity(req);
    return { ...v, yearEnd: v.notAfter };
  }
  const carry = req.predecessorNotAfter === undefined ? 0 : clamp(req.predecessorNotAfter - req.notBefore, 0, MAX_CARRY);
  const yearEnd = req.notBefore + SERVICE_YEAR + carry;
  return { ...certificateOfYear(req.profile, req.notBefore, yearEnd), carry, yearEnd };
}

/**
 * R-PROFILE: one certificate of a service year issued at `notBefore`: its base validity plus what R-CARRY
 * would allow on top within the maximum, never past the year. When the rest of the year fits, it is one
 * certificate (before 2026-03-15 a year is always one, as with the default profile).
 */
export function certificateOfYear(profile: IssuerProfile, notBefore: Instant, yearEnd: Instant): PlannedValidity {
  const base = baseValidityAt(profile, notBefore);
  const longest = base + Math.min(MAX_CARRY, Math.max(0, maxValidityAt(profile, notBefore) - base));
  const notAfter = Math.min(yearEnd, notBefore + longest);
  return { notBefore, notAfter, carry: 0, validity: notAfter - notBefore };
}

/**
 * R-PROFILE: the certificates still to come in a service year after `cert`, each issued when the
 * window of the one before opens (what the operator does), the last one ending with the year.
 */
export function rolloversOfYear(profile: IssuerProfile, cert: IssuedValidity, yearEnd: Instant, now = -Infinity): PlannedValidity[] {
  const out: PlannedValidity[] = [];
  let last: IssuedValidity = cert;
  // Each step moves notAfter forward by (validity - window) > 0; the bound only guards a broken profile.
  // One already due (the operator was away) happens at `now`.
  while (last.notAfter < yearEnd && out.length < 1000) {
    const at = Math.max(windowOpensAt(profile, last), now);
    if (at >= yearEnd) break;
    const next = certificateOfYear(profile, at, yearEnd);
    if (next.notAfter <= last.notAfter) break;
    out.push(next);
    last = next;
  }
  return out;
}
