// The Certificate reconciler's decision (conventions: "decide, then act"): from what is observed and
// the clock, the one next step to carry out. The controller performs it, persists the result, and asks
// again until the answer is `settle`. Every step is keyed so a replay after a crash is a no-op:
// credits by (certificate UID, revision, kind) (R-CONSUME), issuance by revision, with a Secret that
// already holds revision N adopted instead of issuing N again.
import type { Product } from '../api/product.ts';
import type { BrandRules } from './brand-rules.ts';
import { type CreditNeed, ledgerKey } from './credit-ledger.ts';
import { applicationCost, hostable } from './credit-costs.ts';
import { checkDomainList, type ValidationMethod } from './domain-names.ts';
import { decideRenewal } from './renewal-decision.ts';
import { reviewStep } from './review-schedule.ts';
import { reconcileSuccessors, rolloverPending, successorsNeeded } from './successor-plan.ts';
import { type IssuedValidity, certificateOfYear, inRenewalWindow, isExpired, planServiceYear, planValidity, windowOpensAt } from './validity.ts';
import { type IssuerProfile, maxValidityAt } from './issuer-profile.ts';
import { refundOnRevoke } from './credit-ledger.ts';
import type { Instant } from './time.ts';

export type Purpose = 'New' | 'Renewal';

export interface ApplicationRecord {
  revision: number;
  purpose: Purpose;
  state: 'Pending' | 'Submitted' | 'Rejected';
  /** R-CARRY: the predecessor's notAfter when this is a renewal that carries over. */
  predecessorNotAfter?: Instant;
  submittedAt?: Instant;
  /** When validation was last checked (R-REVIEW). */
  lastCheckAt?: Instant;
  /** metadata.generation the application was made for; a rejected one is retried after a spec change. */
  generation: number;
  /** The issuer refused it for this generation (a CSR with other names, a key it will not sign). */
  blockedGeneration?: number;
}

export interface QueuedSuccessorRecord {
  revision: number;
  submitAt?: Instant;
}

export interface CurrentRecord extends IssuedValidity {
  revision: number;
  serialNumber: string;
  /** R-CAP: the notAfter that was asked for, when the issuer cut it. */
  requestedNotAfter?: Instant;
  /** R-PROFILE: the end of the service year this revision serves, when more certificates of it follow. */
  serviceYearEnd?: Instant;
  issuedAt: Instant;
}

export interface CertificateObservation {
  now: Instant;
  uid: string;
  /** The Certificate's name, shown in ledger entries. */
  name: string;
  generation: number;
  spec: {
    domains: readonly string[];
    product: Product;
    method: ValidationMethod;
    hostingEnabled: boolean;
    servicePeriodYears: number;
    revoke: boolean;
    /** The value of the certhost.io/renew annotation, if any. */
    renewRequest?: string;
  };
  rules: BrandRules;
  status: {
    current?: CurrentRecord;
    application?: ApplicationRecord;
    successors: readonly QueuedSuccessorRecord[];
    /** First revision of the current service period (R-HOSTING-AT-APPLY, R-HOSTING-LATER). */
    servicePeriodFirstRevision?: number;
    revoked: boolean;
    lastRenewRequest?: string;
  };
  secret:
    | { state: 'missing' }
    | { state: 'foreign'; owner: string }
    /** Ours; `revision`/`serial` from its labels; `usable` when its certificate parses, matches the key and the domains. */
    | { state: 'ours'; revision: number; serial: string; usable: boolean };
  /** R-FREE-QUOTA: this certificate holds (or can take) a slot of this year's free quota. */
  freeSlot: boolean;
  /** R-CAP: notAfter of the best intermediate for this brand. */
  bestIssuerNotAfter: Instant | null;
  /**
   * R-KEY manual CSR: what the controller found wrong with it (missing, malformed, other names, weak key).
   * Checked before anything is spent.
   */
  csrProblem?: { reason: string; message: string };
  /** R-REVIEW check result of this pass, when the controller just checked. */
}

