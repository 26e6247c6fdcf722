// OpenAPI schema and admission rules (CEL) of Certificate. Everything that can be decided from the
// object alone is rejected here, with a message that says what to do; the rest (credits, targets,
// Secrets) is reported by the controller in conditions.

import type {
  AutoDeploySpec,
  Certificate,
  CertificateDeploymentStatus,
  CertificateSpec,
  ApplicationStatus,
  CertificateStatus,
  DeploymentCreditsStatus,
  RemindersStatus,
  CertificateValidation,
  CsrSpec,
  CurrentCertificate,
  HistoryEntry,
  HostingSpec,
  NotificationsSpec,
  PrivateKeySpec,
  ServicePeriod,
  SuccessorStatus,
  UploadSpec,
  ValidationRecordStatus,
  WebhookSpec,
} from './certificate-types.ts';
import {
  applicationPurposes,
  applicationStates,
  certificateSources,
  deploymentStates,
  endedByValues,
  keyAlgorithms,
  maxHistoryEntries,
  recordTypes,
  rotationPolicies,
  validationMethods,
} from './certificate-types.ts';
import { conditionsSchema } from './condition-schema.ts';
import { domainNameSchema } from './domain-name-schema.ts';
import { labelSelector, localObjectReference, objectName, secretKeySelector } from './meta-schema.ts';
import { productSchema } from './product-schema.ts';
import type { Schema, ValidationRule } from './schema.ts';
import {
  array,
  boolean,
  dateTime,
  enumeration,
  integer,
  object,
  optional,
  required,
  resource,
  string,
} from './schema.ts';
import { certificateStates } from './states.ts';

export const maxDomains = 100;
export const maxTargets = 256;

// CEL fragments, evaluated on spec.
const isUpload = "(has(self.source) && self.source == 'Upload')";
const anyWildcard = "self.domains.exists(d, d.startsWith('*.'))";
const anyNormal = "self.domains.exists(d, !d.startsWith('*.'))";
const hostingOn = 'has(self.hosting) && self.hosting.enabled';
const domainTypeIs = (t: string): string => `has(self.product) && self.product.domainType == '${t}'`;

