// R-CONSUME, R-INSUFFICIENT, R-REFUND, R-CANCEL: credits as ledger entries in HostingPackage status.
// A package's counters are derived from its ledger; spending is planned here and written by the
// HostingPackage status update, guarded by resourceVersion.
import { type Product, sameSpecification, specificationKey } from '../api/product.ts';
import type { CreditKind, LedgerEntry as WireLedgerEntry, LedgerState } from '../api/hosting-package-types.ts';
import { type Duration, type Instant, DAY } from './time.ts';

export type { CreditKind, LedgerState };

/**
 * A ledger entry of HostingPackage status with its time as an Instant. Its key is (certificate UID,
 * revision, credit kind[, detail]) and unique within a package (R-CONSUME).
 */
export interface LedgerEntry extends Omit<WireLedgerEntry, 'time'> {
  time: Instant;
}

export interface PackageView {
  name: string;
  kind: CreditKind;
  /** For certificate packages: the specification they issue. */
  product?: Product;
  quantity: number;
  expires?: Instant;
  ledger: readonly LedgerEntry[];
  /** Consumed entries folded away by compaction; they stay counted as used. */
  compactedUsed: number;
}

export interface CreditNeed {
  key: string;
  certificate: string;
  revision: number;
  kind: CreditKind;
  /** Required for certificate credits: R-SAME-SPEC, a credit issues one specification only. */
  product?: Product;
}

export function ledgerKey(certificateUID: string, revision: number, kind: CreditKind, detail?: string): string {
  return detail === undefined ? `${certificateUID}/${revision}/${kind}` : `${certificateUID}/${revision}/${kind}/${detail}`;
}

export interface PackageCounters {
  total: number;
  used: number;
  reserved: number;
  available: number;
}

export function packageCounters(pkg: PackageView, now: Instant): PackageCounters {
  const used = pkg.compactedUsed + pkg.ledger.filter((e) => e.state === 'consumed').length;
  const reserved = pkg.ledger.filter((e) => e.state === 'reserved').length;
  const expired = pkg.expires !== undefined && now >= pkg.expires;
  // An expired package spends nothing new; what it already gave stays given.
  const available = expired ? 0 : Math.max(0, pkg.quantity - used - reserved);
  return { total: pkg.quantity, used, reserved, available };
}

function fits(pkg: PackageView, need: CreditNeed): boolean {
  if (pkg.kind !== need.kind) return false;
  if (need.kind !== 'certificate') return true;
  return need.product !== undefined && pkg.product !== undefined && sameSpecification(pkg.product, need.product);
}

export interface Allocation {
  need: CreditNeed;
  packageName: string;
}

export interface MissingCredit {
  kind: CreditKind;
  product?: Product;
  count: number;
}

export type CreditPlan =
  | { ok: true; /** new reservations to write, grouped by nothing: one per need not yet held */ allocations: Allocation[]; alreadyHeld: CreditNeed[] }
  | { ok: false; reason: 'InsufficientCredits'; missing: MissingCredit[]; message: string };

/** Where a ledger key is already held (reserved or consumed), if anywhere. */
export function findHeld(packages: readonly PackageView[], key: string): { packageName: string; entry: LedgerEntry } | null {
  for (const pkg of packages) {
    const entry = pkg.ledger.find((e) => e.key === key && e.state !== 'released');
    if (entry) return { packageName: pkg.name, entry };
  }
  return null;
}

/**
 * R-INSUFFICIENT: an application that needs several credits gets all of them or none. Needs already
 * held (a replay after a crash) are not spent again (R-CONSUME). Packages are used in a stable order:
 * soonest to expire first, then by name, so two replicas planning the same step choose the same
 * package.
 */
export function planCredits(needs: readonly CreditNeed[], packages: readonly PackageView[], now: Instant): CreditPlan {
  const order = [...packages].sort((a, b) => (a.expires ?? Infinity) - (b.expires ?? Infinity) || a.name.localeCompare(b.name));
  const left = new Map(order.map((p) => [p.name, packageCounters(p, now).available]));
  const allocations: Allocation[] = [];
  const alreadyHeld: CreditNeed[] = [];
  const missing: MissingCredit[] = [];
  for (const need of needs) {
    if (findHeld(packages, need.key)) {
      alreadyHeld.push(need);
      continue;
    }
    const pkg = order.find((p) => fits(p, need) && (left.get(p.name) ?? 0) > 0);
    if (pkg) {
      left.set(pkg.name, (left.get(pkg.name) ?? 0) - 1);
      allocations.push({ need, packageName: pkg.name });
      continue;
    }
    const same = missing.find((m) => m.kind === need.kind && (need.product === undefined || (m.product !== undefined && sameSpecification(m.product, need.product))));
    if (same) same.count += 1;
    else missing.push(need.product === undefined ? { kind: need.kind, count: 1 } : { kind: need.kind, product: need.product, count: 1 });
  }
  if (missing.length > 0) return { ok: false, reason: 'InsufficientCredits', missing, message: describeMissing(missing) };
  return { ok: true, allocations, alreadyHeld };
}

