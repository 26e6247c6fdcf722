// Conditions in the Kubernetes shape (metav1.Condition) and the names the operator uses for them.
// Condition types are a stable contract (GitOps tools and users read them); add, never rename.

export const conditionStatuses = ['True', 'False', 'Unknown'] as const;
export type ConditionStatus = (typeof conditionStatuses)[number];

/** `metav1.Condition` on the wire. `lastTransitionTime` changes only when `status` flips. */
export interface Condition {
  /** CamelCase type, one of {@link ConditionType} for conditions the operator writes. */
  type: string;
  status: ConditionStatus;
  /** The `metadata.generation` the condition was computed from. */
  observedGeneration?: number;
  /** RFC 3339 time of the last change of `status`. */
  lastTransitionTime: string;
  /** CamelCase reason, one of {@link Reason} for conditions the operator writes. */
  reason: string;
  /** A sentence for a person: what is the case and what to do next. */
  message: string;
}

export const ConditionType = {
  /** Certificate: a valid certificate is in the Secret. HostingPackage: its credits can be spent.
   * DeploymentTarget: its configuration is usable. */
  Ready: 'Ready',
  /** Certificate: an application is in progress (waiting for validation, under review at the CA). */
  Issuing: 'Issuing',
  /** Certificate: the current certificate is in its renewal window (R-WINDOW). */
  InRenewalWindow: 'InRenewalWindow',
  /** Certificate: hosting is on and the service period reaches past the current notAfter. */
  Hosted: 'Hosted',
  /** Certificate: every credit the next step needs is available (R-INSUFFICIENT names the missing one). */
  QuotaAvailable: 'QuotaAvailable',
  /** Certificate: the current certificate is rolled out to every target (R-VERIFY). */
  Deployed: 'Deployed',
  /** Certificate: the issued notAfter was cut to the intermediate's notAfter (R-CAP). */
  ValidityTruncated: 'ValidityTruncated',
  /** Certificate: a manual renewal would be accepted now (R-MANUAL, R-EXPIRED, R-NOT-RENEWABLE). */
  RenewalAllowed: 'RenewalAllowed',
  /** Certificate: automatic deployment at renewal can happen (R-AUTODEPLOY-PRE). */
  AutoDeployAllowed: 'AutoDeployAllowed',
  /** Certificate: a free DV fallback certificate is being served (R-FALLBACK). */
  Fallback: 'Fallback',
} as const;
export type ConditionType = (typeof ConditionType)[keyof typeof ConditionType];

/** Reasons of conditions and events. CamelCase, stable; messages carry the details. */
export const Reason = {
  // Ready / Issuing
  Issued: 'Issued',
  Uploaded: 'Uploaded',
  Pending: 'Pending',
  Submitted: 'Submitted',
  ValidationPending: 'ValidationPending',
  ValidationFailed: 'ValidationFailed',
  ReviewTimedOut: 'ReviewTimedOut',
  IssuerError: 'IssuerError',
  Expired: 'Expired',
  Revoked: 'Revoked',
  UploadSecretNotFound: 'UploadSecretNotFound',
  UploadInvalid: 'UploadInvalid',
  CSRNotFound: 'CSRNotFound',
  CSRInvalid: 'CSRInvalid',
  InvalidSpec: 'InvalidSpec',
  // InRenewalWindow
  InWindow: 'InWindow',
  NotInWindow: 'NotInWindow',
  // Hosted
  HostingEnabled: 'HostingEnabled',
  HostingDisabled: 'HostingDisabled',
  ServicePeriodEnded: 'ServicePeriodEnded',
  // QuotaAvailable (R-INSUFFICIENT)
  CreditsAvailable: 'CreditsAvailable',
  InsufficientCertificateCredits: 'InsufficientCertificateCredits',
  InsufficientHostingCredits: 'InsufficientHostingCredits',
  InsufficientDeploymentCredits: 'InsufficientDeploymentCredits',
  FreeQuotaExhausted: 'FreeQuotaExhausted',
  // Deployed (R-TARGET-*, R-TENANCY, R-VERIFY, R-CSR-NO-DEPLOY)
  Deployed: 'Deployed',
  DeploymentInProgress: 'DeploymentInProgress',
  DeploymentFailed: 'DeploymentFailed',
  NoTargets: 'NoTargets',
  TargetNotFound: 'TargetNotFound',
  DomainNotFound: 'DomainNotFound',
  DomainNotOnboarded: 'DomainNotOnboarded',
  NamespaceNotAllowed: 'NamespaceNotAllowed',
  SecretConflict: 'SecretConflict',
  KeyNotAvailable: 'KeyNotAvailable',
  VerificationFailed: 'VerificationFailed',
  // ValidityTruncated (R-CAP)
  IntermediateExpiresEarly: 'IntermediateExpiresEarly',
  /** R-PROFILE: the next certificate of the same service year was issued (Event reason). */
  RolledOver: 'RolledOver',
  FullValidity: 'FullValidity',
  // RenewalAllowed (R-MANUAL, R-EXPIRED, R-NOT-RENEWABLE); RenewalNotAllowed is the event reason
  RenewalAllowed: 'RenewalAllowed',
  RenewalNotAllowed: 'RenewalNotAllowed',
  OutsideRenewalWindow: 'OutsideRenewalWindow',
  NotRenewable: 'NotRenewable',
  RenewalRequested: 'RenewalRequested',
  SuccessorQueued: 'SuccessorQueued',
  SuccessorCancelled: 'SuccessorCancelled',
  // AutoDeployAllowed (R-AUTODEPLOY-PRE)
  NotHosted: 'NotHosted',
  NeverDeployed: 'NeverDeployed',
  // R-KEY: reusing the key is allowed but does not follow rotation best practice
  KeyReused: 'KeyReused',
  // Fallback (R-FALLBACK)
  FallbackIssued: 'FallbackIssued',
  // HostingPackage Ready
  CreditsExhausted: 'CreditsExhausted',
  // DeploymentTarget Ready
  TargetReady: 'TargetReady',
} as const;
export type Reason = (typeof Reason)[keyof typeof Reason];
