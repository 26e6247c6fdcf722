// `kubectl certhost plan --days N`: what the operator is going to do in the next N days, computed with the
// same domain functions the operator decides with (src/domain): when hosted successors are submitted
// (R-EARLY, R-YEARS), when the next certificate of a service year follows under the CA/B schedule
// (R-PROFILE), when renewal windows open and certificates expire (R-WINDOW, R-EXPIRED), which
// renewals lack credits (R-INSUFFICIENT, R-SAME-SPEC), and which expiry reminders are sent (R-NOTIFY).
//
// It is a forecast from the objects as they are now: it assumes nobody changes a spec, that a submitted
// successor is issued at once (the built-in CA without validation), and that nobody renews by hand.
import type { Certificate } from '../api/certificate-types.ts';
import { ConditionType } from '../api/conditions.ts';
import type { HostingPackage } from '../api/hosting-package-types.ts';
import type { LabelSelector } from '../api/meta-types.ts';
import { specificationKey } from '../api/product.ts';
import { currentRecord } from '../controllers/certificate-status.ts';
import { packageView } from '../controllers/credit-store.ts';
import { matchesSelector } from '../controllers/label-selector.ts';
import { successorNeeds } from '../domain/certificate-plan.ts';
import { findCondition } from '../domain/conditions.ts';
import { hostable, renewable } from '../domain/credit-costs.ts';
import { type CreditNeed, type MissingCredit, type PackageView, ledgerKey, planCredits, reserve } from '../domain/credit-ledger.ts';
import { type IssuerProfile, defaultProfile } from '../domain/issuer-profile.ts';
import { DEFAULT_REMINDER_DAYS, reminderDecision } from '../domain/reminders.ts';
import { projectChain, successorsNeeded } from '../domain/successor-plan.ts';
import { DAY, type Duration, type Instant, formatInstant } from '../domain/time.ts';
import { type PlannedValidity, isExpired, rolloversOfYear, windowOpensAt } from '../domain/validity.ts';
import { isRevoked, nameOf, namespaceOf } from './certificate-facts.ts';
import { renderTable } from './table.ts';

/** In the order events of the same instant are listed. */
export const forecastEventKinds = ['Renews', 'RollsOver', 'WindowOpens', 'NeedsCredits', 'Reminder', 'Expires'] as const;
export type ForecastEventKind = (typeof forecastEventKinds)[number];

export interface ForecastEvent {
  at: Instant;
  namespace: string;
  certificate: string;
  event: ForecastEventKind;
  /** The revision the event is about (the successor for Renews, the one renewed for NeedsCredits). */
  revision: number;
  detail: string;
}

/** What the plan needs of a brand's rules (R-PROFILE; credits may be off for a private CA). */
export interface ForecastRules {
  profile: IssuerProfile;
  creditsRequired: boolean;
}

export interface ForecastInput {
  certificates: readonly Certificate[];
  /** HostingPackages of the same namespaces (credits are spent only in their namespace, R-TENANCY). */
  packages: readonly HostingPackage[];
  now: Instant;
  days: number;
  /** Rules per brand; default: the default profile with credits required (the operator's defaults). */
  rulesFor?: (brand: string) => ForecastRules;
}

const defaultRules: ForecastRules = { profile: defaultProfile, creditsRequired: true };

/**
 * One revision of a renewal chain: the current one, then each queued successor as projected. `notAfter`
 * is the end of its service year; under the CA/B schedule the certificates inside it (`rollovers`)
 * follow one another by themselves (R-PROFILE).
 */
interface Link {
  revision: number;
  notBefore: Instant;
  notAfter: Instant;
  carry: Duration;
  rollovers: PlannedValidity[];
  /** For a queued successor: when it is submitted to the CA. */
  submitAt?: Instant;
}

/** Credits an action will need at an instant; checked in date order against what packages hold. */
interface CreditDemand {
  at: Instant;
  namespace: string;
  certificate: string;
  revision: number;
  selector: LabelSelector | undefined;
  needs: CreditNeed[];
  what: string;
}

