// The interface every issuance backend implements (architecture section 4): the built-in CA now,
// ACME and others later. An application is what the domain layer decided to ask for; the result is
// what goes into the Secret (tls.crt, ca.crt) and into `status.current`.
import type { Product } from '../api/product.ts';

/**
 * The key of the certificate. `publicKey`: the operator generated (or reuses) the key pair and keeps
 * the private key (R-KEY system generated / reuse). `csr`: the user's own CSR; the operator never
 * holds the private key (R-KEY manual CSR, R-CSR-NO-DEPLOY).
 */
export type ApplicationKey =
  | { kind: 'publicKey'; /** SPKI, "-----BEGIN PUBLIC KEY-----" */ publicKeyPem: string }
  | { kind: 'csr'; /** PKCS#10, "-----BEGIN CERTIFICATE REQUEST-----" */ csrPem: string };

export interface CertificateApplication {
  /** DNS names; the first is the subject common name (R-FIRST-DOMAIN). */
  domains: readonly string[];
  /** The specification; `brand` selects the issuing CA. */
  product: Product;
  key: ApplicationKey;
  notBefore: Date;
  /** The notAfter the domain layer computed (R-VALIDITY, R-CARRY); the issuer may cut it (R-CAP). */
  notAfter: Date;
}

export interface IssuedCertificate {
  /** PEM certificates leaf first, then intermediates; never the root. */
  chainPems: readonly string[];
  /** `tls.crt`: chainPems concatenated. */
  chainPem: string;
  /** `ca.crt`: the root that chainPem leads to. */
  caPem: string;
  /** Lowercase hex. */
  serialNumber: string;
  /** Lowercase hex SHA-256 of the leaf's DER. */
  fingerprintSHA256: string;
  notBefore: Date;
  notAfter: Date;
  requestedNotAfter: Date;
  /** R-CAP: notAfter was cut to the issuing CA's notAfter (condition `ValidityTruncated`). */
  truncated: boolean;
  /** R-CAP: requestedNotAfter - notAfter in whole seconds; 0 unless truncated. */
  truncatedSeconds: number;
  /** Common name of the issuing CA (`status.current.issuer`). */
  issuer: string;
  /** "ECDSA P-256", "RSA 2048" (`status.current.keyAlgorithm`). */
  keyAlgorithm: string;
}

/**
 * A failure the user or the configuration can cause. `reason` is a CamelCase constant of the backend
 * (for the built-in CA: `IssueReason`), `message` a sentence for a condition that says what to do.
 * `retryable`: the same application may succeed later without a spec change (e.g. once the CA has a
 * new intermediate); otherwise the controller waits for the spec to change.
 */
export interface IssueFailure {
  ok: false;
  reason: string;
  message: string;
  retryable: boolean;
}

export type IssueResult = { ok: true; certificate: IssuedCertificate } | IssueFailure;

export interface Issuer {
  /** Backend name for logs and `status.current.issuer` context, e.g. "builtin". */
  readonly name: string;
  /**
   * Issues one certificate. Resolves with a failure value for anything a user or configuration can
   * cause; rejects only on bugs and I/O failures. Not idempotent by itself: the controller keys
   * issuance by (certificate UID, revision) and stores the result before acting on it.
   */
  issue(application: CertificateApplication): Promise<IssueResult>;
}