export type Step =
  | { kind: 'invalid'; reason: string; message: string }
  | { kind: 'conflict'; message: string }
  | { kind: 'revoke'; refund: boolean; release: string[] }
  | { kind: 'adopt'; revision: number }
  /**
   * Take the credits (all or none) and submit the application: consumption happens at submission
   * (R-CONSUME); a new hosted application also reserves its successors' credits (R-HOSTING-AT-APPLY).
   */
  | { kind: 'apply'; application: ApplicationRecord; needs: CreditNeed[]; commit: string[]; successors: number[]; renewRequest?: string; fromSuccessor?: number }
  | { kind: 'wait-quota'; application: ApplicationRecord }
  | { kind: 'check-validation' }
  /**
   * Issue revision `revision` now. A new application plans its validity (R-VALIDITY, R-CARRY), as a
   * service year when `yearInParts` (R-PROFILE); a re-issue (repair, R-CAP) or a rollover (R-PROFILE)
   * aims at `targetNotAfter`, cut to the maximum validity that applies today, and keeps `serviceYearEnd`.
   */
  | { kind: 'issue'; revision: number; notBefore: Instant; predecessorNotAfter?: Instant; targetNotAfter?: Instant; serviceYearEnd?: Instant; yearInParts?: boolean; purpose: Purpose | 'Reissue' | 'Rollover' }
  | { kind: 'reject'; release: string[]; message: string }
  | { kind: 'queue-successors'; create: number[]; needs: CreditNeed[] }
  | { kind: 'cancel-successors'; cancel: number[]; release: string[] }
  | { kind: 'refuse-renewal'; reason: string; message: string; request: string }
  | { kind: 'settle'; nextAt: Instant | null };

export function successorNeeds(uid: string, name: string, revision: number, product: Product): CreditNeed[] {
  return [
    { key: ledgerKey(uid, revision, 'certificate'), certificate: name, revision, kind: 'certificate', product },
    { key: ledgerKey(uid, revision, 'hosting'), certificate: name, revision, kind: 'hosting' },
  ];
}

function firstNeeds(o: CertificateObservation, revision: number): CreditNeed[] {
  if (!o.rules.creditsRequired || o.spec.product.grade === 'free') return [];
  return [{ key: ledgerKey(o.uid, revision, 'certificate'), certificate: o.name, revision, kind: 'certificate', product: o.spec.product }];
}

/** Every ledger key this certificate may hold for a revision. */
export function revisionKeys(uid: string, revision: number): string[] {
  return [ledgerKey(uid, revision, 'certificate'), ledgerKey(uid, revision, 'hosting')];
}

function newestRevision(o: CertificateObservation): number {
  return Math.max(o.status.current?.revision ?? 0, o.status.application?.revision ?? 0, ...o.status.successors.map((s) => s.revision));
}

/**
 * R-PROFILE: under the CA/B schedule a hosted service year is delivered as several certificates of one
 * revision; an unhosted certificate is one certificate of the maximum validity.
 */
export function yearInParts(o: Pick<CertificateObservation, 'rules' | 'spec'>): boolean {
  return o.rules.profile.cabSchedule && o.spec.hostingEnabled && hostable(o.spec.product, 'Issue');
}

/** The issue step of a submitted application: now, carrying over from a predecessor that is still valid (R-CARRY, R-EXPIRED). */
export function issueStepFor(o: CertificateObservation, app: Pick<ApplicationRecord, 'revision' | 'purpose' | 'predecessorNotAfter'>): Extract<Step, { kind: 'issue' }> {
  const pred = app.predecessorNotAfter;
  return {
    kind: 'issue', revision: app.revision, notBefore: o.now, purpose: app.purpose,
    ...(pred !== undefined && o.now < pred ? { predecessorNotAfter: pred } : {}),
    ...(yearInParts(o) ? { yearInParts: true } : {}),
  };
}

