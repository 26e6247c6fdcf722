// Facts the plugin reads off Certificate and HostingPackage objects, the same way the operator does
// (src/controllers/certificate-status.ts, src/controllers/credit-store.ts), so the plugin never
// disagrees with the operator about what a status means.
import type { Certificate } from '../api/certificate-types.ts';
import type { HostingPackage } from '../api/hosting-package-types.ts';
import { specificationKey } from '../api/product.ts';
import { DAY, type Instant } from '../domain/time.ts';

export function nameOf(o: { metadata: { name?: string } }): string {
  return o.metadata.name ?? '';
}

export function namespaceOf(o: { metadata: { namespace?: string } }): string {
  return o.metadata.namespace ?? '';
}

/**
 * Hosted (spec section 1): hosting is on and a successor is queued, so the service period reaches past
 * the current notAfter. The operator derives the Hosted state from exactly this (certificate-status.ts).
 */
export function isHostedNow(cert: Certificate): boolean {
  return (cert.spec.hosting?.enabled ?? false) && (cert.status?.successors?.length ?? 0) > 0;
}

export function isRevoked(cert: Certificate): boolean {
  return cert.status?.revokedAt !== undefined || cert.spec.revoke === true;
}

export function productText(cert: Certificate): string {
  return cert.spec.product ? specificationKey(cert.spec.product) : '';
}

export function packageProductText(p: HostingPackage): string {
  return p.spec.product ? specificationKey(p.spec.product) : '';
}

/** Whole days from `now` to `at`, rounded down (negative once past). */
export function daysUntil(at: Instant, now: Instant): number {
  return Math.floor((at - now) / DAY);
}

/** Sorts by namespace, then name. */
export function byNamespaceAndName<T extends { metadata: { name?: string; namespace?: string } }>(a: T, b: T): number {
  return namespaceOf(a).localeCompare(namespaceOf(b)) || nameOf(a).localeCompare(nameOf(b));
}
