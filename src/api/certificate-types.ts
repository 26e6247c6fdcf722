// Certificate (certhost.io/v1alpha1): one certificate bought with credits, issued, renewed and rolled out
// (architecture section 2). The schema is in certificate-schema.ts; the compiler keeps the two in step.

import type { Condition } from './conditions.ts';
import type { ApiVersion } from './group-version.ts';
import type { LabelSelector, LocalObjectReference, ObjectMeta, SecretKeySelector } from './meta-types.ts';
import type { Product } from './product.ts';
import type { CertificateState } from './states.ts';

export const certificateKind = 'Certificate';

export const validationMethods = ['DNS', 'HTTP'] as const;
/** R-DNS-ONLY-WILDCARD: wildcard names only with DNS. */
export type ValidationMethod = (typeof validationMethods)[number];

export const certificateSources = ['Issue', 'Upload'] as const;
export type CertificateSource = (typeof certificateSources)[number];

export const keyAlgorithms = ['RSA', 'ECDSA'] as const;
export type KeyAlgorithm = (typeof keyAlgorithms)[number];

/** R-KEY: `Always` generates a new key for every revision (default); `Never` reuses the predecessor's. */
export const rotationPolicies = ['Always', 'Never'] as const;
export type RotationPolicy = (typeof rotationPolicies)[number];

/** R-KEY: the key sizes allowed per algorithm (ECDSA sizes are the curve sizes P-256 and P-384). */
export const keySizes: Readonly<Record<KeyAlgorithm, readonly number[]>> = {
  RSA: [2048, 3072, 4096],
  ECDSA: [256, 384],
};
export const defaultKeySize: Readonly<Record<KeyAlgorithm, number>> = { RSA: 2048, ECDSA: 256 };

export interface CertificateValidation {
  method: ValidationMethod;
}

export interface PrivateKeySpec {
  algorithm: KeyAlgorithm;
  /** Bits: RSA 2048/3072/4096, ECDSA 256/384. Absent: {@link defaultKeySize}. */
  size?: number;
  /** Default `Always`. */
  rotationPolicy?: RotationPolicy;
}

export interface CsrSpec {
  /** A Secret holding the PEM CSR under the key {@link csrSecretKey}. */
  secretRef: LocalObjectReference;
}
export const csrSecretKey = 'tls.csr';

export interface UploadSpec {
  /** A `kubernetes.io/tls` Secret with the third-party chain (tls.crt) and key (tls.key). */
  secretRef: LocalObjectReference;
}

export interface HostingSpec {
  enabled: boolean;
  /**
   * Years of service kept valid by renewals, counting the first certificate: 1..4 for DV, 1..2 for
   * OV/EV (R-HOSTING-AT-APPLY). Absent means 1. Lowering it cancels Inactive successors (R-CANCEL).
   */
  servicePeriodYears?: number;
  /** Which HostingPackages of the namespace may be consumed; absent means all of them. */
  packageSelector?: LabelSelector;
}

export interface AutoDeploySpec {
  enabled: boolean;
}

export interface WebhookSpec {
  /** The Secret key that holds the webhook URL (a URL may carry a token, so it is not in the spec). */
  urlSecretRef: SecretKeySelector;
}

export interface NotificationsSpec {
  /** R-NOTIFY: days before notAfter at which a reminder is sent. Absent means [30, 15, 7]. */
  daysBefore?: number[];
  webhook?: WebhookSpec;
}
export const defaultReminderDays: readonly number[] = [30, 15, 7];

export interface CertificateSpec {
  /** R-WILDCARD, R-FIRST-DOMAIN: the first name is the subject common name. */
  domains: string[];
  /** The specification; required when `source` is Issue. */
  product?: Product;
  /** The `kubernetes.io/tls` Secret the operator writes: tls.crt (chain), tls.key, ca.crt. */
  secretName: string;
  /** Absent means DNS. */
  validation?: CertificateValidation;
  privateKey?: PrivateKeySpec;
  /** Manual CSR: the operator never holds the key (R-KEY, R-CSR-NO-DEPLOY). */
  csr?: CsrSpec;
  /** Default Issue. */
  source?: CertificateSource;
  /** Required for `source: Upload`. */
  upload?: UploadSpec;
  hosting?: HostingSpec;
  autoDeploy?: AutoDeploySpec;
  /** DeploymentTargets in the same namespace. */
  targets?: LocalObjectReference[];
  /** true revokes; irreversible (R-REFUND). */
  revoke?: boolean;
  notifications?: NotificationsSpec;
}

export interface CurrentCertificate {
  /** Lowercase hex without separators. */
  serialNumber: string;
  /** Lowercase hex SHA-256 of the DER certificate. */
  fingerprintSHA256: string;
  notBefore: string;
  notAfter: string;
  /** R-CARRY: validity carried over from the predecessor, 0..30 days in seconds. */
  carriedOverSeconds: number;
  /** The issuer's distinguished name. */
  issuer: string;
  /** e.g. `ECDSA P-256`, `RSA 2048`. */
  keyAlgorithm: string;
  /** R-CAP: the notAfter asked for, when the issuing intermediate cut it (condition ValidityTruncated). */
  requestedNotAfter?: string;
  /**
   * R-PROFILE: under the CA/B schedule, the end of the service year this revision serves when further
   * certificates of it follow (each issued when the window of the one before opens, at no credit).
   */
  serviceYearEnd?: string;
  /** Issued by a hosted renewal: R-AUTODEPLOY-PRE lets it roll out to the inherited targets by itself. */
  hostedRenewal?: boolean;
}

