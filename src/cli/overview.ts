// `kubectl certhost overview`: the console summary. How many certificates are in each of the 11 states
// (spec section 7), the credits of every HostingPackage (spec section 4), and what expires soon.
import type { Certificate } from '../api/certificate-types.ts';
import type { HostingPackage, PackageType } from '../api/hosting-package-types.ts';
import { packageTypes } from '../api/hosting-package-types.ts';
import { type CertificateState, certificateStates, isCertificateState, stateDisplayNames, stateLabels } from '../api/states.ts';
import { packageView } from '../controllers/credit-store.ts';
import { currentRecord } from '../controllers/certificate-status.ts';
import { packageCounters } from '../domain/credit-ledger.ts';
import { DAY, type Instant, formatInstant, parseInstant } from '../domain/time.ts';
import {
  byNamespaceAndName, daysUntil, isHostedNow, isRevoked, nameOf, namespaceOf, packageProductText,
} from './certificate-facts.ts';
import { renderTable } from './table.ts';

/** The console's "expiring soon" list looks this far ahead (the renewal window of R-WINDOW). */
export const EXPIRING_DAYS = 30;

export interface CreditTotals {
  type: PackageType;
  /** For Certificate packages: the specification its credits issue. */
  product?: string;
  total: number;
  used: number;
  reserved: number;
  available: number;
}

/** One package: its counters, as the totals add them up per type and specification. */
export interface PackageCredits extends CreditTotals {
  namespace: string;
  name: string;
  expires?: string;
}

export interface ExpiringCertificate {
  namespace: string;
  name: string;
  state: string;
  notAfter: string;
  daysLeft: number;
  hosted: boolean;
}

export interface Overview {
  now: string;
  /** Certificates per state; queued successors count as their own rows (Inactive), as the console lists them. */
  states: Record<CertificateState, number>;
  /** Certificates the operator has not written a state for yet. */
  unreconciled: number;
  /** Certificate resources in scope. */
  certificates: number;
  /** Queued successors (status.successors), counted in `states` under their own state. */
  queuedSuccessors: number;
  credits: PackageCredits[];
  totals: CreditTotals[];
  expiring: ExpiringCertificate[];
}

export function computeOverview(certificates: readonly Certificate[], packages: readonly HostingPackage[], now: Instant, days = EXPIRING_DAYS): Overview {
  const states = Object.fromEntries(certificateStates.map((s) => [s, 0])) as Record<CertificateState, number>;
  let unreconciled = 0;
  let queuedSuccessors = 0;
  for (const cert of certificates) {
    queuedSuccessors += cert.status?.successors?.length ?? 0;
    const state = cert.status?.state;
    if (state !== undefined && isCertificateState(state)) states[state] += 1;
    else unreconciled += 1;
    for (const s of cert.status?.successors ?? []) if (isCertificateState(s.state)) states[s.state] += 1;
  }

  // Counters from the ledger with the domain's packageCounters, the way the operator writes them; at
  // `now`, so an expired package shows nothing available even before the operator rewrote its status.
  const credits: PackageCredits[] = [...packages].sort((a, b) => packageTypes.indexOf(a.spec.type) - packageTypes.indexOf(b.spec.type) || byNamespaceAndName(a, b))
    .map((p) => {
      const c = packageCounters(packageView(p), now);
      const product = packageProductText(p);
      return {
        namespace: namespaceOf(p), name: nameOf(p), type: p.spec.type, ...(product ? { product } : {}),
        total: c.total, used: c.used, reserved: c.reserved, available: c.available,
        ...(p.spec.expires ? { expires: p.spec.expires } : {}),
      };
    });
  const totals: CreditTotals[] = [];
  for (const c of credits) {
    const t = totals.find((x) => x.type === c.type && x.product === c.product);
    if (t) {
      t.total += c.total;
      t.used += c.used;
      t.reserved += c.reserved;
      t.available += c.available;
    } else {
      totals.push({ type: c.type, ...(c.product ? { product: c.product } : {}), total: c.total, used: c.used, reserved: c.reserved, available: c.available });
    }
  }

  const horizon = now + days * DAY;
  const expiring: ExpiringCertificate[] = [];
  for (const cert of [...certificates].sort(byNamespaceAndName)) {
    const current = currentRecord(cert.status);
    if (!current || isRevoked(cert) || current.notAfter <= now || current.notAfter > horizon) continue;
    expiring.push({
      namespace: namespaceOf(cert), name: nameOf(cert), state: cert.status?.state ?? '',
      notAfter: formatInstant(current.notAfter), daysLeft: daysUntil(current.notAfter, now), hosted: isHostedNow(cert),
    });
  }
  expiring.sort((a, b) => (parseInstant(a.notAfter) ?? 0) - (parseInstant(b.notAfter) ?? 0) || a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
  return { now: formatInstant(now), certificates: certificates.length, queuedSuccessors, states, unreconciled, credits, totals, expiring };
}

function stateText(state: string): string {
  return isCertificateState(state) ? stateDisplayNames[state] : state;
}

export function renderOverview(o: Overview, days = EXPIRING_DAYS): string {
  const out: string[] = [];
  out.push(`Certificates: ${o.certificates}${o.queuedSuccessors > 0 ? ` and ${o.queuedSuccessors} queued successor${o.queuedSuccessors > 1 ? 's' : ''}` : ''}, as of ${o.now}\n`);
  const stateRows = certificateStates.map((s) => [stateDisplayNames[s], stateLabels[s], o.states[s]]);
  if (o.unreconciled > 0) stateRows.push(['(not reconciled yet)', '', o.unreconciled]);
  out.push(renderTable(['State', 'Label', 'Count'], stateRows, { empty: '', indent: '  ' }));

  out.push('\nCredits:\n');
  if (o.credits.length === 0) out.push('  No HostingPackages.\n');
  else {
    out.push(renderTable(['Namespace', 'Package', 'Type', 'Product', 'Total', 'Used', 'Reserved', 'Available', 'Expires'],
      o.credits.map((c) => [c.namespace, c.name, c.type, c.product ?? '-', c.total, c.used, c.reserved, c.available, c.expires ?? '-']), { indent: '  ' }));
    out.push('\n  Available by type:\n');
    out.push(renderTable(['Type', 'Product', 'Total', 'Used', 'Reserved', 'Available'],
      o.totals.map((t) => [t.type, t.product ?? '-', t.total, t.used, t.reserved, t.available]), { indent: '  ' }));
  }

  out.push(`\nExpiring in the next ${days} days:\n`);
  if (o.expiring.length === 0) out.push('  None.\n');
  else {
    out.push(renderTable(['Namespace', 'Name', 'State', 'Not After', 'Days Left', 'Hosted'],
      o.expiring.map((e) => [e.namespace, e.name, stateText(e.state), e.notAfter, e.daysLeft, e.hosted ? 'yes' : 'no']), { indent: '  ' }));
  }
  return out.join('');
}
