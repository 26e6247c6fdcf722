// `kubectl certhost renew NAME`: a manual renewal (R-MANUAL) is requested with a new value of the
// annotation certhost.io/renew, the way `kubectl rollout restart` works. The operator decides; the plugin
// only says what it expects, with the same rules (decideRenewal, planCredits).
import type { Certificate } from '../api/certificate-types.ts';
import type { HostingPackage } from '../api/hosting-package-types.ts';
import { Annotation } from '../api/labels.ts';
import { specificationKey } from '../api/product.ts';
import { currentRecord } from '../controllers/certificate-status.ts';
import { packageView } from '../controllers/credit-store.ts';
import { matchesSelector } from '../controllers/label-selector.ts';
import { ledgerKey, planCredits } from '../domain/credit-ledger.ts';
import { decideRenewal } from '../domain/renewal-decision.ts';
import { type Instant, formatInstant } from '../domain/time.ts';
import { carryOver } from '../domain/validity.ts';
import { isRevoked, nameOf, namespaceOf } from './certificate-facts.ts';
import type { ForecastRules } from './forecast.ts';

export interface RenewExpectation {
  /** accept: the operator should apply for a successor now; refuse: it answers RenewalAllowed=False. */
  outcome: 'accept' | 'refuse';
  /** The refusal reason the operator would write (RenewalAllowed=False), or the credit situation. */
  reason: string;
  message: string;
}

/** The merge patch that requests one renewal. */
export function renewPatch(value: string): { metadata: { annotations: Record<string, string> } } {
  return { metadata: { annotations: { [Annotation.renew]: value } } };
}

/**
 * A value the operator has not handled yet (it ignores a value equal to the last one it handled):
 * the time, with a counter when the same instant was already used.
 */
export function renewValue(cert: Certificate, at: Instant): string {
  const base = new Date(at).toISOString();
  const used = new Set([cert.metadata.annotations?.[Annotation.renew], cert.status?.lastRenewRequest]);
  let value = base;
  for (let i = 2; used.has(value); i++) value = `${base}#${i}`;
  return value;
}

/** What the operator is expected to do with a renewal request at `now` (planCertificate's R-MANUAL branch). */
export function expectRenewal(cert: Certificate, packages: readonly HostingPackage[], now: Instant, rules: ForecastRules): RenewExpectation {
  const refuse = (reason: string, message: string): RenewExpectation => ({ outcome: 'refuse', reason, message });
  const product = cert.spec.product;
  const source = cert.spec.source ?? 'Issue';
  const current = currentRecord(cert.status) ?? null;
  if (source === 'Issue' && !product) return refuse('InvalidSpec', 'spec.product is missing, so nothing can be issued or renewed.');
  if ((cert.status?.successors?.length ?? 0) > 0) {
    return refuse('AlreadyHosted', 'The certificate is hosted: its successor is submitted automatically when the renewal window opens; no manual renewal is needed.');
  }
  const app = cert.status?.application;
  if (app && app.state !== 'Rejected' && current && app.revision > current.revision) {
    return { outcome: 'accept', reason: 'InProgress', message: `Revision ${app.revision} is already being applied for (${app.state}); the new request changes nothing.` };
  }
  const decision = decideRenewal({
    profile: rules.profile, product: product ?? { brand: '', type: 'DV', domainType: 'single', grade: 'standard' }, source,
    current, revoked: isRevoked(cert), via: 'manual', now,
  });
  if (!decision.ok) return refuse(decision.reason, decision.message);
  const carry = current ? carryOver(rules.profile, now, current.notAfter) : 0;
  const revision = Math.max(current?.revision ?? 0, app?.revision ?? 0) + 1;
  const base = `The certificate is in its renewal window: the operator applies for revision ${revision} now, carrying over ${Math.round(carry / 86_400_000)} days (R-MANUAL, R-CARRY)`;
  if (!product || product.grade === 'free' || !rules.creditsRequired) return { outcome: 'accept', reason: 'NoCreditNeeded', message: `${base}; no credit is needed.` };
  const usable = packages.filter((p) => namespaceOf(p) === namespaceOf(cert) && !p.metadata.deletionTimestamp && matchesSelector(cert.spec.hosting?.packageSelector, p.metadata.labels));
  const plan = planCredits([{ key: ledgerKey(cert.metadata.uid ?? nameOf(cert), revision, 'certificate'), certificate: nameOf(cert), revision, kind: 'certificate', product }], usable.map(packageView), now);
  if (plan.ok) {
    const from = plan.allocations[0]?.packageName;
    return { outcome: 'accept', reason: 'CreditsAvailable', message: `${base}, using 1 certificate credit of ${specificationKey(product)}${from ? ` from HostingPackage ${from}` : ''}.` };
  }
  return {
    outcome: 'accept', reason: 'InsufficientCertificateCredits',
    message: `${base}, but no certificate credit of ${specificationKey(product)} is available: the application waits (Pending Application, QuotaAvailable=False) and continues by itself when a HostingPackage provides one (R-INSUFFICIENT).`,
  };
}

export function renderRenew(cert: Certificate, value: string, expectation: RenewExpectation, now: Instant): string {
  const lines = [
    `certificate.certhost.io/${nameOf(cert)} annotated ${Annotation.renew}=${value}`,
    `Expected at ${formatInstant(now)}: ${expectation.outcome === 'accept' ? 'accepted' : `refused (${expectation.reason})`}. ${expectation.message}`,
    'The operator decides: a refused request shows up as condition RenewalAllowed=False with the reason and an Event;',
    `follow it with "kubectl certhost status ${nameOf(cert)}${namespaceOf(cert) ? ` -n ${namespaceOf(cert)}` : ''}".`,
  ];
  return `${lines.join('\n')}\n`;
}