export interface ServicePeriod {
  start: string;
  end: string;
  /** The first revision of the period (R-HOSTING-AT-APPLY, R-HOSTING-LATER). */
  firstRevision: number;
  /** Years of service, issued and queued together. */
  years: number;
}

export const applicationPurposes = ['New', 'Renewal'] as const;
export type ApplicationPurpose = (typeof applicationPurposes)[number];
export const applicationStates = ['Pending', 'Submitted', 'Rejected'] as const;
export type ApplicationState = (typeof applicationStates)[number];

/** The application for the next revision while it is in progress (R-CONSUME, R-REVIEW). */
export interface ApplicationStatus {
  revision: number;
  /** New: a purchase (no carry-over); Renewal: carries the predecessor's unused validity (R-CARRY). */
  purpose: ApplicationPurpose;
  /** Pending: waiting for credits or quota; Submitted: at the CA (under review); Rejected: review failed. */
  state: ApplicationState;
  /** metadata.generation it was made for; a rejected application is retried after a spec change. */
  generation: number;
  predecessorNotAfter?: string;
  submittedAt?: string;
  lastCheckAt?: string;
  message?: string;
  /** A queued successor submitted by hosting (R-EARLY, R-YEARS), not a manual renewal. */
  hostedRenewal?: boolean;
  /** The issuer refused this application for a reason only a spec change can fix (e.g. CSRNameMismatch). */
  blockedReason?: string;
  /** metadata.generation the refusal applies to; a new generation tries again. */
  blockedGeneration?: number;
}

/** R-DEPLOY-CREDITS: deployment credits the certificate holds from its hosting activations. */
export interface DeploymentCreditsStatus {
  granted: number;
  used: number;
}

/** R-NOTIFY: the reminder thresholds (days) already handled for one revision. */
export interface RemindersStatus {
  revision: number;
  settled: number[];
}

export interface SuccessorStatus {
  revision: number;
  /** Inactive while queued (R-EARLY); then the state of an application. */
  state: CertificateState;
  /** When it is submitted to the CA: the predecessor's window opens (R-EARLY). */
  submitAt?: string;
}

export const recordTypes = ['TXT'] as const;
export type RecordType = (typeof recordTypes)[number];

/** R-VALIDATION-RECORDS: what the user must publish for one domain. */
export interface ValidationRecordStatus {
  domain: string;
  method: ValidationMethod;
  /** DNS: TXT. */
  recordType?: RecordType;
  /** DNS: `_dnsauth.<domain>`. */
  recordName?: string;
  recordValue?: string;
  /** HTTP: the URL that must return `content`. */
  path?: string;
  content?: string;
}

export const deploymentStates = ['Pending', 'Deploying', 'Verifying', 'Deployed', 'Failed', 'Skipped'] as const;
/** One rollout of one certificate to one domain on one target (R-VERIFY: Deployed once it is served). */
export type DeploymentState = (typeof deploymentStates)[number];

export interface CertificateDeploymentStatus {
  target: string;
  domain: string;
  serialNumber: string;
  state: DeploymentState;
  time: string;
  message?: string;
}

export const endedByValues = ['Renewed', 'Reissued', 'RolledOver', 'Revoked', 'Expired', 'Replaced'] as const;
/** Why a revision stopped being current: a renewal, an R-CAP re-issue, revocation, expiry, a new purchase. */
export type EndedBy = (typeof endedByValues)[number];

export interface HistoryEntry {
  revision: number;
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  endedBy: EndedBy;
}

/** The operator keeps at most this many history entries, newest last. */
export const maxHistoryEntries = 20;

export interface CertificateStatus {
  /** Spec section 7: the state of the current revision. */
  state?: CertificateState;
  observedGeneration?: number;
  conditions?: Condition[];
  /** Increases by one per issued certificate. */
  revision?: number;
  current?: CurrentCertificate;
  /** When the renewal window opens. */
  renewalTime?: string;
  servicePeriod?: ServicePeriod;
  /** Queued renewals (R-YEARS, R-EARLY), oldest first. */
  successors?: SuccessorStatus[];
  validation?: ValidationRecordStatus[];
  deployments?: CertificateDeploymentStatus[];
  history?: HistoryEntry[];
  /** The last value of the `certhost.io/renew` annotation that was handled (R-MANUAL). */
  lastRenewRequest?: string;
  application?: ApplicationStatus;
  /** When the certificate was revoked (spec.revoke). */
  revokedAt?: string;
  reminders?: RemindersStatus;
  deploymentCredits?: DeploymentCreditsStatus;
  /** The last value of the `certhost.io/deploy` annotation handled (deploy a renewal by hand). */
  lastDeployRequest?: string;
}

export interface Certificate {
  apiVersion: ApiVersion;
  kind: typeof certificateKind;
  metadata: ObjectMeta;
  spec: CertificateSpec;
  status?: CertificateStatus;
}