export function describeMissing(missing: readonly MissingCredit[]): string {
  const parts = missing.map((m) => {
    const what = m.kind === 'certificate' && m.product ? `certificate credit${m.count > 1 ? 's' : ''} for ${specificationKey(m.product)}` : `${m.kind} credit${m.count > 1 ? 's' : ''}`;
    return `${m.count} ${what}`;
  });
  return `Not enough credits: missing ${parts.join(' and ')}. Nothing was consumed; add a HostingPackage in this namespace (or raise its quantity) and the application continues by itself.`;
}

/** Applies a reservation to a ledger. Idempotent: an entry with the key that is not released stays as it is. */
export function reserve(ledger: readonly LedgerEntry[], need: CreditNeed, now: Instant): LedgerEntry[] {
  if (ledger.some((e) => e.key === need.key && e.state !== 'released')) return [...ledger];
  const rest = ledger.filter((e) => e.key !== need.key);
  return [...rest, { key: need.key, certificate: need.certificate, revision: need.revision, kind: need.kind, state: 'reserved', time: now }];
}

/** Turns a reservation into consumption (the application went to the CA). Idempotent. */
export function commit(ledger: readonly LedgerEntry[], key: string, now: Instant): LedgerEntry[] {
  return ledger.map((e) => (e.key === key && e.state === 'reserved' ? { ...e, state: 'consumed' as const, time: now } : e));
}

/**
 * Returns a credit: a reservation released (R-CANCEL, a failed all-or-nothing plan) or a consumed credit
 * refunded (R-REFUND). Idempotent.
 */
export function release(ledger: readonly LedgerEntry[], key: string, now: Instant): LedgerEntry[] {
  return ledger.map((e) => (e.key === key && e.state !== 'released' ? { ...e, state: 'released' as const, time: now } : e));
}

export const REFUND_PERIOD: Duration = 30 * DAY;

/** R-REFUND: revoking within 30 days of issue returns the certificate credit; later, nothing. */
export function refundOnRevoke(issuedAt: Instant, revokedAt: Instant): boolean {
  return revokedAt - issuedAt <= REFUND_PERIOD;
}

/**
 * Keeps the ledger bounded: settled entries go once nothing can refer to them any more (released ones
 * vanish, consumed ones are folded into compactedUsed); reservations always stay, they are live.
 * Consumed entries are kept through the refund period (R-REFUND needs the key to return the credit).
 * Past `maxEntries` the oldest settled entries go first, so a package's status stays well inside the
 * size of one object (a credit folded early can no longer be refunded; the counters stay exact).
 */
export function compactLedger(
  ledger: readonly LedgerEntry[],
  compactedUsed: number,
  now: Instant,
  keepReleased: Duration = DAY,
  maxEntries = 2000,
): { ledger: LedgerEntry[]; compactedUsed: number } {
  const keepConsumed = REFUND_PERIOD + DAY;
  const live = ledger.filter((e) => e.state === 'reserved');
  const settled = ledger.filter((e) => e.state !== 'reserved').sort((a, b) => b.time - a.time);
  const young = (e: LedgerEntry): boolean => now - e.time <= (e.state === 'consumed' ? keepConsumed : keepReleased);
  const room = Math.max(0, maxEntries - live.length);
  const kept = settled.filter(young).slice(0, room);
  const dropped = settled.filter((e) => !kept.includes(e));
  const folded = dropped.filter((e) => e.state === 'consumed').length;
  const order = new Map(ledger.map((e, i) => [e.key, i]));
  const next = [...live, ...kept].sort((a, b) => (order.get(a.key) ?? 0) - (order.get(b.key) ?? 0));
  return { ledger: next, compactedUsed: compactedUsed + folded };
}
