// Spec section 7: the console state of a revision, a pure function of its record and the clock,
// first match wins.
import type { CertificateState } from '../api/states.ts';
import type { IssuerProfile } from './issuer-profile.ts';
import { type IssuedValidity, inRenewalWindow, isExpired } from './validity.ts';
import type { Instant } from './time.ts';

export interface RevisionFacts {
  source: 'Issue' | 'Upload';
  revoked: boolean;
  /** A queued successor not yet submitted to the CA (R-EARLY, R-YEARS). */
  queued: boolean;
  /** Submitted to the CA (validation running or done). */
  submitted: boolean;
  /** The application was rejected or timed out in review (R-REVIEW). */
  rejected: boolean;
  issued: IssuedValidity | null;
}

export interface CertificateFacts {
  /** Hosting on and the service period reaches past the current certificate. */
  hosted: boolean;
  /** R-AUTODEPLOY-PRE satisfied. */
  autoDeploy: boolean;
}

export function revisionState(rev: RevisionFacts, cert: CertificateFacts, profile: IssuerProfile, now: Instant): CertificateState {
  if (rev.revoked) return 'Revoked';
  if (rev.issued !== null && isExpired(rev.issued, now)) return 'Expired';
  if (rev.issued === null) {
    if (rev.queued) return 'Inactive';
    if (rev.rejected) return 'ReviewFailed';
    if (rev.submitted) return 'UnderReview';
    return 'PendingApplication';
  }
  if (cert.hosted && cert.autoDeploy) return 'AutoDeploy';
  if (cert.hosted) return 'Hosted';
  const inWindow = inRenewalWindow(profile, rev.issued, now);
  if (rev.source === 'Upload' && !inWindow) return 'Uploaded';
  if (inWindow) return 'ExpiringSoon';
  return 'Issued';
}