/** The CEL rules on Certificate.spec, in the order the apiserver reports them. */
export const certificateSpecRules: readonly ValidationRule[] = [
  {
    rule: `${isUpload} || has(self.product)`,
    message:
      'spec.product is required to issue a certificate: give its brand, type (DV, OV or EV), domainType ' +
      'and grade.',
    fieldPath: '.product',
  },
  {
    rule: `!${isUpload} || has(self.upload)`,
    message:
      'spec.upload.secretRef is required when spec.source is Upload: name the Secret that holds the ' +
      'third-party certificate (tls.crt) and its key (tls.key).',
    fieldPath: '.upload',
  },
  {
    rule: `${isUpload} || !has(self.upload)`,
    message:
      'spec.upload is used only with spec.source: Upload; remove it, or set spec.source to Upload to ' +
      'bring your own certificate.',
    fieldPath: '.upload',
  },
  {
    rule: '!(has(self.csr) && has(self.privateKey))',
    message:
      'Set spec.csr or spec.privateKey, not both: with a manual CSR the private key stays with you (R-KEY), ' +
      'so remove spec.privateKey.',
    fieldPath: '.csr',
  },
  {
    rule: `!${isUpload} || (!has(self.csr) && !has(self.privateKey))`,
    message:
      'An uploaded certificate brings its own key: remove spec.csr and spec.privateKey, or set spec.source ' +
      'to Issue.',
    fieldPath: '.source',
  },
  {
    // R-NOT-RENEWABLE: hosting is automatic renewal.
    rule: `!${isUpload} || !(${hostingOn})`,
    message:
      'An uploaded third-party certificate cannot be renewed, so it cannot be hosted (R-NOT-RENEWABLE): ' +
      'set spec.hosting.enabled to false.',
    fieldPath: '.hosting.enabled',
  },
  {
    rule:
      `!(${hostingOn}) || !has(self.product) || ` +
      "(self.product.grade != 'test' && self.product.domainType != 'mixed')",
    message:
      'Test-grade and mixed-domain certificates cannot be renewed, so they cannot be hosted ' +
      '(R-NOT-RENEWABLE): set spec.hosting.enabled to false or choose another product.',
    fieldPath: '.hosting.enabled',
  },
  {
    rule: `!has(self.validation) || self.validation.method != 'HTTP' || !${anyWildcard}`,
    message:
      'A wildcard domain can only be validated by DNS (R-DNS-ONLY-WILDCARD): set spec.validation.method to ' +
      'DNS, or remove the wildcard names.',
    fieldPath: '.validation.method',
  },
  {
    rule: `!(${anyWildcard} && ${anyNormal}) || !self.domains[0].startsWith('*.')`,
    message:
      'When wildcard and normal names are mixed, the first domain (the common name) must be a normal name ' +
      "(R-FIRST-DOMAIN): move a name without '*.' to the front of spec.domains.",
    fieldPath: '.domains',
  },
  {
    rule: `!(${domainTypeIs('single')}) || (self.domains.size() == 1 && !self.domains[0].startsWith('*.'))`,
    message:
      'A single-domain product covers exactly one name without a wildcard: list one domain, or choose ' +
      'domainType multi, wildcard or mixed.',
    fieldPath: '.product.domainType',
  },
  {
    rule: `!(${domainTypeIs('wildcard')}) || !${anyNormal}`,
    message:
      "A wildcard product covers wildcard names only (*.example.com; the apex is included): remove the " +
      'other names, or choose domainType mixed.',
    fieldPath: '.product.domainType',
  },
  {
    rule: `!(${domainTypeIs('multi')}) || (self.domains.size() >= 2 && !${anyWildcard})`,
    message:
      'A multi-domain product covers two or more names without wildcards: choose domainType single for one ' +
      'name, or mixed when wildcards are included.',
    fieldPath: '.product.domainType',
  },
  {
    rule: `!(${domainTypeIs('mixed')}) || (${anyWildcard} && ${anyNormal})`,
    message:
      'A mixed product needs both wildcard and normal names: choose domainType wildcard or multi for names ' +
      'of one kind.',
    fieldPath: '.product.domainType',
  },
  {
    rule:
      "!has(self.product) || self.product.type == 'DV' || !has(self.hosting) || " +
      '!has(self.hosting.servicePeriodYears) || self.hosting.servicePeriodYears <= 2',
    message:
      'OV and EV certificates can be hosted for at most 2 years, DV for up to 4 (R-HOSTING-AT-APPLY): lower ' +
      'spec.hosting.servicePeriodYears.',
    fieldPath: '.hosting.servicePeriodYears',
  },
  {
    // Transition rule: only evaluated on update.
    rule: '!has(oldSelf.revoke) || !oldSelf.revoke || (has(self.revoke) && self.revoke)',
    message:
      'A revoked certificate stays revoked (R-REFUND): spec.revoke cannot go back to false or be removed; ' +
      'create a new Certificate instead.',
    fieldPath: '.revoke',
  },
];

export const certificateNameRule: ValidationRule = {
  rule: 'self.metadata.name.size() <= 63',
  message:
    'A Certificate name has at most 63 characters, because it is written as a label value on the Secrets ' +
    'it creates: choose a shorter name.',
};

export const sourceTransitionRule: ValidationRule = {
  rule: 'self == oldSelf',
  message:
    'spec.source cannot change after creation: create a new Certificate to switch between issuing and ' +
    'uploading.',
};

export const privateKeySizeRule: ValidationRule = {
  rule: "!has(self.size) || (self.algorithm == 'RSA' ? self.size in [2048, 3072, 4096] : self.size in [256, 384])",
  message:
    'RSA keys are 2048, 3072 or 4096 bits and ECDSA keys 256 (P-256) or 384 (P-384) bits (R-KEY): correct ' +
    'spec.privateKey.size.',
  fieldPath: '.size',
};

const secretRefDescription = 'Name of the Secret, in the same namespace.';

