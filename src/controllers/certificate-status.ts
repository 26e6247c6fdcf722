// Between the wire form of Certificate status (RFC 3339 strings) and the domain's plain records
// (Instants), and the derivation of everything status shows from those records and the clock: state
// (spec section 7), conditions, renewal time, successors' submit times, validation records.
import type { Certificate, CertificateStatus, SuccessorStatus } from '../api/certificate-types.ts';
import type { Condition } from '../api/conditions.ts';
import { ConditionType, Reason } from '../api/conditions.ts';
import type { BrandRules } from '../domain/brand-rules.ts';
import type { ApplicationRecord, CurrentRecord, QueuedSuccessorRecord } from '../domain/certificate-plan.ts';
import { revisionState, type RevisionFacts } from '../domain/certificate-state.ts';
import { hostedCondition, inWindowCondition, readyCondition, setConditions, type DesiredCondition } from '../domain/conditions.ts';
import { projectChain, rolloverPending } from '../domain/successor-plan.ts';
import { formatInstant, parseInstant, type Instant } from '../domain/time.ts';
import { inRenewalWindow, windowOpensAt } from '../domain/validity.ts';
import { validationRecords } from '../domain/validation-records.ts';

const ts = (s: string | undefined): Instant | undefined => (s === undefined ? undefined : (parseInstant(s) ?? undefined));

export function currentRecord(st: CertificateStatus | undefined): CurrentRecord | undefined {
  const c = st?.current;
  if (!c || st?.revision === undefined) return undefined;
  const notBefore = ts(c.notBefore);
  const notAfter = ts(c.notAfter);
  if (notBefore === undefined || notAfter === undefined) return undefined;
  const requested = ts(c.requestedNotAfter);
  const yearEnd = ts(c.serviceYearEnd);
  return {
    revision: st.revision, serialNumber: c.serialNumber, notBefore, notAfter, issuedAt: notBefore,
    ...(requested === undefined ? {} : { requestedNotAfter: requested }),
    ...(yearEnd === undefined ? {} : { serviceYearEnd: yearEnd }),
  };
}

export function applicationRecord(st: CertificateStatus | undefined): ApplicationRecord | undefined {
  const a = st?.application;
  if (!a) return undefined;
  const pred = ts(a.predecessorNotAfter);
  const sub = ts(a.submittedAt);
  const check = ts(a.lastCheckAt);
  return {
    revision: a.revision, purpose: a.purpose, state: a.state, generation: a.generation,
    ...(a.blockedGeneration === undefined ? {} : { blockedGeneration: a.blockedGeneration }),
    ...(pred === undefined ? {} : { predecessorNotAfter: pred }),
    ...(sub === undefined ? {} : { submittedAt: sub }),
    ...(check === undefined ? {} : { lastCheckAt: check }),
  };
}

export function applicationStatus(a: ApplicationRecord, message?: string, blockedReason?: string): NonNullable<CertificateStatus['application']> {
  return {
    revision: a.revision, purpose: a.purpose, state: a.state, generation: a.generation,
    ...(a.blockedGeneration === undefined ? {} : { blockedGeneration: a.blockedGeneration }),
    ...(blockedReason === undefined ? {} : { blockedReason }),
    ...(a.predecessorNotAfter === undefined ? {} : { predecessorNotAfter: formatInstant(a.predecessorNotAfter) }),
    ...(a.submittedAt === undefined ? {} : { submittedAt: formatInstant(a.submittedAt) }),
    ...(a.lastCheckAt === undefined ? {} : { lastCheckAt: formatInstant(a.lastCheckAt) }),
    ...(message === undefined ? {} : { message }),
  };
}

export function successorRecords(st: CertificateStatus | undefined): QueuedSuccessorRecord[] {
  return (st?.successors ?? []).map((s) => {
    const at = ts(s.submitAt);
    return at === undefined ? { revision: s.revision } : { revision: s.revision, submitAt: at };
  });
}

export interface DerivedInput {
  cert: Certificate;
  status: CertificateStatus;
  rules: BrandRules;
  now: Instant;
  /** Extra conditions the step that just ran decided (QuotaAvailable, RenewalAllowed, Ready overrides). */
  conditions: DesiredCondition[];
  /** R-AUTODEPLOY-PRE, decided by the rollout (false until a target was deployed). */
  autoDeploy: boolean;
}

/**
 * Everything status shows that follows from the records and the clock. Pure: the same records and
 * `now` give the same status, so a reconcile writes only when something really changed.
 */
