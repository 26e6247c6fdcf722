// HostingPackage (certhost.io/v1alpha1): a package of credits of one kind, the serialization point for
// spending them (architecture section 2, spec section 4). The schema is in hosting-package-schema.ts.

import type { Condition } from './conditions.ts';
import type { ApiVersion } from './group-version.ts';
import type { ObjectMeta } from './meta-types.ts';
import type { Product } from './product.ts';

export const hostingPackageKind = 'HostingPackage';

export const packageTypes = ['Certificate', 'Hosting', 'Deployment'] as const;
export type PackageType = (typeof packageTypes)[number];

/** The three kinds of credit (spec section 1); a package of type T holds credits of kind creditKindOf[T]. */
export const creditKinds = ['certificate', 'hosting', 'deployment'] as const;
export type CreditKind = (typeof creditKinds)[number];

export const creditKindOf: Readonly<Record<PackageType, CreditKind>> = {
  Certificate: 'certificate',
  Hosting: 'hosting',
  Deployment: 'deployment',
};

/** reserved: held for an Inactive successor (R-CONSUME); consumed: spent; released: returned (R-CANCEL, R-REFUND). */
export const ledgerStates = ['reserved', 'consumed', 'released'] as const;
export type LedgerState = (typeof ledgerStates)[number];

export interface HostingPackageSpec {
  type: PackageType;
  /** For type Certificate: the specification its credits issue (R-SAME-SPEC). */
  product?: Product;
  quantity: number;
  /** RFC 3339; after it the package spends nothing new (free quota lapses at the end of its year, R-FREE-QUOTA). */
  expires?: string;
}

/** One credit movement, keyed for idempotency (R-CONSUME): (certificate UID, revision, kind[, detail]). */
export interface LedgerEntry {
  key: string;
  /** The Certificate's name. */
  certificate: string;
  revision: number;
  kind: CreditKind;
  state: LedgerState;
  time: string;
}

export interface HostingPackageStatus {
  observedGeneration?: number;
  conditions?: Condition[];
  total?: number;
  used?: number;
  reserved?: number;
  available?: number;
  ledger?: LedgerEntry[];
  /** Consumed entries folded away by ledger compaction; they stay counted in `used`. */
  compactedUsed?: number;
}

export interface HostingPackage {
  apiVersion: ApiVersion;
  kind: typeof hostingPackageKind;
  metadata: ObjectMeta;
  spec: HostingPackageSpec;
  status?: HostingPackageStatus;
}