/** Years of service wanted: hosting off means just the current certificate (R-HOSTING-LATER reversed). */
function wantedYears(o: CertificateObservation): number {
  return o.spec.hostingEnabled && hostable(o.spec.product, 'Issue') ? o.spec.servicePeriodYears : 1;
}

export function planCertificate(o: CertificateObservation): Step {
  const { now, status, spec } = o;
  const current = status.current;

  // Bad input that admission could not see settles on a condition and waits for a change.
  const domains = checkDomainList(spec.domains, spec.method, spec.product.domainType);
  if (!domains.ok) return { kind: 'invalid', reason: domains.reason, message: domains.message };
  const cost = applicationCost(spec.product, 'Issue', { enabled: spec.hostingEnabled, servicePeriodYears: spec.servicePeriodYears });
  if (!cost.ok) return { kind: 'invalid', reason: cost.reason, message: cost.message };

  // A manual CSR that cannot be issued is reported before any credit is taken (only for what is still to be issued).
  if (o.csrProblem && !spec.revoke && (!status.current || status.application)) {
    return { kind: 'invalid', reason: o.csrProblem.reason, message: o.csrProblem.message };
  }

  // R-REFUND: revocation is final; it returns the certificate credit within 30 days of issue and every
  // reservation still held (R-CANCEL), then nothing else happens.
  if (spec.revoke) {
    if (status.revoked) return { kind: 'settle', nextAt: null };
    const release: string[] = [];
    for (const s of status.successors) release.push(...revisionKeys(o.uid, s.revision));
    if (status.application && status.application.state !== 'Rejected') release.push(...revisionKeys(o.uid, status.application.revision));
    const refund = current !== undefined && refundOnRevoke(current.issuedAt, now);
    if (refund && current) release.push(ledgerKey(o.uid, current.revision, 'certificate'));
    return { kind: 'revoke', refund, release };
  }

  // R-TENANCY: a Secret of someone else is never overwritten; nothing is spent while it is in the way.
  if (o.secret.state === 'foreign') {
    return { kind: 'conflict', message: `The Secret is not managed by this Certificate (it belongs to ${o.secret.owner}); choose another spec.secretName or remove that Secret.` };
  }

  // A crash after writing the Secret and before writing status: the Secret is the record (no second issuance).
  if (o.secret.state === 'ours' && o.secret.usable) {
    const newer = o.secret.revision > (current?.revision ?? 0);
    const reissued = current !== undefined && o.secret.revision === current.revision && o.secret.serial !== current.serialNumber;
    if (newer || reissued) return { kind: 'adopt', revision: o.secret.revision };
  }

  const app = status.application;
  if (app) {
    if (app.state === 'Rejected') {
      if (app.generation === o.generation) return { kind: 'settle', nextAt: null };
      // The spec changed after a review failure: apply again (R-REFUND returned the credits).
      return applyStep(o, { ...app, generation: o.generation });
    }
    if (app.state === 'Pending') {
      // Waiting for credits (R-INSUFFICIENT) or free quota (R-FREE-QUOTA): try again.
      if (spec.product.grade === 'free' && !o.freeSlot) return { kind: 'settle', nextAt: null };
      return applyStep(o, app);
    }
    // Submitted. A refusal only a spec change can fix waits for that change (no hot loop).
    if (app.blockedGeneration === o.generation) return { kind: 'settle', nextAt: null };
    const issueStep = issueStepFor(o, app);
    if (o.rules.validation === 'none') return issueStep;
    const submittedAt = app.submittedAt ?? now;
    const review = reviewStep(submittedAt, now, o.rules.reviewTimeout);
    if (review.kind === 'timed-out') {
      return { kind: 'reject', release: revisionKeys(o.uid, app.revision), message: 'Validation did not pass before the review timed out (R-REVIEW); the credits were returned. Publish the records in status.validation and change the spec to apply again.' };
    }
    const lastCheck = app.lastCheckAt;
    if (lastCheck === undefined || lastCheck < submittedAt) return { kind: 'check-validation' };
    const due = reviewStep(submittedAt, lastCheck, o.rules.reviewTimeout);
    if (due.kind === 'timed-out' || due.nextCheckAt <= now) return { kind: 'check-validation' };
    return { kind: 'settle', nextAt: due.nextCheckAt };
  }

  if (!current) {
    if (spec.product.grade === 'free' && !o.freeSlot) {
      return { kind: 'wait-quota', application: { revision: 1, purpose: 'New', state: 'Pending', generation: o.generation } };
    }
    return applyStep(o, { revision: 1, purpose: 'New', state: 'Pending', generation: o.generation });
  }

  // R-ROLLOUT-SAFE / repair: the Secret must hold the current certificate; re-issue it keeping its expiry.
  const expired = isExpired(current, now);
  const secretOk = o.secret.state === 'ours' && o.secret.usable && o.secret.serial === current.serialNumber;
  const keepYear = current.serviceYearEnd === undefined ? {} : { serviceYearEnd: current.serviceYearEnd };
  if (!secretOk && !expired) {
    return { kind: 'issue', revision: current.revision, notBefore: now, targetNotAfter: current.requestedNotAfter ?? current.notAfter, purpose: 'Reissue', ...keepYear };
  }
  // R-CAP: lift the truncation as soon as an intermediate covers the original target.
  if (!expired && current.requestedNotAfter !== undefined && current.requestedNotAfter > current.notAfter &&
      o.bestIssuerNotAfter !== null && o.bestIssuerNotAfter >= current.requestedNotAfter) {
    return { kind: 'issue', revision: current.revision, notBefore: now, targetNotAfter: current.requestedNotAfter, purpose: 'Reissue', ...keepYear };
  }

  // R-PROFILE: the service year of this revision goes on past its certificate: when that certificate's
  // window opens (or it has run out), the next one of the same year is issued. The year was paid for
  // when the revision was applied for, and its validation is reused, so no credit and no review.
  const opens = windowOpensAt(o.rules.profile, current);
  if (rolloverPending(current) && current.serviceYearEnd !== undefined && now >= opens && now < current.serviceYearEnd) {
    return { kind: 'issue', revision: current.revision, notBefore: now, targetNotAfter: current.serviceYearEnd, serviceYearEnd: current.serviceYearEnd, purpose: 'Rollover' };
  }

  // Queued successors follow the service period (R-YEARS, R-HOSTING-LATER, R-CANCEL).
  const first = status.servicePeriodFirstRevision ?? current.revision;
  const needed = expired && status.successors.length === 0 ? 0 : successorsNeeded(wantedYears(o), current.revision - first + 1);
  const change = reconcileSuccessors(needed, status.successors.map((s) => ({ revision: s.revision, state: 'Inactive' as const })), newestRevision(o));
  if (change.cancel.length > 0) {
    return { kind: 'cancel-successors', cancel: change.cancel, release: change.cancel.flatMap((r) => revisionKeys(o.uid, r)) };
  }
  if (change.create.length > 0) {
    const needs = o.rules.creditsRequired ? change.create.flatMap((r) => successorNeeds(o.uid, o.name, r, spec.product)) : [];
    return { kind: 'queue-successors', create: change.create, needs };
  }

  // R-EARLY / hosted renewal: the first queued successor is submitted when the window opens. An expired
  // predecessor carries nothing (R-EXPIRED) but the paid service continues.
  const next = [...status.successors].sort((a, b) => a.revision - b.revision)[0];
  if (next && now >= opens && !rolloverPending(current)) {
    const application: ApplicationRecord = {
      revision: next.revision, purpose: 'Renewal', state: 'Pending', generation: o.generation,
      ...(expired ? {} : { predecessorNotAfter: current.notAfter }),
    };
    return { ...applyStep(o, application), fromSuccessor: next.revision };
  }

  // R-MANUAL: each new value of the renew annotation is one request.
  const request = spec.renewRequest;
  if (request !== undefined && request !== status.lastRenewRequest) {
    if (status.successors.length > 0) {
      return { kind: 'refuse-renewal', reason: 'AlreadyHosted', request, message: 'The certificate is hosted: its successor is submitted automatically when the renewal window opens; no manual renewal is needed.' };
    }
    // R-PROFILE: a renewal buys the next service year, so the window that counts is the year's.
    const year = { notBefore: current.notBefore, notAfter: current.serviceYearEnd ?? current.notAfter };
    const d = decideRenewal({ profile: o.rules.profile, product: spec.product, source: 'Issue', current: year, revoked: false, via: 'manual', now });
    if (!d.ok) return { kind: 'refuse-renewal', reason: d.reason, message: d.message, request };
    const application: ApplicationRecord = { revision: newestRevision(o) + 1, purpose: 'Renewal', state: 'Pending', predecessorNotAfter: year.notAfter, generation: o.generation };
    return { ...applyStep(o, application), renewRequest: request };
  }

  return { kind: 'settle', nextAt: null };
}