const specSchema = object<CertificateSpec>(
  {
    description: 'What to buy, how to validate and key it, how long to keep it valid and where to roll it out.',
    rules: certificateSpecRules,
  },
  {
    domains: required(
      array(
        domainNameSchema(
          'A DNS name, lowercase, optionally with a leading *. (one label, R-WILDCARD). No IP addresses.',
        ),
        {
          description:
            'The names the certificate covers. The first is the subject common name and, when wildcard and ' +
            'normal names are mixed, must be a normal name (R-FIRST-DOMAIN). A first-level wildcard also ' +
            'covers its apex.',
          minItems: 1,
          maxItems: maxDomains,
          listType: 'set',
        },
      ),
    ),
    product: optional(productSchema),
    secretName: required(
      objectName(
        'The kubernetes.io/tls Secret the operator writes in this namespace: tls.crt (chain), tls.key and ' +
          'ca.crt.',
      ),
    ),
    validation: optional(
      object<CertificateValidation>(
        { description: 'How domain control is validated. Absent means DNS.' },
        {
          method: required(
            enumeration(validationMethods, {
              description:
                'DNS (a TXT record _dnsauth.<domain>) or HTTP (a file under /.well-known/pki-validation/). ' +
                'Wildcards need DNS (R-DNS-ONLY-WILDCARD).',
            }),
          ),
        },
      ),
    ),
    privateKey: optional(
      object<PrivateKeySpec>(
        {
          description: 'The key pair the operator generates (R-KEY). Not with csr or source Upload.',
          rules: [privateKeySizeRule],
        },
        {
          algorithm: required(enumeration(keyAlgorithms, { description: 'RSA or ECDSA.' })),
          size: optional(
            integer({
              description: 'Key size in bits: RSA 2048 (default), 3072 or 4096; ECDSA 256 (default) or 384.',
              minimum: 256,
              maximum: 4096,
            }),
          ),
          rotationPolicy: optional(
            enumeration(rotationPolicies, {
              description:
                'Always: a new key for every renewal (default, the rotation best practice). Never: reuse the ' +
                "predecessor's key (allowed, reported as not following the best practice).",
              default: 'Always',
            }),
          ),
        },
      ),
    ),
    csr: optional(
      object<CsrSpec>(
        {
          description:
            'A manual CSR: the operator never holds the private key, so the certificate can only be deployed ' +
            'to certificate-only Secret targets (R-CSR-NO-DEPLOY).',
        },
        {
          secretRef: required(
            localObjectReference('A Secret holding the PEM CSR under the key tls.csr.', secretRefDescription),
          ),
        },
      ),
    ),
    source: optional(
      enumeration(certificateSources, {
        description:
          'Issue (default): buy and issue a certificate. Upload: bring a third-party certificate (not ' +
          'renewable, R-NOT-RENEWABLE). Cannot change after creation.',
        default: 'Issue',
        rules: [sourceTransitionRule],
      }),
    ),
    upload: optional(
      object<UploadSpec>(
        { description: 'The third-party certificate, for source Upload.' },
        {
          secretRef: required(
            localObjectReference(
              'A kubernetes.io/tls Secret with the certificate chain (tls.crt) and its key (tls.key).',
              secretRefDescription,
            ),
          ),
        },
      ),
    ),
    hosting: optional(
      object<HostingSpec>(
        { description: 'Automatic renewal for a service period of several years (R-HOSTING-AT-APPLY).' },
        {
          enabled: required(boolean({ description: 'Renew automatically inside each renewal window.' })),
          servicePeriodYears: optional(
            integer({
              description:
                'Years of service, counting the first certificate: 1 to 4 for DV, 1 to 2 for OV and EV. ' +
                'Absent means 1. Lowering it cancels Inactive successors and returns their credits (R-CANCEL).',
              minimum: 1,
              maximum: 4,
            }),
          ),
          packageSelector: optional(
            labelSelector('Which HostingPackages of this namespace may be consumed; absent means all.'),
          ),
        },
      ),
    ),
    autoDeploy: optional(
      object<AutoDeploySpec>(
        {
          description:
            'Deploy each renewal to the targets automatically: needs hosting, a first deployment and ' +
            'deployment credits (R-AUTODEPLOY-PRE).',
        },
        { enabled: required(boolean({ description: 'Deploy renewals automatically.' })) },
      ),
    ),
    targets: optional(
      array(
        localObjectReference(
          'A DeploymentTarget in this namespace.',
          'Name of the DeploymentTarget, in the same namespace.',
        ),
        {
          description: 'Where the certificate is rolled out; successors inherit them (R-INHERIT).',
          maxItems: maxTargets,
          listType: 'map',
          listMapKeys: ['name'],
        },
      ),
    ),
    revoke: optional(
      boolean({ description: 'true revokes the certificate. Irreversible; within 30 days of issue its credit returns (R-REFUND).' }),
    ),
    notifications: optional(
      object<NotificationsSpec>(
        { description: 'Expiry reminders (R-NOTIFY).' },
        {
          daysBefore: optional(
            array(integer({ description: 'Days before notAfter.', minimum: 1, maximum: 397 }), {
              description: 'When to send reminders, in days before notAfter. Absent means 30, 15 and 7.',
              maxItems: 10,
              listType: 'set',
            }),
          ),
          webhook: optional(
            object<WebhookSpec>(
              { description: 'A webhook that receives reminders as JSON POSTs.' },
              { urlSecretRef: required(secretKeySelector('The Secret key that holds the webhook URL.')) },
            ),
          ),
        },
      ),
    ),
  },
);