export function deriveStatus(d: DerivedInput): CertificateStatus {
  const st: CertificateStatus = { ...d.status };
  const current = currentRecord(st);
  const app = applicationRecord(st);
  const profile = d.rules.profile;
  // Hosted: a successor comes without anyone acting: a queued one, or the next certificate of this service year (R-PROFILE).
  const hosted = (d.cert.spec.hosting?.enabled ?? false) && ((st.successors?.length ?? 0) > 0 || rolloverPending(current));
  const source = d.cert.spec.source ?? 'Issue';

  // Successors' submit times are projections from the current certificate (R-EARLY).
  if (current && st.successors && st.successors.length > 0) {
    const chain = projectChain(profile, current, st.successors.length, d.now);
    st.successors = st.successors.map((s, i): SuccessorStatus => {
      const at = chain[i]?.submitAt;
      return { revision: s.revision, state: 'Inactive', ...(at === undefined ? {} : { submitAt: formatInstant(Math.max(at, d.now)) }) };
    });
  }

  const rev: RevisionFacts = current
    ? { source, revoked: st.revokedAt !== undefined, queued: false, submitted: true, rejected: false, issued: current }
    : {
      source, revoked: st.revokedAt !== undefined, queued: false,
      submitted: app?.state === 'Submitted', rejected: app?.state === 'Rejected', issued: null,
    };
  const state = revisionState(rev, { hosted, autoDeploy: d.autoDeploy && hosted }, profile, d.now);
  st.state = state;
  st.observedGeneration = d.cert.metadata.generation ?? 0;
  if (current) {
    st.renewalTime = formatInstant(windowOpensAt(profile, current));
  } else {
    delete st.renewalTime;
  }
  if (d.rules.validation === 'check' && source === 'Issue' && !d.cert.spec.csr) {
    st.validation = validationRecords(d.cert.spec.domains, d.cert.spec.validation?.method ?? 'DNS', d.cert.metadata.uid ?? '');
  } else {
    delete st.validation;
  }

  const desired: DesiredCondition[] = [];
  const override = d.conditions.find((c) => c.type === ConditionType.Ready);
  const blocked = st.application?.blockedReason !== undefined && st.application.blockedGeneration === (d.cert.metadata.generation ?? 0) && !current
    ? { type: ConditionType.Ready, status: 'False' as const, reason: st.application.blockedReason, message: st.application.message ?? st.application.blockedReason }
    : undefined;
  desired.push(override ?? blocked ?? readyCondition(state, readyMessage(state, st)));
  const inWindow = current !== undefined && inRenewalWindow(profile, current, d.now);
  desired.push(inWindowCondition(inWindow, current ? windowOpensAt(profile, current) : null));
  const periodEnd = st.servicePeriod?.end ? (parseInstant(st.servicePeriod.end) ?? null) : null;
  desired.push(hostedCondition(hosted, periodEnd, d.cert.spec.hosting?.enabled ?? false));
  desired.push(app && app.state !== 'Rejected'
    ? { type: ConditionType.Issuing, status: 'True', reason: app.state === 'Pending' ? Reason.Pending : Reason.Submitted, message: app.state === 'Pending' ? `Revision ${app.revision} waits for credits or input before it can be submitted.` : `Revision ${app.revision} is submitted to the CA.` }
    : { type: ConditionType.Issuing, status: 'False', reason: Reason.Issued, message: 'No application is in progress.' });
  if (current?.requestedNotAfter !== undefined && current.requestedNotAfter > current.notAfter) {
    desired.push({
      type: ConditionType.ValidityTruncated, status: 'True', reason: Reason.IntermediateExpiresEarly,
      message: `The issuing intermediate CA expires first: ${Math.round((current.requestedNotAfter - current.notAfter) / 1000)} s of validity were lost; the certificate is re-issued until ${formatInstant(current.requestedNotAfter)} as soon as a newer intermediate covers it (R-CAP).`,
    });
  } else if (current) {
    desired.push({ type: ConditionType.ValidityTruncated, status: 'False', reason: Reason.FullValidity, message: 'The certificate has its full validity.' });
  }
  for (const c of d.conditions) if (c.type !== ConditionType.Ready) desired.push(c);
  st.conditions = setConditions(st.conditions ?? [], desired, st.observedGeneration, d.now) as Condition[];
  return st;
}

function readyMessage(state: string, st: CertificateStatus): string | undefined {
  switch (state) {
    case 'PendingApplication':
      return st.application?.message ?? 'The application waits for credits or input.';
    case 'UnderReview':
      return st.application?.message ?? 'The application is under review: publish the records listed in status.validation.';
    case 'ReviewFailed':
      return st.application?.message ?? 'Validation failed; change the spec to apply again.';
    case 'Expired':
      return 'The certificate has expired and cannot be renewed (R-EXPIRED); apply for a new one.';
    case 'Revoked':
      return 'The certificate was revoked.';
    default:
      return undefined;
  }
}

/** JSON with object keys sorted: the API server re-encodes objects with sorted keys. */
export function stableJson(v: unknown): string {
  return JSON.stringify(v, (_k, value: unknown) => (value && typeof value === 'object' && !Array.isArray(value)
    ? Object.fromEntries(Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    : value));
}

/** Keys of status that differ, as a merge patch (null removes a field). */
export function statusPatch(before: CertificateStatus | undefined, after: CertificateStatus): Record<string, unknown> | null {
  return mergePatch((before ?? {}) as Record<string, unknown>, after as Record<string, unknown>);
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * RFC 7386 merge patch from `b` to `a`: the API server merges nested objects, so a field dropped inside
 * one (current.serviceYearEnd after the year's last certificate) must be sent as null to go away.
 */
function mergePatch(b: Record<string, unknown>, a: Record<string, unknown>): Record<string, unknown> | null {
  const patch: Record<string, unknown> = {};
  for (const k of new Set([...Object.keys(b), ...Object.keys(a)])) {
    if (a[k] === undefined && b[k] !== undefined) patch[k] = null;
    else if (a[k] !== undefined && stableJson(a[k]) !== stableJson(b[k])) {
      const nested = isPlainObject(a[k]) && isPlainObject(b[k]) ? mergePatch(b[k], a[k]) : null;
      patch[k] = nested ?? a[k];
    }
  }
  return Object.keys(patch).length === 0 ? null : patch;
}