/**
 * The apply step for an application: its own certificate credit (a successor's was reserved when it
 * was queued and is found held) plus, for a new hosted application, the successors of the service
 * period; all committed or reserved in one go.
 */
function applyStep(o: CertificateObservation, application: ApplicationRecord): Extract<Step, { kind: 'apply' }> {
  const successors = application.purpose === 'New' && application.revision === 1 && !o.status.current
    ? Array.from({ length: wantedYears(o) - 1 }, (_, i) => 2 + i)
    : [];
  const needs = [...firstNeeds(o, application.revision), ...(o.rules.creditsRequired ? successors.flatMap((r) => successorNeeds(o.uid, o.name, r, o.spec.product)) : [])];
  const commit = o.rules.creditsRequired ? revisionKeys(o.uid, application.revision) : [];
  return { kind: 'apply', application, needs, commit, successors };
}

/** Whether the current certificate is in its renewal window (for conditions and state). */
export function currentInWindow(o: Pick<CertificateObservation, 'rules' | 'now'>, current: IssuedValidity | undefined): boolean {
  return current !== undefined && inRenewalWindow(o.rules.profile, current, o.now);
}

export interface IssuanceValidity {
  notBefore: Instant;
  /** What is asked of the CA (it may still cut it to its intermediate, R-CAP). */
  notAfter: Instant;
  /** R-CARRY: carried over by a new revision; null for a certificate of a revision already issued. */
  carry: number | null;
  /** R-PROFILE: the end of the service year, when certificates of it follow this one. */
  serviceYearEnd?: Instant;
}

