// Certificate and HostingPackage objects for the plugin's unit tests, in their wire form (what the API
// server returns), with the status the operator writes.
import type { Certificate, CertificateSpec, CertificateStatus } from '../../../src/api/certificate-types.ts';
import type { HostingPackage, LedgerEntry, PackageType } from '../../../src/api/hosting-package-types.ts';
import type { Product } from '../../../src/api/product.ts';

export const t = (s: string): number => Date.parse(s);
export const dvSingle: Product = { brand: 'DigiCert', type: 'DV', domainType: 'single', grade: 'standard' };
export const ovMulti: Product = { brand: 'DigiCert', type: 'OV', domainType: 'multi', grade: 'standard' };

export interface CertOptions {
  namespace?: string;
  spec?: Partial<CertificateSpec>;
  status?: CertificateStatus;
  labels?: Record<string, string>;
}

/** A Certificate; `issued` gives it revision 1 valid from..to with state Issued. */
export function certificate(name: string, opts: CertOptions = {}): Certificate {
  const namespace = opts.namespace ?? 'shop';
  return {
    apiVersion: 'certhost.io/v1alpha1', kind: 'Certificate',
    metadata: { name, namespace, uid: `uid-${namespace}-${name}`, ...(opts.labels ? { labels: opts.labels } : {}) },
    spec: { domains: [`${name}.example.com`], product: dvSingle, secretName: `${name}-tls`, ...opts.spec },
    ...(opts.status ? { status: opts.status } : {}),
  };
}

export function issued(notBefore: string, notAfter: string, extra: Partial<CertificateStatus> = {}): CertificateStatus {
  return {
    state: 'Issued', revision: 1, observedGeneration: 1,
    current: {
      serialNumber: '0a1b2c', fingerprintSHA256: 'ff', notBefore, notAfter, carriedOverSeconds: 0,
      issuer: 'certhost DigiCert CA G1', keyAlgorithm: 'ECDSA P-256',
    },
    renewalTime: new Date(t(notAfter) - 30 * 86_400_000).toISOString().replace('.000Z', 'Z'),
    ...extra,
  };
}

/** A hosted certificate with one queued successor, the way the operator writes it (R-HOSTING-AT-APPLY). */
export function hosted(name: string, notBefore: string, notAfter: string, submitAt: string, opts: CertOptions = {}): Certificate {
  return certificate(name, {
    ...opts,
    spec: { hosting: { enabled: true, servicePeriodYears: 2 }, ...opts.spec },
    status: issued(notBefore, notAfter, {
      state: 'Hosted', successors: [{ revision: 2, state: 'Inactive', submitAt }],
      servicePeriod: { start: notBefore, end: '', firstRevision: 1, years: 2 },
      ...opts.status,
    }),
  });
}

export interface PackageOptions {
  namespace?: string;
  product?: Product;
  ledger?: LedgerEntry[];
  expires?: string;
  labels?: Record<string, string>;
}

export function hostingPackage(name: string, type: PackageType, quantity: number, opts: PackageOptions = {}): HostingPackage {
  const product = type === 'Certificate' ? (opts.product ?? dvSingle) : undefined;
  return {
    apiVersion: 'certhost.io/v1alpha1', kind: 'HostingPackage',
    metadata: { name, namespace: opts.namespace ?? 'shop', ...(opts.labels ? { labels: opts.labels } : {}) },
    spec: { type, quantity, ...(product ? { product } : {}), ...(opts.expires ? { expires: opts.expires } : {}) },
    status: { ledger: opts.ledger ?? [] },
  };
}

/** `count` ledger entries of one state, for packages whose credits are partly used or reserved. */
export function entries(count: number, state: LedgerEntry['state'], kind: LedgerEntry['kind'] = 'certificate', certificate = 'other'): LedgerEntry[] {
  return Array.from({ length: count }, (_, i) => ({ key: `uid-${certificate}/${i + 1}/${kind}-${state}`, certificate, revision: i + 1, kind, state, time: '2025-01-01T00:00:00Z' }));
}