const serial = (description: string): Schema<string> => string({ description, maxLength: 64 });

const currentSchema = object<CurrentCertificate>(
  { description: 'The current certificate (the newest issued revision).' },
  {
    serialNumber: required(serial('Serial number, lowercase hex.')),
    fingerprintSHA256: required(string({ description: 'SHA-256 fingerprint of the DER certificate, lowercase hex.', maxLength: 64 })),
    notBefore: required(dateTime({ description: 'Start of validity.' })),
    notAfter: required(dateTime({ description: 'End of validity.' })),
    carriedOverSeconds: required(
      integer({ description: 'Validity carried over from the predecessor, in seconds (R-CARRY).', format: 'int64', minimum: 0 }),
    ),
    issuer: required(string({ description: 'Distinguished name of the issuer.', maxLength: 1024 })),
    keyAlgorithm: required(string({ description: 'Key algorithm and size, e.g. ECDSA P-256.', maxLength: 64 })),
    requestedNotAfter: optional(dateTime({ description: 'R-CAP: the notAfter asked for, when the issuing intermediate cut it.' })),
    serviceYearEnd: optional(dateTime({ description: 'R-PROFILE: under the CA/B schedule, the end of the service year this revision serves when more certificates of it follow.' })),
    hostedRenewal: optional(boolean({ description: 'Issued by a hosted renewal (R-AUTODEPLOY-PRE applies).' })),
  },
);

