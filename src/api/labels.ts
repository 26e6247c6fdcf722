// Label and annotation keys the operator reads or writes. Keys are a public contract: users select
// Secrets by them and set the annotations by hand.

/** Annotations users set. */
export const Annotation = {
  /**
   * On a Certificate: request a manual renewal (R-MANUAL). Every new value is one request, the way
   * `kubectl rollout restart` works; the operator records the last value it handled in status.
   */
  renew: 'certhost.io/renew',
  /**
   * On a Namespace: which namespaces' DeploymentTargets may write into it (R-TENANCY). A comma-separated
   * list of namespace names, or `*` for all.
   */
  allowTargetsFrom: 'certhost.io/allow-targets-from',
  /**
   * On a Secret the operator writes: the certificate's notAfter (RFC 3339). An annotation, not a label,
   * because label values cannot hold ':'.
   */
  notAfter: 'certhost.io/not-after',
  /**
   * On a Certificate: deploy the current certificate to its targets by hand (a renewal that auto-deploy
   * does not cover). Every new value is one request, like `certhost.io/renew`.
   */
  deploy: 'certhost.io/deploy',
  /**
   * On the certificate's own Secret: the notAfter asked of the CA (R-CAP), so a certificate adopted
   * after a crash knows whether the intermediate cut it.
   */
  requestedNotAfter: 'certhost.io/requested-not-after',
  /**
   * On the certificate's own Secret: the end of the service year the certificate serves, when more
   * certificates of that year follow (R-PROFILE, CA/B schedule), so it survives a crash too.
   */
  serviceYearEnd: 'certhost.io/service-year-end',
} as const;
export type Annotation = (typeof Annotation)[keyof typeof Annotation];

/**
 * Labels on the Secrets (and copies) the operator writes. The operator watches only Secrets with
 * `app.kubernetes.io/managed-by: certhost`, and never overwrites or deletes an object without it
 * (R-TENANCY, `SecretConflict`).
 */
export const Label = {
  managedBy: 'app.kubernetes.io/managed-by',
  /** The Certificate's name (Certificate names are at most 63 characters so that it fits). */
  certificate: 'certhost.io/certificate',
  /** The namespace of the Certificate, on copies written into other namespaces by a target. */
  certificateNamespace: 'certhost.io/certificate-namespace',
  /** The DeploymentTarget that wrote a copy. */
  deploymentTarget: 'certhost.io/deployment-target',
  /** The serial number of the certificate in the Secret, lowercase hex without separators (<= 40 chars). */
  serial: 'certhost.io/serial',
  /** The revision of the certificate in the Secret (`status.revision`), in decimal. */
  revision: 'certhost.io/revision',
} as const;
export type Label = (typeof Label)[keyof typeof Label];

/** The value of `app.kubernetes.io/managed-by` on everything the operator creates. */
export const managedByValue = 'certhost';

/** The value of `certhost.io/allow-targets-from` that allows every namespace. */
export const allowAllNamespaces = '*';

/** Finalizer that undoes writes into other namespaces (architecture section 3); never blocks deletion. */
export const finalizer = 'certhost.io/cleanup';
