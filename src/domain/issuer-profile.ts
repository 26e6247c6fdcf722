// R-PROFILE: base validity, maximum validity and window length per brand.
import { type Duration, type Instant, DAY, days } from './time.ts';

export interface IssuerProfile {
  /** R-VALIDITY: validity of a new certificate before carry-over. */
  baseValidity: Duration;
  /** Upper bound on notAfter - notBefore for any issued certificate. */
  maxValidity: Duration;
  /** R-WINDOW: length of the renewal window. */
  window: Duration;
  /** Follow the CA/Browser Forum schedule of maximum validity for public certificates. */
  cabSchedule: boolean;
}

export const defaultProfile: IssuerProfile = {
  baseValidity: days(365),
  maxValidity: days(397),
  window: days(30),
  cabSchedule: false,
};

/** The CA/B Forum ballot SC-081 schedule: the maximum validity of a certificate issued on or after each date. */
export const cabMaxValiditySchedule: readonly { from: Instant; max: Duration }[] = [
  { from: Date.UTC(2026, 2, 15), max: days(200) },
  { from: Date.UTC(2027, 2, 15), max: days(100) },
  { from: Date.UTC(2029, 2, 15), max: days(47) },
];

/** The maximum validity of a certificate issued at `issuedAt` under `profile`. */
export function maxValidityAt(profile: IssuerProfile, issuedAt: Instant): Duration {
  let max = profile.maxValidity;
  if (profile.cabSchedule) {
    for (const step of cabMaxValiditySchedule) if (issuedAt >= step.from) max = Math.min(profile.maxValidity, step.max);
  }
  return max;
}

/** Base validity at `issuedAt`: never above the maximum that applies then. */
export function baseValidityAt(profile: IssuerProfile, issuedAt: Instant): Duration {
  return Math.min(profile.baseValidity, maxValidityAt(profile, issuedAt));
}

/**
 * R-WINDOW / R-PROFILE: the window of a certificate with the given validity. The default profile has a
 * fixed 30 d window; under the CA/B schedule it is min(30 d, validity / 3), rounded down to the second.
 */
export function windowLength(profile: IssuerProfile, validity: Duration): Duration {
  if (!profile.cabSchedule) return profile.window;
  return Math.min(profile.window, Math.floor(validity / 3 / 1000) * 1000);
}

export type ProfileProblem = { ok: false; reason: 'InvalidProfile'; message: string };

/** Checks a profile read from the operator's config file. */
export function checkProfile(p: IssuerProfile): { ok: true } | ProfileProblem {
  const bad = (message: string): ProfileProblem => ({ ok: false, reason: 'InvalidProfile', message });
  if (!(p.baseValidity >= DAY)) return bad('baseValidity must be at least one day.');
  if (!(p.maxValidity >= p.baseValidity)) return bad('maxValidity must not be below baseValidity.');
  if (!(p.window > 0 && p.window < p.baseValidity)) return bad('window must be positive and shorter than baseValidity.');
  return { ok: true };
}