/** The validity to ask for when carrying out an issue step (R-VALIDITY, R-CARRY, R-PROFILE). */
export function issuanceValidity(profile: IssuerProfile, step: Extract<Step, { kind: 'issue' }>): IssuanceValidity {
  const year = (end: Instant | undefined, notAfter: Instant): { serviceYearEnd?: Instant } => (end !== undefined && end > notAfter ? { serviceYearEnd: end } : {});
  if (step.targetNotAfter !== undefined) {
    // A rollover is the next certificate of the year; a re-issue keeps its target, within today's maximum.
    const notAfter = step.purpose === 'Rollover'
      ? certificateOfYear(profile, step.notBefore, step.targetNotAfter).notAfter
      : Math.min(step.targetNotAfter, step.notBefore + maxValidityAt(profile, step.notBefore));
    return { notBefore: step.notBefore, notAfter, carry: null, ...year(step.serviceYearEnd, notAfter) };
  }
  const req = { profile, notBefore: step.notBefore, ...(step.predecessorNotAfter === undefined ? {} : { predecessorNotAfter: step.predecessorNotAfter }) };
  if (step.yearInParts === true) {
    const y = planServiceYear(req);
    return { notBefore: y.notBefore, notAfter: y.notAfter, carry: y.carry, ...year(y.yearEnd, y.notAfter) };
  }
  const v = planValidity(req);
  return { notBefore: v.notBefore, notAfter: v.notAfter, carry: v.carry };
}
