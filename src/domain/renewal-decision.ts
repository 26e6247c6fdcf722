// R-MANUAL, R-EARLY, R-EXPIRED, R-NOT-RENEWABLE, R-SAME-SPEC: may this certificate be renewed now,
// and how.
import { type Product, sameSpecification } from '../api/product.ts';
import type { IssuerProfile } from './issuer-profile.ts';
import { renewable } from './credit-costs.ts';
import { type IssuedValidity, inRenewalWindow, isExpired, windowOpensAt } from './validity.ts';
import { type Instant, formatInstant } from './time.ts';

export type RenewalRefusal = 'Expired' | 'NotRenewable' | 'DifferentSpecification' | 'OutsideRenewalWindow' | 'NotIssued' | 'Revoked';

export interface RenewalInput {
  profile: IssuerProfile;
  product: Product;
  source: 'Issue' | 'Upload';
  /** The current issued revision, if any. */
  current: IssuedValidity | null;
  revoked: boolean;
  /** The specification asked for; a change of specification is a new purchase (R-SAME-SPEC). */
  requestedProduct?: Product;
  /** manual = the renew purchase (annotation); hosting = through a hosting credit (R-EARLY, R-HOSTING-LATER). */
  via: 'manual' | 'hosting';
  now: Instant;
}

export type RenewalDecision =
  | { ok: true; submit: 'now'; predecessorNotAfter: Instant }
  | { ok: true; submit: 'at-window'; submitAt: Instant; predecessorNotAfter: Instant }
  | { ok: false; reason: RenewalRefusal; message: string };

export function decideRenewal(input: RenewalInput): RenewalDecision {
  const { current, now } = input;
  if (input.revoked) return { ok: false, reason: 'Revoked', message: 'A revoked certificate cannot be renewed; apply for a new certificate.' };
  if (!renewable(input.product, input.source)) {
    const why = input.source === 'Upload' ? 'an uploaded certificate' : input.product.grade === 'test' ? 'a test certificate' : 'a mixed-domain certificate';
    return { ok: false, reason: 'NotRenewable', message: `This is ${why}, which cannot be renewed (R-NOT-RENEWABLE); apply for a new certificate instead.` };
  }
  if (current === null) return { ok: false, reason: 'NotIssued', message: 'There is no issued certificate to renew yet; wait until it is issued.' };
  if (isExpired(current, now)) {
    return { ok: false, reason: 'Expired', message: `The certificate expired at ${formatInstant(current.notAfter)} and can no longer be renewed (R-EXPIRED); apply for a new certificate.` };
  }
  if (input.requestedProduct !== undefined && !sameSpecification(input.product, input.requestedProduct)) {
    return { ok: false, reason: 'DifferentSpecification', message: 'A renewal keeps the specification (R-SAME-SPEC); a different brand, type, domain type or grade is a new purchase without carry-over.' };
  }
  if (inRenewalWindow(input.profile, current, now)) return { ok: true, submit: 'now', predecessorNotAfter: current.notAfter };
  const opens = windowOpensAt(input.profile, current);
  if (input.via === 'manual') {
    return {
      ok: false, reason: 'OutsideRenewalWindow',
      message: `Manual renewal opens with the renewal window at ${formatInstant(opens)} (R-MANUAL); renew then, or host the certificate to renew early.`,
    };
  }
  // R-EARLY: through hosting the successor waits Inactive until the predecessor enters its window.
  return { ok: true, submit: 'at-window', submitAt: opens, predecessorNotAfter: current.notAfter };
}
