// R-VALIDITY, R-CARRY, R-CAP, R-WINDOW: the validity of a certificate about to be issued, and where
// its renewal window opens.
import { type IssuerProfile, baseValidityAt, maxValidityAt, windowLength } from './issuer-profile.ts';
import { type Duration, type Instant, clamp, days } from './time.ts';

/** R-CARRY: at most this much unused validity moves to the successor. */
export const MAX_CARRY: Duration = days(30);

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