export function forecast(input: ForecastInput): ForecastEvent[] {
  const { now } = input;
  const horizon = now + Math.max(0, input.days) * DAY;
  const rulesFor = input.rulesFor ?? (() => defaultRules);
  const events: ForecastEvent[] = [];
  const demands: CreditDemand[] = [];
  const add = (e: ForecastEvent): void => {
    if (e.at >= now && e.at <= horizon) events.push(e);
  };

  for (const cert of input.certificates) {
    if (isRevoked(cert) || cert.metadata.deletionTimestamp) continue;
    const ns = namespaceOf(cert);
    const name = nameOf(cert);
    const uid = cert.metadata.uid ?? `${ns}/${name}`;
    const source = cert.spec.source ?? 'Issue';
    const product = cert.spec.product;
    const rules = product ? rulesFor(product.brand) : defaultRules;
    const st = cert.status;
    const base = { namespace: ns, certificate: name };

    // An application in progress: waiting for credits shows as QuotaAvailable=False (R-INSUFFICIENT).
    const app = st?.application;
    const quota = findCondition(st?.conditions, ConditionType.QuotaAvailable);
    if (app?.state === 'Pending' && quota?.status === 'False') {
      add({ ...base, at: now, event: 'NeedsCredits', revision: app.revision, detail: `revision ${app.revision} waits for credits: ${quota.message}` });
    }
    const current = currentRecord(st);
    if (!current) continue;
    // A renewal already applied for: submitted, it is being issued; pending, it waits for its credits
    // (reported above) and the certificate still expires unless they come.
    const renewal = app !== undefined && app.state !== 'Rejected' && app.revision > current.revision ? app.state : null;

    // The chain: the current certificate, then each queued successor, submitted when its predecessor's
    // window opens and issued at once with the carry-over of R-CARRY (what projectChain computes; here
    // with a submission that is already due moved to `now`, as the operator would do it).
    const yearEnd = current.serviceYearEnd ?? current.notAfter;
    const links: Link[] = [{
      revision: current.revision, notBefore: current.notBefore, notAfter: yearEnd, carry: (st?.current?.carriedOverSeconds ?? 0) * 1000,
      rollovers: rolloversOfYear(rules.profile, current, yearEnd, now),
    }];
    const queued = [...(st?.successors ?? [])].sort((a, b) => a.revision - b.revision);
    projectChain(rules.profile, current, queued.length, now).forEach((p, k) => {
      const first = { notBefore: p.notBefore, notAfter: p.firstNotAfter };
      links.push({
        revision: queued[k]?.revision ?? current.revision + p.index, notBefore: p.notBefore, notAfter: p.notAfter, carry: p.carry, submitAt: p.submitAt,
        rollovers: rolloversOfYear(rules.profile, first, p.notAfter, now),
      });
    });

    const daysBefore = cert.spec.notifications?.daysBefore ?? DEFAULT_REMINDER_DAYS;
    const webhook = cert.spec.notifications?.webhook !== undefined;
    links.forEach((link, i) => {
      const next = links[i + 1];
      if (link.submitAt !== undefined) {
        add({
          ...base, at: link.submitAt, event: 'Renews', revision: link.revision,
          detail: `hosted successor revision ${link.revision} is submitted (credits already reserved) and valid until ${formatInstant(link.notAfter)}, carrying ${formatDays(link.carry)} (R-EARLY, R-CARRY)`,
        });
      }
      for (const r of link.rollovers) {
        add({
          ...base, at: r.notBefore, event: 'RollsOver', revision: link.revision,
          detail: `the next certificate of revision ${link.revision}'s service year is issued, valid until ${formatInstant(r.notAfter)}, at no credit (R-PROFILE)`,
        });
      }
      // R-NOTIFY: the operator sends reminders for an issued certificate (never for an uploaded one) until its
      // successor is issued; this replays reminderDecision at each instant it names.
      if (source === 'Issue') {
        const settled = i === 0 && st?.reminders?.revision === link.revision ? st.reminders.settled : [];
        for (const r of reminders(link, settled, daysBefore, now, Math.min(horizon, (next?.submitAt ?? Infinity) - 1))) {
          add({
            ...base, at: r.at, event: 'Reminder', revision: link.revision,
            detail: `${r.days}-day expiry reminder for revision ${link.revision}, which expires ${formatInstant(link.notAfter)}${webhook ? '; also posted to the webhook' : ''} (R-NOTIFY)`,
          });
        }
      }
      if (next || isExpired(link, now) || renewal === 'Submitted') return;

      // The last certificate of the chain: nothing follows it unless someone renews it by hand.
      const spec = product ? specificationKey(product) : '';
      const canRenew = product !== undefined && renewable(product, source);
      const opens = windowOpensAt(rules.profile, link);
      const hostingOn = cert.spec.hosting?.enabled ?? false;
      if (canRenew && renewal === null) {
        const free = product.grade === 'free';
        const cost = free || !rules.creditsRequired ? 'no credit needed' : `1 certificate credit of ${spec}`;
        add({
          ...base, at: opens, event: 'WindowOpens', revision: link.revision,
          detail: `renewal window of revision ${link.revision} opens: renew by hand ("kubectl certhost renew ${name}", ${cost})${hostingOn ? ' or raise spec.hosting.servicePeriodYears' : ' or enable hosting'} (R-MANUAL)`,
        });
        if (!free && rules.creditsRequired && opens <= horizon) {
          const revision = link.revision + 1;
          demands.push({
            at: Math.max(opens, now), namespace: ns, certificate: name, revision, selector: cert.spec.hosting?.packageSelector,
            needs: [{ key: ledgerKey(uid, revision, 'certificate'), certificate: name, revision, kind: 'certificate', product }],
            what: `manual renewal of revision ${link.revision}`,
          });
        }
      }
      const why = source === 'Upload'
        ? 'an uploaded certificate is never renewed (R-NOT-RENEWABLE); upload a new one before then'
        : !canRenew
          ? `a ${product?.grade ?? ''} ${product?.domainType ?? ''}-domain certificate cannot be renewed (R-NOT-RENEWABLE); apply for a new one before then`
          : renewal === 'Pending'
            ? `the renewal applied for waits for credits; unless they come, nothing replaces it`
            : hostingOn
              ? `the hosted service period ends with it (no successor queued); renew it by hand in its window (from ${formatInstant(opens)}) or raise spec.hosting.servicePeriodYears`
              : `no successor is queued: renew it by hand in its window (from ${formatInstant(opens)}) or enable hosting`;
      add({ ...base, at: link.notAfter, event: 'Expires', revision: link.revision, detail: `revision ${link.revision} expires: ${why} (R-EXPIRED)` });
    });

    // Hosting wants more years than are queued (R-HOSTING-LATER, R-YEARS): the operator queues the rest as
    // soon as their certificate and hosting credits exist.
    if (source === 'Issue' && product && rules.creditsRequired && !isExpired(current, now) && (cert.spec.hosting?.enabled ?? false) && hostable(product, source)) {
      const first = st?.servicePeriod?.firstRevision ?? current.revision;
      const queued = st?.successors?.length ?? 0;
      const missing = successorsNeeded(cert.spec.hosting?.servicePeriodYears ?? 1, current.revision - first + 1) - queued;
      if (missing > 0) {
        const newest = Math.max(current.revision, app?.revision ?? 0, ...(st?.successors ?? []).map((s) => s.revision));
        const revisions = Array.from({ length: missing }, (_, k) => newest + 1 + k);
        demands.push({
          at: now, namespace: ns, certificate: name, revision: revisions[0] ?? newest + 1, selector: cert.spec.hosting?.packageSelector,
          needs: revisions.flatMap((r) => successorNeeds(uid, name, r, product)),
          what: `hosting needs ${missing} more queued successor${missing > 1 ? 's' : ''} (R-HOSTING-LATER)`,
        });
      }
    }
  }

  // Credits in date order, first come first served, each namespace from its own packages (R-TENANCY):
  // planCredits decides exactly as the operator does, and a demand that fits is reserved, so a later
  // one sees what is left.
  const pools = new Map<string, { pkg: HostingPackage; view: PackageView }[]>();
  for (const pkg of input.packages) {
    if (pkg.metadata.deletionTimestamp) continue;
    const list = pools.get(namespaceOf(pkg)) ?? [];
    list.push({ pkg, view: packageView(pkg) });
    pools.set(namespaceOf(pkg), list);
  }
  demands.sort((a, b) => a.at - b.at || a.namespace.localeCompare(b.namespace) || a.certificate.localeCompare(b.certificate));
  for (const d of demands) {
    const usable = (pools.get(d.namespace) ?? []).filter((p) => matchesSelector(d.selector, p.pkg.metadata.labels));
    const plan = planCredits(d.needs, usable.map((p) => p.view), d.at);
    if (plan.ok) {
      for (const a of plan.allocations) {
        const p = usable.find((u) => u.view.name === a.packageName);
        if (p) p.view = { ...p.view, ledger: reserve(p.view.ledger, a.need, d.at) };
      }
      continue;
    }
    add({
      at: d.at, namespace: d.namespace, certificate: d.certificate, event: 'NeedsCredits', revision: d.revision,
      detail: `${d.what}: missing ${missingText(plan.missing)} in the matching HostingPackages of ${d.namespace} (R-INSUFFICIENT)`,
    });
  }

  const order = (k: ForecastEventKind): number => forecastEventKinds.indexOf(k);
  return events.sort((a, b) => a.at - b.at || a.namespace.localeCompare(b.namespace) || a.certificate.localeCompare(b.certificate) || order(a.event) - order(b.event));
}

