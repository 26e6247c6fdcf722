// What each purchase costs in credits: R-HOSTING-AT-APPLY, R-YEARS, R-HOSTING-LATER, R-FREE-QUOTA.
import type { Product, ValidationType } from '../api/product.ts';
import { type Instant, calendarYear } from './time.ts';

export interface Cost {
  certificate: number;
  hosting: number;
  /** R-FREE-QUOTA: slots of the yearly free quota (a free certificate uses no certificate credit). */
  freeQuota: number;
  /** R-DEPLOY-CREDITS: deployment credits granted to the certificate by this purchase. */
  deploymentGrant: number;
}

export type CostProblemReason = 'ServicePeriodOutOfRange' | 'HostingNotAvailable' | 'InvalidYears';
export type CostResult = ({ ok: true } & Cost) | { ok: false; reason: CostProblemReason; message: string };

/** R-DEPLOY-CREDITS: each hosting activation grants 5 deployment credits. */
export const DEPLOYMENT_CREDITS_PER_ACTIVATION = 5;

/** R-HOSTING-AT-APPLY: DV up to 4 years of service (3 hosting credits), OV and EV up to 2. */
export function maxServiceYears(type: ValidationType): number {
  return type === 'DV' ? 4 : 2;
}

/** R-NOT-RENEWABLE: test grade, mixed domains and uploaded certificates are never renewed. */
export function renewable(product: Product, source: 'Issue' | 'Upload'): boolean {
  return source === 'Issue' && product.grade !== 'test' && product.domainType !== 'mixed';
}

/** Free certificates come from the yearly quota and are not hosted (Decision: no paid renewal of free certificates). */
export function hostable(product: Product, source: 'Issue' | 'Upload'): boolean {
  return renewable(product, source) && product.grade !== 'free';
}

/**
 * R-HOSTING-AT-APPLY: a new application for a service period of N years costs N certificate credits
 * and N-1 hosting credits; N = 1 is a plain purchase. Since N >= 2 whenever hosting is really used,
 * "at least 2 certificate credits" follows.
 */
export function applicationCost(product: Product, source: 'Issue' | 'Upload', hosting: { enabled: boolean; servicePeriodYears?: number }): CostResult {
  if (source === 'Upload') return { ok: true, certificate: 0, hosting: 0, freeQuota: 0, deploymentGrant: 0 };
  const years = hosting.enabled ? (hosting.servicePeriodYears ?? 1) : 1;
  if (!Number.isInteger(years) || years < 1) {
    return { ok: false, reason: 'InvalidYears', message: 'spec.hosting.servicePeriodYears must be a whole number of at least 1.' };
  }
  if (years > 1 && !hostable(product, source)) {
    return {
      ok: false, reason: 'HostingNotAvailable',
      message: `A ${product.grade} ${product.domainType}-domain certificate cannot be hosted (R-NOT-RENEWABLE); set spec.hosting.servicePeriodYears to 1 or buy a renewable product.`,
    };
  }
  const max = maxServiceYears(product.type);
  if (years > max) {
    return {
      ok: false, reason: 'ServicePeriodOutOfRange',
      message: `${product.type} certificates can be hosted for at most ${max} years; lower spec.hosting.servicePeriodYears to ${max} or less.`,
    };
  }
  const free = product.grade === 'free';
  return {
    ok: true,
    certificate: free ? 0 : years,
    hosting: years - 1,
    freeQuota: free ? 1 : 0,
    deploymentGrant: years > 1 ? 5 : 0,
  };
}

/**
 * R-YEARS: renewing for N years costs N certificate credits; hosting credits N-1 when bought inside the
 * window (certificate 1 is submitted at once) and N before it (certificate 1 waits Inactive, R-EARLY).
 */
export function renewalCost(years: number, inWindow: boolean): CostResult {
  if (!Number.isInteger(years) || years < 1 || years > 3) {
    return { ok: false, reason: 'InvalidYears', message: 'A renewal is bought for 1, 2 or 3 years.' };
  }
  return { ok: true, certificate: years, hosting: inWindow ? years - 1 : years, freeQuota: 0, deploymentGrant: 0 };
}

/** R-HOSTING-LATER: hosting an issued certificate costs one certificate and one hosting credit, and grants 5 deployment credits. */
export function hostingLaterCost(): Cost {
  return { certificate: 1, hosting: 1, freeQuota: 0, deploymentGrant: DEPLOYMENT_CREDITS_PER_ACTIVATION };
}

export const DEFAULT_FREE_QUOTA_PER_YEAR = 20;

export interface FreeRecord {
  /** When the free certificate was applied for. */
  createdAt: Instant;
}

/**
 * R-FREE-QUOTA: a free certificate occupies the quota of the calendar year it was applied in for as
 * long as its record exists (expired and revoked included); deleting it frees the slot; quota of past
 * years lapses.
 */
export function freeQuotaAvailable(records: readonly FreeRecord[], now: Instant, perYear = DEFAULT_FREE_QUOTA_PER_YEAR): number {
  const year = calendarYear(now);
  const occupied = records.filter((r) => calendarYear(r.createdAt) === year).length;
  return Math.max(0, perYear - occupied);
}