const statusSchema = object<CertificateStatus>(
  { description: 'What the operator observed and did. Written only by the operator.' },
  {
    state: optional(enumeration(certificateStates, { description: 'The state of the current revision (spec section 7).' })),
    observedGeneration: optional(
      integer({ description: 'The metadata.generation this status describes.', format: 'int64', minimum: 0 }),
    ),
    conditions: optional(conditionsSchema('Ready, Issuing, InRenewalWindow, Hosted, QuotaAvailable, Deployed, ValidityTruncated, …')),
    revision: optional(
      integer({ description: 'Increases by one per issued certificate.', format: 'int64', minimum: 0 }),
    ),
    current: optional(currentSchema),
    renewalTime: optional(dateTime({ description: 'When the renewal window of the current certificate opens.' })),
    servicePeriod: optional(
      object<ServicePeriod>(
        { description: 'The hosted service period.' },
        {
          start: required(dateTime({ description: 'Start of the service period.' })),
          end: required(dateTime({ description: 'End of the service period.' })),
          firstRevision: required(integer({ description: 'The first revision of the period.', format: 'int64', minimum: 0 })),
          years: required(integer({ description: 'Years of service, issued and queued.', format: 'int64', minimum: 0 })),
        },
      ),
    ),
    successors: optional(
      array(
        object<SuccessorStatus>(
          { description: 'A queued renewal and its state.' },
          {
            revision: required(integer({ description: 'The revision it will become.', format: 'int64', minimum: 0 })),
            state: required(enumeration(certificateStates, { description: 'Inactive while queued, then the application state.' })),
            submitAt: optional(dateTime({ description: 'When it is submitted to the CA.' })),
          },
        ),
        { description: 'Queued renewals (R-YEARS, R-EARLY), oldest first.', listType: 'map', listMapKeys: ['revision'] },
      ),
    ),
    validation: optional(
      array(
        object<ValidationRecordStatus>(
          { description: 'What must be published for one domain (R-VALIDATION-RECORDS).' },
          {
            domain: required(string({ description: 'The domain.', maxLength: 253 })),
            method: required(enumeration(validationMethods, { description: 'DNS or HTTP.' })),
            recordType: optional(enumeration(recordTypes, { description: 'DNS: the record type.' })),
            recordName: optional(string({ description: 'DNS: the record name, _dnsauth.<domain>.', maxLength: 253 })),
            recordValue: optional(string({ description: 'DNS: the record value.', maxLength: 255 })),
            path: optional(string({ description: 'HTTP: the URL that must return content.', maxLength: 2048 })),
            content: optional(string({ description: 'HTTP: the content the URL must return.', maxLength: 1024 })),
          },
        ),
        { description: 'What the user must publish, per domain.', listType: 'atomic' },
      ),
    ),
    deployments: optional(
      array(
        object<CertificateDeploymentStatus>(
          { description: 'The rollout of the current certificate to one domain on one target.' },
          {
            target: required(string({ description: 'The DeploymentTarget.', maxLength: 253 })),
            domain: required(string({ description: 'The domain.', maxLength: 253 })),
            serialNumber: required(serial('The serial number deployed (or being deployed).')),
            state: required(enumeration(deploymentStates, { description: 'Where the rollout stands (R-VERIFY).' })),
            time: required(dateTime({ description: 'When state last changed.' })),
            message: optional(string({ description: 'Details, for a person.', maxLength: 1024 })),
          },
        ),
        { description: 'Rollout per target and domain.', listType: 'atomic' },
      ),
    ),
    history: optional(
      array(
        object<HistoryEntry>(
          { description: 'A past revision.' },
          {
            revision: required(integer({ description: 'The revision.', format: 'int64', minimum: 0 })),
            serialNumber: required(serial('Its serial number.')),
            notBefore: required(dateTime({ description: 'Start of validity.' })),
            notAfter: required(dateTime({ description: 'End of validity.' })),
            endedBy: required(enumeration(endedByValues, { description: 'Why it stopped being current.' })),
          },
        ),
        {
          description: `Past revisions, newest last (at most ${maxHistoryEntries}).`,
          maxItems: maxHistoryEntries,
          listType: 'atomic',
        },
      ),
    ),
    lastRenewRequest: optional(
      string({ description: 'The last value of the certhost.io/renew annotation handled (R-MANUAL).', maxLength: 1024 }),
    ),
    application: optional(
      object<ApplicationStatus>(
        { description: 'The application for the next revision while it is in progress (R-CONSUME, R-REVIEW).' },
        {
          revision: required(integer({ description: 'The revision applied for.', format: 'int64', minimum: 0 })),
          purpose: required(enumeration(applicationPurposes, { description: 'New (no carry-over) or Renewal (R-CARRY).' })),
          state: required(enumeration(applicationStates, { description: 'Pending (credits or quota), Submitted (at the CA), Rejected (review failed).' })),
          generation: required(integer({ description: 'The metadata.generation it was made for.', format: 'int64', minimum: 0 })),
          predecessorNotAfter: optional(dateTime({ description: 'The predecessor notAfter it carries over from.' })),
          submittedAt: optional(dateTime({ description: 'When it was submitted to the CA (R-REVIEW schedule).' })),
          lastCheckAt: optional(dateTime({ description: 'When validation was last checked.' })),
          message: optional(string({ description: 'What it waits for, for a person.', maxLength: 2048 })),
          hostedRenewal: optional(boolean({ description: 'A queued successor submitted by hosting.' })),
          blockedReason: optional(string({ description: 'Why the issuer refused the application (a spec change is needed).', maxLength: 128 })),
          blockedGeneration: optional(integer({ description: 'The metadata.generation the refusal applies to.', format: 'int64', minimum: 0 })),
        },
      ),
    ),
    revokedAt: optional(dateTime({ description: 'When the certificate was revoked.' })),
    deploymentCredits: optional(
      object<DeploymentCreditsStatus>(
        { description: 'R-DEPLOY-CREDITS: deployment credits held from hosting activations (5 each).' },
        {
          granted: required(integer({ description: 'Granted so far.', format: 'int64', minimum: 0 })),
          used: required(integer({ description: 'Used by automatic deployments.', format: 'int64', minimum: 0 })),
        },
      ),
    ),
    lastDeployRequest: optional(
      string({ description: 'The last value of the certhost.io/deploy annotation handled.', maxLength: 1024 }),
    ),
    reminders: optional(
      object<RemindersStatus>(
        { description: 'R-NOTIFY: reminder thresholds already handled for a revision.' },
        {
          revision: required(integer({ description: 'The revision.', format: 'int64', minimum: 0 })),
          settled: required(array(integer({ description: 'Days before notAfter.', format: 'int64', minimum: 0 }), { description: 'Thresholds sent or skipped.', maxItems: 20, listType: 'atomic' })),
        },
      ),
    ),
  },
);

export const certificateSchema: Schema<Certificate> = resource<Certificate>(
  {
    description:
      'A certificate bought with credits, issued by a CA, renewed in its window (by hand with the ' +
      'certhost.io/renew annotation, or automatically when hosted) and rolled out to DeploymentTargets.',
    rules: [certificateNameRule],
  },
  specSchema,
  statusSchema,
);