/** The reminders of one certificate from `now` (or its notBefore) up to `until`, by reminderDecision. */
function reminders(link: Link, settled: readonly number[], daysBefore: readonly number[], now: Instant, until: Instant): { at: Instant; days: number }[] {
  const out: { at: Instant; days: number }[] = [];
  let done = [...settled];
  let t = Math.max(now, link.notBefore);
  for (let guard = 0; guard < 64 && t <= until; guard++) {
    const d = reminderDecision({ notAfter: link.notAfter, now: t, settled: done, successorIssued: false, daysBefore });
    if (d.kind === 'send') {
      out.push({ at: t, days: d.daysBefore });
      done = [...done, ...d.settle];
    }
    if (d.nextAt === null || d.nextAt <= t) break;
    t = d.nextAt;
  }
  return out;
}

function missingText(missing: readonly MissingCredit[]): string {
  return missing.map((m) => `${m.count} ${m.kind} credit${m.count > 1 ? 's' : ''}${m.product ? ` of ${specificationKey(m.product)}` : ''}`).join(' and ');
}

function formatDays(ms: Duration): string {
  const d = ms / DAY;
  return `${Number.isInteger(d) ? d : d.toFixed(2)} d`;
}

export interface ForecastRow {
  date: string;
  namespace: string;
  certificate: string;
  event: ForecastEventKind;
  revision: number;
  detail: string;
}

export function forecastRows(events: readonly ForecastEvent[]): ForecastRow[] {
  return events.map((e) => ({ date: formatInstant(e.at), namespace: e.namespace, certificate: e.certificate, event: e.event, revision: e.revision, detail: e.detail }));
}

export function renderForecast(rows: readonly ForecastRow[], now: Instant, days: number): string {
  const head = `Plan for the ${days} days from ${formatInstant(now)} to ${formatInstant(now + days * DAY)}:\n`;
  if (rows.length === 0) return `${head}Nothing happens in this period.\n`;
  return head + renderTable(['Date', 'Namespace', 'Certificate', 'Event', 'Detail'], rows.map((r) => [r.date, r.namespace, r.certificate, r.event, r.detail]));
}
