// OpenAPI schema and admission rules (CEL) of HostingPackage.

import { conditionsSchema } from './condition-schema.ts';
import type { HostingPackage, HostingPackageSpec, HostingPackageStatus, LedgerEntry } from './hosting-package-types.ts';
import { creditKinds, ledgerStates, packageTypes } from './hosting-package-types.ts';
import { productSchema } from './product-schema.ts';
import type { Schema, ValidationRule } from './schema.ts';
import { array, dateTime, enumeration, integer, object, optional, required, resource, string } from './schema.ts';

export const maxPackageQuantity = 100000;

export const hostingPackageSpecRules: readonly ValidationRule[] = [
  {
    rule: "self.type != 'Certificate' || has(self.product)",
    message:
      'A Certificate package issues one specification: set spec.product (brand, type, domainType and grade) ' +
      '(R-SAME-SPEC).',
    fieldPath: '.product',
  },
  {
    rule: "self.type == 'Certificate' || !has(self.product)",
    message:
      'Hosting and Deployment credits are not tied to a specification: remove spec.product, or set spec.type ' +
      'to Certificate.',
    fieldPath: '.product',
  },
  {
    // Transition rule: only evaluated on update.
    rule: '!has(oldSelf.product) || (has(self.product) && self.product == oldSelf.product)',
    message:
      'spec.product cannot change: the credits were bought for one specification (R-SAME-SPEC); create a new ' +
      'HostingPackage instead.',
    fieldPath: '.product',
  },
];

export const packageTypeTransitionRule: ValidationRule = {
  rule: 'self == oldSelf',
  message: 'spec.type cannot change after creation: create a new HostingPackage for another kind of credit.',
};

const specSchema = object<HostingPackageSpec>(
  { description: 'The kind and number of credits the package holds.', rules: hostingPackageSpecRules },
  {
    type: required(
      enumeration(packageTypes, {
        description:
          'Certificate: certificate credits of one specification. Hosting: hosting credits (one more year ' +
          'of service each). Deployment: deployment credits (one certificate to one domain on one target). ' +
          'Cannot change after creation.',
        rules: [packageTypeTransitionRule],
      }),
    ),
    product: optional(productSchema),
    quantity: required(
      integer({
        description: 'How many credits the package holds in all (used ones included).',
        minimum: 0,
        maximum: maxPackageQuantity,
      }),
    ),
    expires: optional(
      dateTime({
        description:
          'After this time the package spends nothing new; what it already gave stays given. Free quota ' +
          'lapses at the end of its calendar year (R-FREE-QUOTA).',
      }),
    ),
  },
);

const count = (description: string): Schema<number> => integer({ description, format: 'int64' });

const ledgerEntry = object<LedgerEntry>(
  { description: 'One credit movement, keyed for idempotency (R-CONSUME).' },
  {
    key: required(
      string({ description: '(certificate UID, revision, kind[, detail]): unique within the package.', maxLength: 512 }),
    ),
    certificate: required(string({ description: 'The Certificate, in this namespace.', maxLength: 253 })),
    revision: required(integer({ description: 'The revision the credit is for.', format: 'int64', minimum: 0 })),
    kind: required(enumeration(creditKinds, { description: 'certificate, hosting or deployment.' })),
    state: required(
      enumeration(ledgerStates, {
        description: 'reserved (for an Inactive successor), consumed, or released (returned: R-CANCEL, R-REFUND).',
      }),
    ),
    time: required(dateTime({ description: 'When the entry reached its state.' })),
  },
);

const statusSchema = object<HostingPackageStatus>(
  { description: 'Counters and the ledger. Written only by the operator, guarded by resourceVersion.' },
  {
    observedGeneration: optional(
      integer({ description: 'The metadata.generation this status describes.', format: 'int64', minimum: 0 }),
    ),
    conditions: optional(conditionsSchema('Ready: whether the package can spend credits (not expired, not exhausted).')),
    total: optional(count('spec.quantity.')),
    used: optional(count('Credits consumed.')),
    reserved: optional(count('Credits reserved for Inactive successors (R-CONSUME).')),
    available: optional(count('Credits that can still be spent: total - used - reserved, 0 once expired.')),
    ledger: optional(
      array(ledgerEntry, {
        description: 'Credit movements, keyed (R-CONSUME); bounded by compaction.',
        listType: 'map',
        listMapKeys: ['key'],
      }),
    ),
    compactedUsed: optional(count('Consumed credits whose ledger entries were compacted away; counted in used.')),
  },
);

export const hostingPackageSchema: Schema<HostingPackage> = resource<HostingPackage>(
  {
    description:
      'A package of credits of one kind (certificate, hosting or deployment). Only Certificates in the same ' +
      'namespace spend them (R-TENANCY).',
  },
  specSchema,
  statusSchema,
);
